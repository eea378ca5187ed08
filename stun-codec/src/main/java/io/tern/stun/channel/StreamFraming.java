package io.tern.stun.channel;

import io.netty.buffer.ByteBuf;
import io.tern.stun.StunReader;

/**
 * Splits a byte stream (TCP, TLS) into STUN messages and ChannelData messages, which arrive
 * interleaved on one connection (RFC 8656 §12.5). The first byte of each frame says which it is:
 * 0-63 STUN, 64-127 ChannelData (the RFC 5766 channel range, so legacy clients frame too).
 */
public final class StreamFraming {
    /** Fewer bytes than a frame header: wait for more. */
    public static final int NEED_MORE = -1;
    /** The first byte is neither STUN (0-63) nor ChannelData (64-127): the stream is broken. */
    public static final int UNKNOWN_FRAME = -2;
    /** The frame is longer than the limit: the stream should be closed. */
    public static final int TOO_LARGE = -3;

    private StreamFraming() {}

    /**
     * The length of the whole frame at the reader index, including the STUN header or the
     * ChannelData header and its padding, or one of the negative codes above.
     */
    public static int frameLength(ByteBuf in, int maxFrameLength) {
        if (in.readableBytes() < ChannelData.HEADER_LENGTH) {
            return NEED_MORE;
        }
        int index = in.readerIndex();
        int first = in.getUnsignedByte(index);
        int length = in.getUnsignedShort(index + 2);
        int frame;
        if (first < 0x40) {
            frame = StunReader.HEADER_LENGTH + length;
        } else if (ChannelData.isRfc5766ChannelData(first)) {
            frame = ChannelData.HEADER_LENGTH + length + ChannelData.streamPadding(length);
        } else {
            return UNKNOWN_FRAME;
        }
        return frame > maxFrameLength ? TOO_LARGE : frame;
    }
}
