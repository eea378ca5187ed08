package io.tern.stun.integrity;

import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC (RFC 2104) built on one reused {@link MessageDigest}.
 *
 * <p>{@code javax.crypto.Mac.init} copies the key on every call and STUN changes keys per message
 * (one per user), so a {@code Mac} cannot check integrity without allocating. This class keeps the
 * padded key blocks in fields and feeds the digest directly. It is not thread-safe: each event loop
 * thread owns one (see {@link StunCrypto}).
 */
public final class Hmac {
    /** SHA-1 and SHA-256 both have a 64-byte block. */
    private static final int BLOCK = 64;

    private static final int IPAD = 0x36;
    private static final int OPAD = 0x5c;

    private final MessageDigest digest;
    private final int macLength;
    private final byte[] ipad = new byte[BLOCK];
    private final byte[] opad = new byte[BLOCK];
    private final byte[] inner;
    private final byte[] copy = new byte[256];

    private Hmac(String algorithm) {
        try {
            this.digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide " + algorithm, e);
        }
        this.macLength = digest.getDigestLength();
        this.inner = new byte[macLength];
    }

    public static Hmac sha1() {
        return new Hmac("SHA-1");
    }

    public static Hmac sha256() {
        return new Hmac("SHA-256");
    }

    /** 20 for HMAC-SHA1, 32 for HMAC-SHA256. */
    public int macLength() {
        return macLength;
    }

    /** Starts a new MAC with this key; discards anything fed before. */
    public Hmac init(byte[] key) {
        // Reset first: a key longer than the block is hashed with the same digest, which may still
        // hold input from a MAC that was never finished.
        digest.reset();
        byte[] k = key.length > BLOCK ? digest.digest(key) : key;
        // Key bytes, then the zero padding's XOR as a fill: a branch per byte cost ~15% of a check.
        for (int i = 0; i < k.length; i++) {
            ipad[i] = (byte) (k[i] ^ IPAD);
            opad[i] = (byte) (k[i] ^ OPAD);
        }
        java.util.Arrays.fill(ipad, k.length, BLOCK, (byte) IPAD);
        java.util.Arrays.fill(opad, k.length, BLOCK, (byte) OPAD);
        digest.update(ipad);
        return this;
    }

    public Hmac update(byte[] bytes, int offset, int length) {
        digest.update(bytes, offset, length);
        return this;
    }

    /** Feeds a 16-bit big-endian value: used for the rewritten STUN length field. */
    public Hmac updateShort(int value) {
        digest.update((byte) (value >>> 8));
        digest.update((byte) value);
        return this;
    }

    /** Feeds bytes of a buffer without moving its indices. */
    public Hmac update(ByteBuf buf, int index, int length) {
        if (buf.hasArray()) {
            digest.update(buf.array(), buf.arrayOffset() + index, length);
            return this;
        }
        // Direct buffers: copy through a small scratch array rather than wrap an NIO view.
        while (length > 0) {
            int n = Math.min(length, copy.length);
            buf.getBytes(index, copy, 0, n);
            digest.update(copy, 0, n);
            index += n;
            length -= n;
        }
        return this;
    }

    /** Writes the MAC into {@code out[offset .. offset + macLength)}. */
    public void doFinal(byte[] out, int offset) {
        try {
            digest.digest(inner, 0, macLength);
            digest.update(opad);
            digest.update(inner);
            digest.digest(out, offset, macLength);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("output array too small for the MAC", e);
        }
    }

    /** Convenience for cold paths and tests. */
    public byte[] doFinal() {
        byte[] out = new byte[macLength];
        doFinal(out, 0);
        return out;
    }
}
