package io.tern.client;

import java.io.IOException;

/**
 * The server's answer broke the protocol: a response to an authenticated request failed its
 * integrity check (RFC 8489 §9.2.5), or a success response lacks the attribute that makes it one.
 */
public final class StunProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    StunProtocolException(String message) {
        super(message);
    }
}
