package io.tern.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;

/**
 * Leak-tracked test buffers. Everything comes from {@link ByteBufAllocator#DEFAULT}, whose buffers
 * the leak detector tracks ({@code Unpooled.wrappedBuffer} and unpooled heap buffers are not
 * tracked, so a forgotten release there would go unnoticed).
 */
public final class Buffers {
    private static final byte FILLER = (byte) 0xA5;

    private Buffers() {}

    /** Where a message sits: the codec must read only the readable bytes, wherever they are. */
    public enum Layout {
        /** A heap buffer holding exactly the message. */
        HEAP,
        /** A direct buffer holding exactly the message (no backing array: other code paths). */
        DIRECT,
        /** A slice in the middle of a bigger heap buffer (non-zero array offset). */
        HEAP_SLICE,
        /** A slice in the middle of a bigger direct buffer; reads past the slice throw. */
        DIRECT_SLICE,
        /** A heap buffer whose reader index is not 0 and whose capacity goes past the writer index. */
        OFFSET_READER_INDEX;

        /** A new buffer whose readable bytes are {@code message}; the caller releases it. */
        public ByteBuf place(byte[] message) {
            return switch (this) {
                case HEAP -> heap(message);
                case DIRECT -> direct(message);
                case HEAP_SLICE -> surrounded(heap(padded(message)), message.length);
                case DIRECT_SLICE -> surrounded(direct(padded(message)), message.length);
                case OFFSET_READER_INDEX -> {
                    ByteBuf buf = heap(padded(message));
                    yield buf.setIndex(7, 7 + message.length);
                }
            };
        }
    }

    public static ByteBuf heap(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.heapBuffer(bytes.length).writeBytes(bytes);
    }

    public static ByteBuf direct(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** The readable bytes, without moving the reader index. */
    public static byte[] bytes(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    /** Applies {@code body} to {@code buf} and releases the buffer whatever happens. */
    public static <T> T using(ByteBuf buf, BufferFunction<T> body) throws Exception {
        try {
            return body.apply(buf);
        } finally {
            buf.release();
        }
    }

    /** Copies the readable bytes out of {@code buf} and releases it. */
    public static byte[] drain(ByteBuf buf) {
        try {
            return bytes(buf);
        } finally {
            buf.release();
        }
    }

    /** A body that may throw checked exceptions (e.g. {@code StunParseException}). */
    @FunctionalInterface
    public interface BufferFunction<T> {
        T apply(ByteBuf buf) throws Exception;
    }

    /** 7 filler bytes, the message, then 9 filler bytes. */
    private static byte[] padded(byte[] message) {
        byte[] out = new byte[7 + message.length + 9];
        Arrays.fill(out, FILLER);
        System.arraycopy(message, 0, out, 7, message.length);
        return out;
    }

    /** A slice of the message inside a padded buffer; releasing the slice releases the parent. */
    private static ByteBuf surrounded(ByteBuf parent, int length) {
        return parent.slice(7, length);
    }
}
