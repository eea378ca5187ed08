package io.tern.stun;

/**
 * The class of a STUN message (RFC 8489 §5): the two C bits interleaved into the message type.
 *
 * <pre>
 *   0                 1
 *   2  3  4 5 6 7 8 9 0 1 2 3 4 5
 *  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
 *  |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
 *  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public enum StunClass {
    REQUEST(0b00),
    INDICATION(0b01),
    SUCCESS_RESPONSE(0b10),
    ERROR_RESPONSE(0b11);

    private static final StunClass[] BY_BITS = values();
    private final int bits;

    StunClass(int bits) {
        this.bits = bits;
    }

    /** The two class bits, C1 C0. */
    public int bits() {
        return bits;
    }

    /** Every two-bit value is a class, so this never fails for {@code bits & 3}. */
    public static StunClass ofBits(int bits) {
        return BY_BITS[bits & 0b11];
    }

    /** The class encoded in a 14-bit message type. */
    public static StunClass ofMessageType(int messageType) {
        return ofBits(((messageType >>> 4) & 0b01) | ((messageType >>> 7) & 0b10));
    }

    /** The method encoded in a 14-bit message type. */
    public static int methodOf(int messageType) {
        return (messageType & 0x000F) | ((messageType >>> 1) & 0x0070) | ((messageType >>> 2) & 0x0F80);
    }

    /** Interleaves a method and this class into a message type. */
    public int messageType(int method) {
        return (method & 0x000F)
                | ((method & 0x0070) << 1)
                | ((method & 0x0F80) << 2)
                | ((bits & 0b01) << 4)
                | ((bits & 0b10) << 7);
    }
}
