package io.tern.stun.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.tern.stun.channel.StreamFraming;
import java.util.List;

/**
 * Frames a TCP or TLS byte stream into whole STUN and ChannelData messages, each emitted as a
 * retained slice of the cumulation (no copy). A frame over the limit or an unknown first byte
 * fails the channel: once framing is lost on a stream it cannot be regained.
 *
 * <p>Needs netty-codec-base on the class path; the rest of the codec needs only netty-buffer.
 */
public final class StunStreamDecoder extends ByteToMessageDecoder {
    private final int maxFrameLength;

    public StunStreamDecoder(int maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int frame = StreamFraming.frameLength(in, maxFrameLength);
            if (frame == StreamFraming.NEED_MORE || (frame > 0 && in.readableBytes() < frame)) {
                return;
            }
            if (frame == StreamFraming.TOO_LARGE) {
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("stream frame exceeds " + maxFrameLength + " bytes");
            }
            if (frame == StreamFraming.UNKNOWN_FRAME) {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("first byte is neither STUN nor ChannelData");
            }
            out.add(in.readRetainedSlice(frame));
        }
    }
}
