package io.tern.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.tern.stun.StunReader;
import io.tern.stun.netty.StunStreamDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Transport} over a Netty channel: a connected {@code NioDatagramChannel} for UDP (behind a
 * {@link DtlsClientHandler} for DTLS), or a {@code NioSocketChannel} with a {@link
 * StunStreamDecoder} in front for TCP (behind an {@link SslHandler} for TLS). Both pipelines end in
 * the same {@link FrameHandler}, and both send a frame as a plain {@code ByteBuf}, which a
 * connected datagram channel accepts.
 *
 * <p>The UDP socket is connected, so the kernel drops datagrams from any other source and the
 * client never sees them. Reading starts only in {@link #start}, once a listener is in place.
 */
final class NettyTransport implements Transport {
    /** The largest STUN message (20-byte header, 16-bit length); any ChannelData frame is smaller. */
    static final int MAX_STREAM_FRAME = StunReader.HEADER_LENGTH + 0xFFFF;

    /** Receive buffers hold any datagram, so a large Data indication is never cut short. */
    private static final int MAX_DATAGRAM = 0xFFFF;

    private final TransportProtocol protocol;
    private final Channel channel;

    private NettyTransport(TransportProtocol protocol, Channel channel) {
        this.protocol = protocol;
        this.channel = channel;
    }

    /**
     * Binds {@code local} (null: an ephemeral port on the wildcard address) and connects it to
     * {@code server} (for UDP: fixes the peer).
     */
    static CompletableFuture<Transport> connect(
            TransportProtocol protocol,
            EventLoopGroup group,
            InetSocketAddress server,
            InetSocketAddress local,
            Duration connectTimeout,
            ClientTls tls) {
        // TLS over TCP, DTLS over UDP: the engine is made here, so a DTLS set-up error fails at once.
        javax.net.ssl.SSLEngine dtlsEngine;
        try {
            dtlsEngine = tls != null && protocol == TransportProtocol.UDP ? tls.newDtlsEngine(server.getPort()) : null;
        } catch (javax.net.ssl.SSLException e) {
            return CompletableFuture.failedFuture(e);
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (dtlsEngine != null) {
                            ch.pipeline().addLast(new DtlsClientHandler(dtlsEngine, connectTimeout));
                        } else if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), server.getPort()));
                        }
                        if (protocol == TransportProtocol.TCP) {
                            ch.pipeline().addLast(new StunStreamDecoder(MAX_STREAM_FRAME));
                        }
                        ch.pipeline().addLast(new FrameHandler(protocol.isReliable()));
                    }
                });
        switch (protocol) {
            case UDP ->
                bootstrap
                        .channel(NioDatagramChannel.class)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
            case TCP ->
                bootstrap
                        .channel(NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                                Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        }
        CompletableFuture<Transport> result = new CompletableFuture<>();
        ChannelFuture connecting = local == null ? bootstrap.connect(server) : bootstrap.connect(server, local);
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
            } else if (tls == null) {
                result.complete(new NettyTransport(protocol, f.channel()));
            } else {
                // Connected once the handshake is done: a certificate the client refuses fails
                // connect() rather than the first request. The handshake needs reads.
                f.channel().config().setAutoRead(true);
                io.netty.util.concurrent.Future<?> handshake;
                DtlsClientHandler dtls = f.channel().pipeline().get(DtlsClientHandler.class);
                if (dtls != null) {
                    handshake = dtls.handshakeFuture();
                    dtls.start();
                } else {
                    handshake = f.channel().pipeline().get(SslHandler.class).handshakeFuture();
                }
                handshake.addListener(h -> {
                    if (h.isSuccess()) {
                        f.channel().config().setAutoRead(false);
                        result.complete(new NettyTransport(protocol, f.channel()));
                    } else {
                        f.channel().close();
                        result.completeExceptionally(h.cause());
                    }
                });
            }
        });
        return result;
    }

    @Override
    public void start(Listener listener) {
        FrameHandler handler = channel.pipeline().get(FrameHandler.class);
        handler.listener = listener;
        // Registered after the listener is set; if the channel is already closed it fires at once.
        channel.closeFuture().addListener(f -> listener.onClosed(handler.failure));
        channel.config().setAutoRead(true);
    }

    @Override
    public TransportProtocol protocol() {
        return protocol;
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public ChannelFuture send(ByteBuf frame) {
        return channel.writeAndFlush(frame);
    }

    @Override
    public ChannelFuture close() {
        return channel.close();
    }

    /** The end of both pipelines: unwraps datagrams, hands frames up, releases them afterwards. */
    private static final class FrameHandler extends ChannelInboundHandlerAdapter {
        private final boolean stream;
        /** Set once by {@link #start} before reading begins, on any thread; read on the loop. */
        private volatile Listener listener;
        /** Why a stream was closed (lost framing, reset), for {@link Listener#onClosed}. */
        private volatile Throwable failure;

        FrameHandler(boolean stream) {
            this.stream = stream;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf frame = msg instanceof DatagramPacket packet ? packet.content() : (ByteBuf) msg;
                listener.onFrame(frame);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (stream) {
                // Once framing is lost (or the connection broke) the stream cannot recover.
                failure = cause;
                ctx.close();
            } else if (listener != null) {
                // An ICMP error on a connected UDP socket; the socket stays usable.
                listener.onError(cause);
            }
        }
    }
}
