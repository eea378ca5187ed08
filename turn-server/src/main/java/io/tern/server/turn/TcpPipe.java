package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tern.server.metrics.ServerMetrics;

/**
 * One direction of an RFC 6062 TCP relay: bytes read on this channel (the client's data
 * connection, or the peer connection) are written to the other one as they are, without framing.
 * Reading pauses while the other side's write buffer is full and resumes when it drains, so a slow
 * reader holds back a fast writer instead of filling memory. A close on one side closes the other
 * once what was read has been written.
 *
 * <p>The two channels may belong to different event loops (the data connection is accepted on any
 * loop): Netty queues a write to a channel from another thread onto that channel's loop.
 */
final class TcpPipe extends ChannelInboundHandlerAdapter {
    /**
     * Reads of at least 2 KiB (up to 64 KiB when busy). Netty's default guess shrinks towards the
     * size of recent reads, and then cuts back-to-back messages at arbitrary points: legal for a
     * byte stream, but clients that read one fixed-size message at a time without waiting for its
     * end (coturn's turnutils_uclient -T) lose the message that arrives in two pieces.
     */
    static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(2048, 2048, 65536);

    private final Channel other;
    private final boolean toPeer;
    private final ServerMetrics metrics;
    /** The client data connection's transport, a ClientTransport ordinal (TCP or TLS). */
    private final int transport;

    TcpPipe(Channel other, boolean toPeer, ServerMetrics metrics, int transport) {
        this.other = other;
        this.toPeer = toPeer;
        this.metrics = metrics;
        this.transport = transport;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf data)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int length = data.readableBytes();
        if (toPeer) {
            metrics.relayedToPeers(transport, length);
        } else {
            metrics.relayedToClient(transport, length);
        }
        other.writeAndFlush(data, other.voidPromise());
        if (!other.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This side drained what the other side sent: let the other side read again.
        if (ctx.channel().isWritable()) {
            other.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (other.isActive()) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
