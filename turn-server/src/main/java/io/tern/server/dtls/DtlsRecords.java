package io.tern.server.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

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

    static final int CONTENT_ALERT = 21;
    static final int CONTENT_HANDSHAKE = 22;
    static final int ALERT_FATAL = 2;
    static final int HANDSHAKE_FAILURE = 40;
    static final int PROTOCOL_VERSION = 70;
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
                && datagram.getUnsignedByte(i + RECORD_HEADER) == CLIENT_HELLO
                && isWellFramed(datagram);
    }

    /**
     * A plaintext (epoch 0) fatal alert record, for a handshake that failed before any keys were
     * agreed. DTLS 1.2 record version; a client accepts any DTLS version on the first record it
     * gets.
     */
    static ByteBuf fatalAlert(ByteBufAllocator alloc, int description) {
        return alloc.ioBuffer(RECORD_HEADER + 2)
                .writeByte(CONTENT_ALERT)
                .writeShort(0xFEFD)
                .writeShort(0) // epoch
                .writeZero(6) // sequence number
                .writeShort(2)
                .writeByte(ALERT_FATAL)
                .writeByte(description);
    }

    /**
     * Whether a datagram is a sequence of whole records: each header complete and each declared
     * length within the datagram (a record never spans datagrams, RFC 6347 §4.1.1). The JDK's
     * engine takes a declared length beyond its packet size as fatal to the session, so a datagram
     * that is not well framed must not reach it.
     */
    static boolean isWellFramed(ByteBuf datagram) {
        int i = datagram.readerIndex();
        int end = datagram.writerIndex();
        if (i == end) {
            return false;
        }
        while (i < end) {
            if (end - i < RECORD_HEADER) {
                return false;
            }
            i += RECORD_HEADER + datagram.getUnsignedShort(i + RECORD_HEADER - 2);
        }
        return i == end;
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
