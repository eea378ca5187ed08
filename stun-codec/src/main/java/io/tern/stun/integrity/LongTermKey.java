package io.tern.stun.integrity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Long-term credential keys (RFC 8489 §9.2.2) and USERHASH (§14.4).
 *
 * <p>The password goes through SASLprep as in RFC 5389, which the RFC 5769 and RFC 8489 Appendix B
 * sample messages were computed with; for ASCII passwords SASLprep and RFC 8489's OpaqueString give
 * the same bytes. Keys are derived once (at configuration load or REST credential check), never per
 * packet, so allocating here is fine.
 */
public final class LongTermKey {
    private LongTermKey() {}

    /** {@code H(username ":" realm ":" SASLprep(password))} for the algorithm's hash H. */
    public static byte[] derive(PasswordAlgorithm algorithm, String username, String realm, String password) {
        String prepared = StringPrep.saslprep(password);
        return hash(algorithm.digestName(), username + ":" + realm + ":" + prepared);
    }

    /** The RFC 5389 key used with MESSAGE-INTEGRITY (HMAC-SHA1). */
    public static byte[] md5(String username, String realm, String password) {
        return derive(PasswordAlgorithm.MD5, username, realm, password);
    }

    /** {@code SHA-256(username ":" realm)}: lets a client hide its username (RFC 8489 §14.4). */
    public static byte[] userhash(String username, String realm) {
        return hash("SHA-256", username + ":" + realm);
    }

    private static byte[] hash(String digestName, String input) {
        try {
            return MessageDigest.getInstance(digestName).digest(input.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide " + digestName, e);
        }
    }
}
