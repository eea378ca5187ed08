package io.tern.server.signaling;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed join tokens: an application server lets a user into one room until a time.
 *
 * <pre>
 * token = expiry "." sig
 * expiry = Unix seconds, decimal
 * sig    = base64url-without-padding( HMAC-SHA256( secret, room "\n" expiry ) )
 * </pre>
 *
 * The room is not in the token: the signature covers it, so a token for one room fails for every
 * other. Checks compare in constant time.
 */
public final class JoinTokens {
    /** More than 18 digits could overflow a long; no real expiry needs them. */
    private static final int MAX_EXPIRY_DIGITS = 18;

    private static final int SIG_CHARS = 43; // 32 bytes, base64url, no padding

    /** Why a token was refused; the client hears only {@code bad-token} and a hint. */
    public enum Verdict {
        OK,
        MALFORMED,
        BAD_SIGNATURE,
        EXPIRED
    }

    private JoinTokens() {}

    /** A token for {@code room} that expires at {@code expiry} (Unix seconds). */
    public static String mint(String secret, String room, long expiry) {
        return expiry + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sign(secret, room, expiry));
    }

    /** Checks a token for {@code room} at {@code nowSeconds}. */
    public static Verdict verify(String secret, String room, String token, long nowSeconds) {
        int dot = token.indexOf('.');
        if (dot < 1 || dot > MAX_EXPIRY_DIGITS || token.length() - dot - 1 != SIG_CHARS) {
            return Verdict.MALFORMED;
        }
        long expiry = 0;
        for (int i = 0; i < dot; i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return Verdict.MALFORMED;
            }
            expiry = expiry * 10 + (c - '0');
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Verdict.MALFORMED;
        }
        // The expiry is checked after the signature, so an attacker learns nothing about the
        // secret from which error comes back.
        if (!MessageDigest.isEqual(sign(secret, room, expiry), given)) {
            return Verdict.BAD_SIGNATURE;
        }
        return expiry > nowSeconds ? Verdict.OK : Verdict.EXPIRED;
    }

    private static byte[] sign(String secret, String room, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal((room + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime must provide HmacSHA256", e);
        }
    }
}
