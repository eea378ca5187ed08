package io.tern.client;

import java.util.Objects;

/**
 * A long-term credential (RFC 8489 §9.2): a username and password. The realm and nonce are not part
 * of it; the client learns them from the server's 401 answer.
 *
 * <p>For TURN REST credentials the username is {@code <expiry>:<user>} and the password the
 * base64 HMAC the credentials API handed out; to the client they are the same thing.
 */
public record Credentials(String username, String password) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** Never shows the password, so credentials can be logged by accident without harm. */
    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=***]";
    }
}
