package io.tern.server.auth;

import io.tern.stun.integrity.PasswordAlgorithm;
import java.util.EnumMap;
import java.util.Map;

/**
 * What {@link Authenticator#authenticate} decided about one request.
 *
 * <p>A failure tells the error to answer with ({@link #code()}, {@link #reason()}) and whether the
 * answer carries the challenge ({@link #challenge()}: REALM, a fresh NONCE and PASSWORD-ALGORITHMS,
 * written by {@link Authenticator#writeChallenge}). Failures are shared constants, so refusing
 * unauthenticated traffic allocates no result.
 *
 * <p>A success carries the username, the long-term key and the integrity attribute the response
 * must be signed with ({@link Authenticator#signResponse}). The key array is shared and must not be
 * modified; it stays valid after the request, so an allocation may keep it.
 */
public final class AuthResult {
    /** Every way a request can come out, with its RFC 8489 §9.2.4 answer. */
    public enum Outcome {
        /** Authenticated. */
        OK(0, "", false),
        /** Neither MESSAGE-INTEGRITY nor MESSAGE-INTEGRITY-SHA256: the first request of the dance. */
        NO_INTEGRITY(401, "Unauthenticated", true),
        /** Integrity present, but USERNAME (or USERHASH), REALM or NONCE missing. */
        MISSING_ATTRIBUTE(400, "Missing USERNAME or USERHASH, REALM or NONCE", false),
        /** A NONCE that this process did not issue to this client address (or tampered with). */
        INVALID_NONCE(438, "Stale Nonce", true),
        /** A NONCE this process issued to this client, older than its lifetime. */
        STALE_NONCE(438, "Stale Nonce", true),
        /** PASSWORD-ALGORITHMS / PASSWORD-ALGORITHM missing one of the pair, or not what was offered. */
        ALGORITHM_MISMATCH(
                400, "PASSWORD-ALGORITHMS does not match the server's or PASSWORD-ALGORITHM is not in it", false),
        /** A USERHASH that is not 32 bytes. */
        MALFORMED_USERHASH(400, "USERHASH must be 32 bytes", false),
        /** A REALM other than the server's. */
        WRONG_REALM(401, "Unauthenticated", true),
        /** No such user (or a USERHASH that names none, or a REST username with no valid expiry). */
        UNKNOWN_USER(401, "Unauthenticated", true),
        /** A TURN REST username whose expiry has passed. */
        EXPIRED(401, "Unauthenticated", true),
        /** A user configured by MD5 key only, asking for PASSWORD-ALGORITHM SHA-256. */
        NO_KEY_FOR_ALGORITHM(401, "Unauthenticated", true),
        /** The integrity check failed: wrong password (or wrong secret, for REST credentials). */
        BAD_INTEGRITY(401, "Unauthenticated", true);

        private final int code;
        private final String reason;
        private final boolean challenge;

        Outcome(int code, String reason, boolean challenge) {
            this.code = code;
            this.reason = reason;
            this.challenge = challenge;
        }

        /** The STUN error code; 0 for {@link #OK}. */
        public int code() {
            return code;
        }

        /** The reason phrase. Every 401 reads the same, so it does not tell which check failed. */
        public String reason() {
            return reason;
        }

        /** Whether the error response carries REALM, NONCE and PASSWORD-ALGORITHMS. */
        public boolean challenge() {
            return challenge;
        }
    }

    /** Which integrity attribute signs the response: the kind the request was checked with. */
    public enum Integrity {
        /** HMAC-SHA1 (RFC 8489 §14.5). */
        MESSAGE_INTEGRITY,
        /** HMAC-SHA256 (RFC 8489 §14.6). */
        MESSAGE_INTEGRITY_SHA256
    }

    private static final Map<Outcome, AuthResult> FAILURES = new EnumMap<>(Outcome.class);

    static {
        for (Outcome o : Outcome.values()) {
            if (o != Outcome.OK) {
                FAILURES.put(o, new AuthResult(o, null, null, null, null, false));
            }
        }
    }

    private final Outcome outcome;
    private final String username;
    private final byte[] key;
    private final PasswordAlgorithm algorithm;
    private final Integrity integrity;
    private final boolean rest;

    private AuthResult(
            Outcome outcome,
            String username,
            byte[] key,
            PasswordAlgorithm algorithm,
            Integrity integrity,
            boolean rest) {
        this.outcome = outcome;
        this.username = username;
        this.key = key;
        this.algorithm = algorithm;
        this.integrity = integrity;
        this.rest = rest;
    }

    /** The shared result for a failure. */
    static AuthResult failure(Outcome outcome) {
        AuthResult r = FAILURES.get(outcome);
        if (r == null) {
            throw new IllegalArgumentException("not a failure: " + outcome);
        }
        return r;
    }

    static AuthResult success(
            String username, byte[] key, PasswordAlgorithm algorithm, Integrity integrity, boolean rest) {
        return new AuthResult(Outcome.OK, username, key, algorithm, integrity, rest);
    }

    public Outcome outcome() {
        return outcome;
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    /** The STUN error code to answer with; 0 on success. */
    public int code() {
        return outcome.code();
    }

    public String reason() {
        return outcome.reason();
    }

    /** Whether the error response must carry the challenge (REALM, NONCE, PASSWORD-ALGORITHMS). */
    public boolean challenge() {
        return outcome.challenge();
    }

    /** The authenticated username (for USERHASH, the name it resolved to); null on failure. */
    public String username() {
        return username;
    }

    /** The long-term key the request was verified with; shared, do not modify; null on failure. */
    public byte[] key() {
        return key;
    }

    /** The password algorithm that derived the key (MD5 when the request named none); null on failure. */
    public PasswordAlgorithm passwordAlgorithm() {
        return algorithm;
    }

    /** The integrity attribute the response must carry; null on failure. */
    public Integrity integrity() {
        return integrity;
    }

    /** Whether the user is a TURN REST (time-limited) credential rather than a static user. */
    public boolean rest() {
        return rest;
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        if (!ok()) {
            return "AuthResult[" + outcome + " " + outcome.code() + "]";
        }
        return "AuthResult[OK user=" + username + ", " + algorithm + ", " + integrity + (rest ? ", REST]" : "]");
    }
}
