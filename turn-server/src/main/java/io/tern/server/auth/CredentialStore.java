package io.tern.server.auth;

import io.tern.server.config.ConfigException;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import io.tern.stun.integrity.StringPrep;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The credentials the server accepts for one realm: static users and TURN REST shared secrets.
 * Immutable and shared by every event loop, so a configuration reload can build a new store and
 * swap it in without touching a loop's state.
 *
 * <h2>Static users</h2>
 *
 * Configured as {@code name:password} or {@code name:0x<32 hex digits>} (option {@value
 * #USER_OPTION}), split at the first {@code ':'} (so a name cannot contain one, a password can).
 * For a password both long-term keys are derived once, here (RFC 8489 §9.2.2, password prepared
 * with SASLprep): MD5 for PASSWORD-ALGORITHM MD5 (and for RFC 5389 clients, which send no
 * algorithm), SHA-256 for PASSWORD-ALGORITHM SHA-256. The password is not kept.
 *
 * <p>The {@code 0x} form is the MD5 key itself, {@code MD5(name ":" realm ":" password)} in hex, as
 * coturn's {@code turnadmin -k} prints it, so the configuration need not hold the password. <b>Such a
 * user has no SHA-256 key</b>: SHA-256 cannot be derived from the MD5 key, so a request from that
 * user with PASSWORD-ALGORITHM SHA-256 fails (401); the client must use MD5. A password that
 * itself starts with {@code 0x} cannot be configured (coturn has the same rule).
 *
 * <p>Static users can also be found by USERHASH, {@code SHA-256(name ":" realm)} (RFC 8489 §14.4).
 *
 * <h2>TURN REST credentials</h2>
 *
 * With one or more secrets (option {@value #SECRET_OPTION}, several for rotation), a username
 * {@code <unix-expiry-seconds>[:<anything>]} is a time-limited credential whose password is {@code
 * base64(HMAC-SHA1(secret, username))} (draft-uberti-behave-turn-rest, coturn's {@code
 * use-auth-secret}). The key is then derived from that password like any other. A username of that
 * form is checked only as a REST credential when secrets are configured, and only as a static user
 * when none are; so static users and REST credentials work side by side. A static user name of
 * only digits would be unreachable next to secrets and is refused at configuration time.
 *
 * <p>No method or {@link #toString()} reveals a password, key or secret.
 */
public final class CredentialStore {
    public static final String REALM_OPTION = "realm";
    public static final String USER_OPTION = "user";
    public static final String SECRET_OPTION = "static-auth-secret";

    /** RFC 8489 §14.3: a USERNAME is fewer than 509 bytes. */
    static final int MAX_USERNAME_BYTES = 508;

    /** RFC 8489 §14.9: a REALM is fewer than 128 characters. */
    private static final int MAX_REALM_CHARS = 127;

    private static final String USER_FORMS = "use name:password or name:0x<32 hex digits of the MD5 key>";
    private static final int MD5_HEX_DIGITS = 32;

    /** The longest expiry REST usernames may carry: 18 digits cannot overflow a long. */
    private static final int MAX_EXPIRY_DIGITS = 18;

    private final String realm;
    private final byte[] realmBytes;
    private final Map<String, Credential> users;
    private final Map<ByteBuffer, Credential> usersByHash;
    private final byte[][] authSecrets;

    private CredentialStore(Builder b) {
        this.realm = b.realm;
        this.realmBytes = b.realm.getBytes(StandardCharsets.UTF_8);
        this.users = Map.copyOf(b.users);
        Map<ByteBuffer, Credential> byHash = new HashMap<>();
        for (Credential c : b.users.values()) {
            byHash.put(ByteBuffer.wrap(LongTermKey.userhash(c.username(), realm)), c);
        }
        this.usersByHash = Map.copyOf(byHash);
        this.authSecrets = b.secrets.toArray(new byte[0][]);
    }

    /** Starts a store for {@code realm}. */
    public static Builder builder(String realm) {
        return new Builder(realm);
    }

    public String realm() {
        return realm;
    }

    /** The realm's UTF-8 bytes, for comparing with a request's REALM without decoding it. */
    byte[] realmBytes() {
        return realmBytes;
    }

    public int userCount() {
        return users.size();
    }

    public int authSecretCount() {
        return authSecrets.length;
    }

    /** True when no request can ever authenticate: no users and no secrets. */
    public boolean isEmpty() {
        return users.isEmpty() && authSecrets.length == 0;
    }

    /** Whether the username is tried as a TURN REST credential (not as a static user). */
    public boolean isRestUsername(String username) {
        return authSecrets.length > 0 && isRestForm(username);
    }

    /** A static user by name, or null. */
    Credential user(String username) {
        return users.get(username);
    }

    /** A static user by USERHASH (32 bytes), or null. */
    Credential userByHash(byte[] userhash) {
        return usersByHash.get(ByteBuffer.wrap(userhash));
    }

    /** The UTF-8 bytes of secret {@code i}; shared, never to be modified or shown. */
    byte[] authSecret(int i) {
        return authSecrets[i];
    }

    /** Whether a username has the TURN REST shape {@code <digits>[:<anything>]}. */
    static boolean isRestForm(String username) {
        int digits = leadingDigits(username);
        return digits > 0 && (digits == username.length() || username.charAt(digits) == ':');
    }

    /**
     * The expiry (Unix seconds) of a TURN REST username, or -1 when it does not have the REST
     * shape or its number is too long to be a time.
     */
    static long restExpiry(String username) {
        if (!isRestForm(username)) {
            return -1;
        }
        int digits = leadingDigits(username);
        if (digits > MAX_EXPIRY_DIGITS) {
            return -1;
        }
        long expiry = 0;
        for (int i = 0; i < digits; i++) {
            expiry = expiry * 10 + (username.charAt(i) - '0');
        }
        return expiry;
    }

    private static int leadingDigits(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /**
     * The TURN REST password for a username: {@code base64(HMAC-SHA1(secret, username))}. What a
     * web service hands out with the username (and what {@code tern credentials} prints); the
     * server itself derives it per request with reused objects instead.
     */
    public static String restPassword(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime must provide HmacSHA1", e);
        }
    }

    /** Counts only: never a name, password, key or secret. */
    @Override
    public String toString() {
        return "CredentialStore[realm=" + realm + ", users=" + users.size() + ", authSecrets=" + authSecrets.length
                + "]";
    }

    /** Collects users and secrets; every mistake is a {@link ConfigException} naming the option. */
    public static final class Builder {
        private final String realm;
        private final Map<String, Credential> users = new LinkedHashMap<>();
        private final List<byte[]> secrets = new ArrayList<>();

        private Builder(String realm) {
            if (realm == null || realm.isEmpty()) {
                throw new ConfigException(REALM_OPTION, "(empty)", "set a realm, e.g. the server's domain name");
            }
            if (realm.codePointCount(0, realm.length()) > MAX_REALM_CHARS) {
                throw new ConfigException(
                        REALM_OPTION,
                        "(" + realm.length() + " characters)",
                        "RFC 8489 allows fewer than 128 characters");
            }
            String prepared;
            try {
                prepared = StringPrep.opaqueString(realm);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(REALM_OPTION, realm, "not a valid realm: " + e.getMessage());
            }
            if (!prepared.equals(realm)) {
                throw new ConfigException(
                        REALM_OPTION, realm, "write it in its prepared form (NFC, ASCII spaces): " + prepared);
            }
            this.realm = realm;
        }

        /**
         * Adds a static user from {@code name:password} or {@code name:0x<32 hex digits>}.
         *
         * @throws ConfigException naming option {@value #USER_OPTION}; its message shows the name
         *     but never the password or key
         */
        public Builder user(String spec) {
            if (spec == null || spec.isEmpty()) {
                throw new ConfigException(USER_OPTION, "(empty)", USER_FORMS);
            }
            int colon = spec.indexOf(':');
            if (colon < 0) {
                // Without a colon we cannot tell a name from a password: show neither.
                throw new ConfigException(USER_OPTION, "(" + spec.length() + " characters, no ':')", USER_FORMS);
            }
            String name = spec.substring(0, colon);
            String secret = spec.substring(colon + 1);
            String shown = name + ":(hidden)";
            if (name.isEmpty()) {
                throw new ConfigException(USER_OPTION, shown, "the name before ':' is empty; " + USER_FORMS);
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_USERNAME_BYTES) {
                throw new ConfigException(
                        USER_OPTION,
                        "(a " + name.length() + "-character name)",
                        "RFC 8489 allows usernames of fewer than 509 bytes");
            }
            if (secret.isEmpty()) {
                throw new ConfigException(USER_OPTION, name + ":", "the password after ':' is empty; " + USER_FORMS);
            }
            if (users.containsKey(name)) {
                throw new ConfigException(USER_OPTION, shown, "user " + name + " is configured twice");
            }
            Credential credential;
            if (secret.startsWith("0x") || secret.startsWith("0X")) {
                credential = new Credential(name, md5KeyFromHex(name, secret.substring(2)), null);
            } else {
                try {
                    credential = new Credential(
                            name,
                            LongTermKey.derive(PasswordAlgorithm.MD5, name, realm, secret),
                            LongTermKey.derive(PasswordAlgorithm.SHA_256, name, realm, secret));
                } catch (IllegalArgumentException e) {
                    // StringPrep's message names the code point and its index, never the input.
                    throw new ConfigException(
                            USER_OPTION, shown, "the password cannot be prepared with SASLprep: " + e.getMessage());
                }
            }
            users.put(name, credential);
            return this;
        }

        /** Adds every {@code name:password} or {@code name:0x<key>} of a list. */
        public Builder users(Iterable<String> specs) {
            for (String spec : specs) {
                user(spec);
            }
            return this;
        }

        /**
         * Adds a TURN REST shared secret; give several to rotate (every one is accepted).
         *
         * @throws ConfigException naming option {@value #SECRET_OPTION}, never showing the value
         */
        public Builder authSecret(String secret) {
            if (secret == null || secret.isEmpty()) {
                throw new ConfigException(SECRET_OPTION, "(empty)", "use a non-empty shared secret");
            }
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            for (byte[] existing : secrets) {
                if (Arrays.equals(existing, bytes)) {
                    return this; // the same secret twice adds nothing but work
                }
            }
            secrets.add(bytes);
            return this;
        }

        /** Adds every secret of a list. */
        public Builder authSecrets(Iterable<String> values) {
            for (String secret : values) {
                authSecret(secret);
            }
            return this;
        }

        /**
         * @throws ConfigException when a static user's name would be read as a TURN REST username
         */
        public CredentialStore build() {
            if (!secrets.isEmpty()) {
                for (String name : users.keySet()) {
                    if (isRestForm(name)) {
                        throw new ConfigException(
                                USER_OPTION,
                                name + ":(hidden)",
                                "with " + SECRET_OPTION + " set, a name of only digits is read as a TURN REST"
                                        + " username; choose a name with a letter in it");
                    }
                }
            }
            return new CredentialStore(this);
        }

        private static byte[] md5KeyFromHex(String name, String hex) {
            if (hex.length() != MD5_HEX_DIGITS) {
                throw new ConfigException(
                        USER_OPTION,
                        name + ":0x(" + hex.length() + " digits)",
                        "an MD5 key is 0x followed by exactly 32 hex digits");
            }
            try {
                return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        USER_OPTION, name + ":0x(hidden)", "an MD5 key is 0x followed by exactly 32 hex digits");
            }
        }

        @Override
        public String toString() {
            return "CredentialStore.Builder[realm=" + realm + ", users=" + users.size() + ", authSecrets="
                    + secrets.size() + "]";
        }
    }
}
