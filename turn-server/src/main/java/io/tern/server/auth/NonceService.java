package io.tern.server.auth;

import io.netty.buffer.ByteBuf;
import io.tern.server.config.ConfigException;
import io.tern.stun.integrity.Hmac;
import io.tern.stun.integrity.StunCrypto;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * Stateless nonces for the long-term credential mechanism (RFC 8489 §9.2, RFC 8656 §5): the server
 * remembers nothing per client, it only recognises its own signature.
 *
 * <pre>
 * nonce   = "obMatJos2" features payload                      (45 characters)
 * features = base64(24 security feature bits)                 (4 characters, RFC 8489 §9.2)
 * payload  = base64url(time || mac)                           (32 characters, no padding)
 * time     = issue time, Unix seconds, 8 bytes big-endian
 * mac      = HMAC-SHA256(secret, time || client IP bytes), first 16 bytes
 * </pre>
 *
 * <p>The nonce cookie {@code obMatJos2} followed by the feature bits tells an RFC 8489 client what
 * the server supports (§9.2): Tern sets "Password algorithms" (it sends PASSWORD-ALGORITHMS and
 * checks the echo against bid-down attacks, §9.2.4) and "Username anonymity" (it accepts USERHASH,
 * §14.4). A nonce is bound to the client's IP address (not the port, so that a client behind a NAT
 * that rebinds, or one that opens a second TCP connection, keeps its nonce) and expires after the
 * lifetime; an expired one earns 438 with a fresh nonce. The secret is random per process start,
 * so a restart makes every outstanding nonce fail validation, which also ends in 438 and a retry.
 *
 * <p>Immutable and thread-safe: one instance is shared by every event loop, because a client's
 * next request may arrive on another loop (another TCP connection). The HMAC comes from the calling
 * thread's {@link StunCrypto}, so nothing is locked.
 */
public final class NonceService {
    /** RFC 8489 §9.2: the prefix of a nonce that carries security feature bits. */
    public static final String COOKIE = "obMatJos2";

    /** RFC 8489 §18.1 "STUN Security Features": bit 0 (the most significant of 24). */
    public static final int FEATURE_PASSWORD_ALGORITHMS = 1 << 23;

    /** RFC 8489 §18.1 "STUN Security Features": bit 1. */
    public static final int FEATURE_USERNAME_ANONYMITY = 1 << 22;

    /** The features Tern supports, as sent in every nonce. */
    public static final int FEATURES = FEATURE_PASSWORD_ALGORITHMS | FEATURE_USERNAME_ANONYMITY;

    /** RFC 8656 does not fix a nonce lifetime; coturn's {@code stale-nonce} default is 600 s. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(600);

    /** The configuration option that sets the lifetime, as coturn names it. */
    public static final String LIFETIME_OPTION = "stale-nonce";

    /** Bytes of HMAC-SHA256 kept: 128 bits is beyond guessing within a nonce's lifetime. */
    static final int MAC_LENGTH = 16;

    private static final int SECRET_LENGTH = 32;
    private static final int MIN_SECRET_LENGTH = 16;
    private static final int TIME_LENGTH = 8;
    private static final int PAYLOAD_BYTES = TIME_LENGTH + MAC_LENGTH;
    private static final int PAYLOAD_CHARS = PAYLOAD_BYTES / 3 * 4;

    /** The cookie and the base64 feature bits: the fixed start of every nonce Tern issues. */
    static final String PREFIX = COOKIE + featureChars(FEATURES);

    /** The length of every nonce Tern issues. */
    public static final int LENGTH = PREFIX.length() + PAYLOAD_CHARS;

    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder PAYLOAD_ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** base64url alphabet value of each ASCII character, or -1. */
    private static final byte[] URL_SAFE_VALUES = urlSafeValues();

    private final byte[] secret;
    private final long lifetimeSeconds;

    /** The outcome of {@link #validate}. */
    public enum Status {
        /** Issued by this process for this client address, within its lifetime. */
        VALID,
        /** Issued by this process for this client address, but older than the lifetime. */
        STALE,
        /** Not a nonce this process issued for this address: foreign, tampered or malformed. */
        INVALID
    }

