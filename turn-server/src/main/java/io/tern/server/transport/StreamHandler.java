package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.turn.AllocationHome;
import io.tern.server.udp.UdpAddress;
import io.tern.stun.ParseError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of one client stream connection (TCP or TLS), after the framing decoder.
 * A framing error closes the connection: on a stream, once a frame boundary is lost it is lost.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);

    private final Supplier<StunIngress> ingress;
    private final ServerMetrics metrics;
    private final ClientTransport transport;
    private final Exchange exchange = new Exchange();
    /** A stream is its own 5-tuple: at most one allocation. */
    private final AllocationHome allocation = AllocationHome.single();

    StreamHandler(Supplier<StunIngress> ingress, ServerMetrics metrics, ClientTransport transport) {
        this.ingress = ingress;
        this.metrics = metrics;
        this.transport = transport;
    }

    /** Whether {@link #open} ran: from handlerAdded or from channelActive, never both. */
    private boolean opened;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        open(ctx);
        ctx.fireChannelActive();
    }

    /**
     * Added to a connection that is already open (the shared TLS port's router adds it after the
     * handshake), this handler sees no channelActive: it sets up here instead.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().remoteAddress() != null) {
            open(ctx);
        }
    }

    private void open(ChannelHandlerContext ctx) {
        if (opened) {
            return;
        }
        opened = true;
        metrics.tcpConnectionOpened();
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        exchange.reset(ctx, transport, UdpAddress.of(remote), local, allocation);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // RFC 8656 §3.1: an allocation over a stream ends with the connection.
        ingress.get().connectionClosed(exchange);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            ingress.get().onMessage(exchange, frame);
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ingress.get().flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            metrics.malformed(ParseError.FRAME_TOO_LARGE);
        } else if (cause instanceof DecoderException) {
            metrics.malformed(ParseError.UNKNOWN_FRAME);
        } else if (!(cause instanceof IOException)) {
            log.warn("closing {} after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
