package io.tern.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * {@code POST /api/credentials}: the API keys an application server presents (as {@code
 * Authorization: Bearer KEY}) to get TURN credentials for its users. Several keys are accepted at
 * once, for rotation; none turns the endpoint off. {@link #toString} never shows a key.
 *
 * @param keys the accepted keys, at least {@value #MIN_LENGTH} characters each
 */
public record ApiConfig(List<String> keys) {
    /** Short keys can be guessed; 16 characters of base64 carry 96 bits. */
    public static final int MIN_LENGTH = 16;

    public ApiConfig {
        keys = List.copyOf(keys);
        for (String k : keys) {
            if (k.length() < MIN_LENGTH || !k.chars().allMatch(c -> c > ' ' && c < 0x7F)) {
                throw new ConfigException(
                        "api-key",
                        "(hidden)",
                        "use at least " + MIN_LENGTH + " printable characters without spaces,"
                                + " e.g. the output of: openssl rand -base64 32");
            }
        }
    }

    public static ApiConfig off() {
        return new ApiConfig(List.of());
    }

    public boolean enabled() {
        return !keys.isEmpty();
    }

    /**
     * Whether {@code presented} is one of the keys. Every key is compared, each through a SHA-256
     * digest of both sides, so the time taken says neither which key nor how much of one matched.
     */
    public boolean accepts(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] candidate = sha256(presented);
        boolean match = false;
        for (String k : keys) {
            match |= MessageDigest.isEqual(candidate, sha256(k));
        }
        return match;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ApiConfig[" + keys.size() + " keys, hidden]";
    }
}
