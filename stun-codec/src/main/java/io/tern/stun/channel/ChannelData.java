package io.tern.stun.channel;

import io.netty.buffer.ByteBuf;
import io.tern.stun.ParseError;

/**
 * ChannelData framing (RFC 8656 §12.4): the 4-byte header TURN uses instead of a Send or Data
 * indication once a channel is bound.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Channel Number        |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                       Application Data                        /
 * /                                                               /
 * |                                                               |
 * |                               +-------------------------------+
 * |                               |
 * +-------------------------------+
 * </pre>
 *
 * <p>Over TCP the message is padded to a multiple of 4 bytes; over UDP padding is optional and the
 * receiver ignores trailing bytes. Everything here is static and works on absolute indices.
 */
public final class ChannelData {
    public static final int HEADER_LENGTH = 4;
    /** RFC 8656 §12: channel numbers a client may bind. */
    public static final int MIN_CHANNEL = 0x4000;

    public static final int MAX_CHANNEL = 0x4FFF;

    /**
     * RFC 5766, which RFC 8656 replaced, allowed channels up to 0x7FFF, and clients written to it
     * (coturn's turnutils_uclient among them) still pick numbers there. A server can accept them:
     * its client side carries only STUN and ChannelData, so the RFC 7983 demultiplexing that the
     * narrower range protects does not apply.
     */
    public static final int MAX_RFC5766_CHANNEL = 0x7FFF;

    private ChannelData() {}

    /** RFC 7983 demultiplexing: a first byte of 64-79 is ChannelData. */
    public static boolean isChannelData(int firstByte) {
        return (firstByte & 0xF0) == 0x40;
    }

    public static boolean isValidChannel(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
    }

    /** A first byte of 64-127: ChannelData in the RFC 5766 range. */
    public static boolean isRfc5766ChannelData(int firstByte) {
        return (firstByte & 0xC0) == 0x40;
    }

    /** 0x4000-0x7FFF: a channel an RFC 5766 client may bind. */
    public static boolean isRfc5766Channel(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_RFC5766_CHANNEL;
    }

    /**
     * Checks a ChannelData message in a UDP datagram.
     *
     * @return {@code null} when valid, else the reason
     */
    public static ParseError validate(ByteBuf datagram) {
        return validate(datagram, false);
    }

    /** As {@link #validate(ByteBuf)}, optionally accepting the RFC 5766 channel range. */
    public static ParseError validate(ByteBuf datagram, boolean allowRfc5766) {
        int index = datagram.readerIndex();
        if (datagram.readableBytes() < HEADER_LENGTH) {
            return ParseError.CHANNEL_DATA_TRUNCATED;
        }
        int channel = datagram.getUnsignedShort(index);
        if (allowRfc5766 ? !isRfc5766Channel(channel) : !isValidChannel(channel)) {
            return ParseError.BAD_CHANNEL_NUMBER;
        }
        if (datagram.getUnsignedShort(index + 2) > datagram.readableBytes() - HEADER_LENGTH) {
            return ParseError.CHANNEL_DATA_TRUNCATED;
        }
        return null;
    }

    /** The channel number of the message at the reader index. */
    public static int channel(ByteBuf buf) {
        return buf.getUnsignedShort(buf.readerIndex());
    }

    /** The application data length of the message at the reader index. */
    public static int dataLength(ByteBuf buf) {
        return buf.getUnsignedShort(buf.readerIndex() + 2);
    }

    /** Writes the header for {@code dataLength} bytes of data. */
    public static void writeHeader(ByteBuf out, int channel, int dataLength) {
        out.writeShort(channel).writeShort(dataLength);
    }

    /** The padding a stream transport needs after {@code dataLength} bytes of data. */
    public static int streamPadding(int dataLength) {
        return (-dataLength) & 3;
    }
}
