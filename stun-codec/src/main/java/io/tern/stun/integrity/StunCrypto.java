package io.tern.stun.integrity;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.zip.CRC32;

/**
 * The per-thread state for integrity and fingerprint computations: two HMACs, a CRC-32 and the
 * output arrays. One per thread keeps the hot path free of locks and allocation (design.md: "one
 * Mac per thread, reused").
 */
public final class StunCrypto {
    private static final FastThreadLocal<StunCrypto> CURRENT = new FastThreadLocal<>() {
        @Override
        protected StunCrypto initialValue() {
            return new StunCrypto();
        }
    };

    /** RFC 8489 §14.7: FINGERPRINT is the CRC-32 XOR'd with this, to tell STUN from other CRCs. */
    public static final int FINGERPRINT_XOR = 0x5354554e;

    private final Hmac sha1 = Hmac.sha1();
    private final Hmac sha256 = Hmac.sha256();
    private final CRC32 crc = new CRC32();
    private final byte[] mac = new byte[32];
    private final byte[] copy = new byte[256];

    private StunCrypto() {}

    public static StunCrypto current() {
        return CURRENT.get();
    }

    public Hmac hmacSha1() {
        return sha1;
    }

    public Hmac hmacSha256() {
        return sha256;
    }

    /** A 32-byte scratch array for MAC output, owned by this thread. */
    public byte[] macScratch() {
        return mac;
    }

    /** CRC-32 of a buffer range XOR 0x5354554e, as FINGERPRINT carries it. */
    public int fingerprint(ByteBuf buf, int index, int length) {
        crc.reset();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            // A direct buffer's reused internal NIO view: the CRC intrinsic reads memory in place,
            // about twice as fast as copying to an array first, and allocates nothing.
            crc.update(buf.internalNioBuffer(index, length));
        } else {
            while (length > 0) {
                int n = Math.min(length, copy.length);
                buf.getBytes(index, copy, 0, n);
                crc.update(copy, 0, n);
                index += n;
                length -= n;
            }
        }
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    /**
     * Compares a MAC in a buffer with {@code expected[0..length)} in time independent of where they
     * differ, so an attacker cannot learn a valid MAC byte by byte.
     */
    public static boolean constantTimeEquals(ByteBuf buf, int index, byte[] expected, int length) {
        int diff = 0;
        for (int i = 0; i < length; i++) {
            diff |= buf.getByte(index + i) ^ expected[i];
        }
        return diff == 0;
    }
}
