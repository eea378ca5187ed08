package io.tern.stun;

/**
 * STUN method numbers (the 12 method bits of the message type).
 *
 * <p>Values come from the IANA "STUN Methods" registry: Binding from RFC 8489, the TURN methods
 * from RFC 8656 and the TCP-allocation methods from RFC 6062. They are {@code int} constants rather
 * than an enum so that the hot path compares numbers and an unknown method from the wire is still a
 * value that can be answered with an error.
 */
public final class StunMethod {
    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;
    public static final int CONNECT = 0x00A;
    public static final int CONNECTION_BIND = 0x00B;
    public static final int CONNECTION_ATTEMPT = 0x00C;

    /** Methods occupy 12 bits, so a dispatch table indexed by method has this many slots. */
    public static final int METHOD_SPACE = 0x1000;

    private StunMethod() {}

    /** The RFC name of a method, or {@code 0x%03X} for one Tern does not know. */
    public static String name(int method) {
        return switch (method) {
            case BINDING -> "Binding";
            case ALLOCATE -> "Allocate";
            case REFRESH -> "Refresh";
            case SEND -> "Send";
            case DATA -> "Data";
            case CREATE_PERMISSION -> "CreatePermission";
            case CHANNEL_BIND -> "ChannelBind";
            case CONNECT -> "Connect";
            case CONNECTION_BIND -> "ConnectionBind";
            case CONNECTION_ATTEMPT -> "ConnectionAttempt";
            default -> String.format("0x%03X", method);
        };
    }
}
