package io.tern.server.auth;

import io.tern.stun.integrity.PasswordAlgorithm;

/**
 * One configured (static) user: the name and the long-term keys derived from the password, never
 * the password itself. Immutable; the key arrays are shared with every event loop and must not be
 * modified by anyone.
 */
final class Credential {
    private final String username;
    private final byte[] md5Key;
    private final byte[] sha256Key;

    /**
     * @param md5Key the MD5 long-term key (RFC 8489 §9.2.2)
     * @param sha256Key the SHA-256 long-term key, or null when only the MD5 key was configured
     */
    Credential(String username, byte[] md5Key, byte[] sha256Key) {
        this.username = username;
        this.md5Key = md5Key;
        this.sha256Key = sha256Key;
    }

    String username() {
        return username;
    }

    /** The key for an algorithm, or null when this user has none for it. */
    byte[] key(PasswordAlgorithm algorithm) {
        return algorithm == PasswordAlgorithm.SHA_256 ? sha256Key : md5Key;
    }

    /** The name only: keys never appear in a string. */
    @Override
    public String toString() {
        return "Credential[" + username + (sha256Key == null ? ", MD5 key only]" : "]");
    }
}
