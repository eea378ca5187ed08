package io.tern.stun;

import io.netty.buffer.ByteBuf;
import java.security.SecureRandom;

/**
 * The 96-bit STUN transaction id, held as two primitives so comparing and hashing it allocates
 * nothing.
 *
 * @param high the first 64 bits on the wire
 * @param low the last 32 bits on the wire
 */
public record TransactionId(long high, int low) {
    /** RFC 8489 §6 asks for ids that are uniformly and cryptographically random. */
    private static final SecureRandom RANDOM = new SecureRandom();

    public static TransactionId random() {
        return new TransactionId(RANDOM.nextLong(), RANDOM.nextInt());
    }

    /** Reads 12 bytes at an absolute index without moving the reader index. */
    public static TransactionId read(ByteBuf buf, int index) {
        return new TransactionId(buf.getLong(index), buf.getInt(index + 8));
    }

    public void write(ByteBuf buf) {
        buf.writeLong(high).writeInt(low);
    }

    public byte[] toBytes() {
        byte[] out = new byte[12];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (high >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[8 + i] = (byte) (low >>> (24 - 8 * i));
        }
        return out;
    }

    @Override
    public String toString() {
        return String.format("%016x%08x", high, low);
    }
}
