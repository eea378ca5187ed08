package io.tern.server.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import java.lang.foreign.MemorySegment;

/**
 * A Netty buffer over one slot of native memory that a datagram is received into or sent from.
 * Made once per slot and reset per datagram; never released.
 *
 * <p>Copies to and from other buffers go through the memory segments or the JDK's {@code
 * ByteBuffer} bulk methods: Netty's own cross-buffer copies build a {@code ByteBuffer[]} and a
 * duplicate per call when direct buffers have no raw address (Unsafe is off by default on JDK 25).
 */
final class SlotBuf extends UnpooledDirectByteBuf {
    private final MemorySegment segment;

    SlotBuf(MemorySegment segment) {
        super(UnpooledByteBufAllocator.DEFAULT, segment.asByteBuffer(), (int) segment.byteSize());
        this.segment = segment;
    }

    MemorySegment segment() {
        return segment;
    }

    /** The native address of byte {@code index}. */
    long address(int index) {
        return segment.address() + index;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkIndex(index, length);
        if (dst instanceof SlotBuf slot) {
            slot.checkIndex(dstIndex, length);
            MemorySegment.copy(segment, index, slot.segment, dstIndex, length);
        } else {
            dst.setBytes(dstIndex, internalNioBuffer(index, length));
        }
        return this;
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        checkIndex(index, length);
        if (src instanceof SlotBuf slot) {
            slot.checkIndex(srcIndex, length);
            MemorySegment.copy(slot.segment, srcIndex, segment, index, length);
        } else {
            src.getBytes(srcIndex, internalNioBuffer(index, length));
        }
        return this;
    }

    @Override
    protected void deallocate() {
        // The memory belongs to the loop's arena, which outlives every use of this buffer.
    }
}
