package io.tern.stun.integrity;

/**
 * Values of the PASSWORD-ALGORITHM registry (RFC 8489 §18.5) and the key derivation for each.
 */
public enum PasswordAlgorithm {
    /** The RFC 5389 key: MD5, with HMAC-SHA1 in MESSAGE-INTEGRITY. */
    MD5(0x0001, "MD5", 16),
    /** RFC 8489: SHA-256, with HMAC-SHA256 in MESSAGE-INTEGRITY-SHA256. */
    SHA_256(0x0002, "SHA-256", 32);

    private final int code;
    private final String digestName;
    private final int keyLength;

    PasswordAlgorithm(int code, String digestName, int keyLength) {
        this.code = code;
        this.digestName = digestName;
        this.keyLength = keyLength;
    }

    public int code() {
        return code;
    }

    /** The name {@link java.security.MessageDigest} knows it by. */
    public String digestName() {
        return digestName;
    }

    public int keyLength() {
        return keyLength;
    }

    /** The algorithm for a registry code, or {@code null} when Tern does not support it. */
    public static PasswordAlgorithm ofCode(int code) {
        return switch (code) {
            case 0x0001 -> MD5;
            case 0x0002 -> SHA_256;
            default -> null;
        };
    }
}