    /**
     * A service with an injected secret, for tests (and, later, for several processes that must
     * accept each other's nonces).
     *
     * @param secret at least 16 bytes; copied
     * @param lifetime how long a nonce stays valid; a positive whole number of seconds
     * @throws ConfigException if the lifetime is not positive
     */
    public NonceService(byte[] secret, Duration lifetime) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(lifetime, "lifetime");
        if (secret.length < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("a nonce secret needs at least " + MIN_SECRET_LENGTH + " bytes");
        }
        if (lifetime.getSeconds() <= 0) {
            throw new ConfigException(LIFETIME_OPTION, lifetime.toString(), "use a positive number of seconds");
        }
        this.secret = secret.clone();
        this.lifetimeSeconds = lifetime.getSeconds();
    }

    /** A service with a fresh random secret, as each server start uses. */
    public static NonceService random(Duration lifetime) {
        byte[] secret = new byte[SECRET_LENGTH];
        new SecureRandom().nextBytes(secret);
        return new NonceService(secret, lifetime);
    }

    public Duration lifetime() {
        return Duration.ofSeconds(lifetimeSeconds);
    }

    /** A fresh nonce for {@code client}, issued at {@code nowMillis} (Unix epoch milliseconds). */
    public String issue(InetAddress client, long nowMillis) {
        byte[] payload = new byte[PAYLOAD_BYTES];
        long time = Math.floorDiv(nowMillis, 1000L);
        putLong(payload, 0, time);
        byte[] mac = mac(time, client);
        System.arraycopy(mac, 0, payload, TIME_LENGTH, MAC_LENGTH);
        return PREFIX + PAYLOAD_ENCODER.encodeToString(payload);
    }

    /** Checks a nonce against the client it was presented by. */
    public Status validate(String nonce, InetAddress client, long nowMillis) {
        if (nonce == null || nonce.length() != LENGTH || !nonce.startsWith(PREFIX)) {
            return Status.INVALID;
        }
        byte[] payload = new byte[PAYLOAD_BYTES];
        for (int i = 0; i < PAYLOAD_CHARS; i += 4) {
            int quad = quad(
                    nonce.charAt(PREFIX.length() + i),
                    nonce.charAt(PREFIX.length() + i + 1),
                    nonce.charAt(PREFIX.length() + i + 2),
                    nonce.charAt(PREFIX.length() + i + 3));
            if (quad < 0) {
                return Status.INVALID;
            }
            putTriple(payload, i / 4 * 3, quad);
        }
        return check(payload, client, nowMillis);
    }

    /**
     * As {@link #validate(String, InetAddress, long)}, reading the NONCE value straight from a
     * request buffer (no string is made).
     */
    public Status validate(ByteBuf buf, int index, int length, InetAddress client, long nowMillis) {
        if (length != LENGTH) {
            return Status.INVALID;
        }
        for (int i = 0; i < PREFIX_BYTES.length; i++) {
            if (buf.getByte(index + i) != PREFIX_BYTES[i]) {
                return Status.INVALID;
            }
        }
        byte[] payload = new byte[PAYLOAD_BYTES];
        int at = index + PREFIX_BYTES.length;
        for (int i = 0; i < PAYLOAD_CHARS; i += 4) {
            int quad = quad(
                    (char) (buf.getByte(at + i) & 0xFF),
                    (char) (buf.getByte(at + i + 1) & 0xFF),
                    (char) (buf.getByte(at + i + 2) & 0xFF),
                    (char) (buf.getByte(at + i + 3) & 0xFF));
            if (quad < 0) {
                return Status.INVALID;
            }
            putTriple(payload, i / 4 * 3, quad);
        }
        return check(payload, client, nowMillis);
    }

    private Status check(byte[] payload, InetAddress client, long nowMillis) {
        long time = getLong(payload, 0);
        byte[] expected = mac(time, client);
        int diff = 0;
        for (int i = 0; i < MAC_LENGTH; i++) {
            diff |= expected[i] ^ payload[TIME_LENGTH + i];
        }
        if (diff != 0) {
            return Status.INVALID;
        }
        long age = Math.floorDiv(nowMillis, 1000L) - time;
        // A negative age only happens when the wall clock stepped back; the MAC proves the nonce is
        // ours, so it is treated like a positive age of the same size.
        return Math.abs(age) > lifetimeSeconds ? Status.STALE : Status.VALID;
    }

    /** HMAC-SHA256(secret, time || address), 32 bytes in a new array (it is small). */
    private byte[] mac(long time, InetAddress client) {
        byte[] timeBytes = new byte[TIME_LENGTH];
        putLong(timeBytes, 0, time);
        byte[] address = client.getAddress();
        Hmac hmac = StunCrypto.current().hmacSha256();
        hmac.init(secret).update(timeBytes, 0, TIME_LENGTH).update(address, 0, address.length);
        return hmac.doFinal();
    }

    /** Four base64url characters as 24 bits, or -1 when one is outside the alphabet. */
    private static int quad(char a, char b, char c, char d) {
        int va = value(a);
        int vb = value(b);
        int vc = value(c);
        int vd = value(d);
        if ((va | vb | vc | vd) < 0) {
            return -1;
        }
        return (va << 18) | (vb << 12) | (vc << 6) | vd;
    }

    private static int value(char c) {
        return c < 128 ? URL_SAFE_VALUES[c] : -1;
    }

    private static void putTriple(byte[] out, int offset, int triple) {
        out[offset] = (byte) (triple >>> 16);
        out[offset + 1] = (byte) (triple >>> 8);
        out[offset + 2] = (byte) triple;
    }

    private static void putLong(byte[] out, int offset, long v) {
        for (int i = 7; i >= 0; i--) {
            out[offset + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] in, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (in[offset + i] & 0xFF);
        }
        return v;
    }

    private static String featureChars(int features) {
        byte[] bits = {(byte) (features >>> 16), (byte) (features >>> 8), (byte) features};
        return Base64.getEncoder().encodeToString(bits);
    }

    private static byte[] urlSafeValues() {
        byte[] values = new byte[128];
        Arrays.fill(values, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            values[alphabet.charAt(i)] = (byte) i;
        }
        return values;
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "NonceService[lifetime=" + lifetimeSeconds + "s]";
    }
}
