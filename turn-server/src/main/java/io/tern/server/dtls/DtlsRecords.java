package io.tern.server.dtls;

import io.netty.buffer.ByteBuf;

/**
 * Peeks at DTLS record headers (RFC 6347 §4.1, §4.2.2) without decrypting anything: enough to tell
 * a ClientHello from garbage before any state is made for a source, and to see when the server
 * has gone past its HelloVerifyRequest (sent a ServerHello).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | content type  |    version (0xFEFD = 1.2)     |     epoch     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~ (cont.)       |        sequence number (48 bits)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                               |            length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   msg_type    |  handshake length, message_seq, fragment_offset,
 * +-+-+-+-+-+-+-+-+  fragment_length (11 bytes; epoch 0 handshake)  ~
 * </pre>
 */
final class DtlsRecords {
    static final int RECORD_HEADER = 13;
    static final int HANDSHAKE_HEADER = 12;

    static final int CONTENT_HANDSHAKE = 22;
    static final int CLIENT_HELLO = 1;
    static final int SERVER_HELLO = 2;

    private DtlsRecords() {}

    /**
     * Whether a datagram starts with a plaintext (epoch 0) DTLS handshake record carrying (the
     * start of) a ClientHello: the only thing that may open a session.
     */
    static boolean isClientHello(ByteBuf datagram) {
        int i = datagram.readerIndex();
        return datagram.readableBytes() >= RECORD_HEADER + HANDSHAKE_HEADER
                && datagram.getUnsignedByte(i) == CONTENT_HANDSHAKE
                && datagram.getUnsignedByte(i + 1) == 0xFE
                && datagram.getUnsignedShort(i + 3) == 0
                && datagram.getUnsignedByte(i + RECORD_HEADER) == CLIENT_HELLO;
    }

    /** The handshake type of the first record of an epoch 0 handshake datagram, else -1. */
    static int handshakeType(ByteBuf datagram) {
        int i = datagram.readerIndex();
        if (datagram.readableBytes() < RECORD_HEADER + 1
                || datagram.getUnsignedByte(i) != CONTENT_HANDSHAKE
                || datagram.getUnsignedShort(i + 3) != 0) {
            return -1;
        }
        return datagram.getUnsignedByte(i + RECORD_HEADER);
    }
}
