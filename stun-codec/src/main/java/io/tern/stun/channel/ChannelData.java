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

    private ChannelData() {}

    /** RFC 7983 demultiplexing: a first byte of 64-79 is ChannelData. */
    public static boolean isChannelData(int firstByte) {
        return (firstByte & 0xF0) == 0x40;
    }

    public static boolean isValidChannel(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
    }

    /**
     * Checks a ChannelData message in a UDP datagram.
     *
     * @return {@code null} when valid, else the reason
     */
    public static ParseError validate(ByteBuf datagram) {
        int index = datagram.readerIndex();
        if (datagram.readableBytes() < HEADER_LENGTH) {
            return ParseError.CHANNEL_DATA_TRUNCATED;
        }
        if (!isValidChannel(datagram.getUnsignedShort(index))) {
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
