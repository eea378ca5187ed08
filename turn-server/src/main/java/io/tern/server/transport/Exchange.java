package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.tern.server.turn.Allocation;
import io.tern.server.turn.AllocationHome;
import io.tern.server.turn.ClientPath;
import io.tern.server.udp.UdpAddress;
import io.tern.server.udp.UdpEndpoint;
import io.tern.server.udp.UdpSocket;
import io.tern.server.udp.UdpSource;
import java.net.InetSocketAddress;

/**
 * One inbound message's context: where it came from, where it arrived, the way back, and where
 * the allocation of its 5-tuple lives. Method handlers answer through it without knowing whether
 * the client is on UDP or a stream.
 *
 * <p>Mutable and reused: each channel handler owns one and resets it per message, so handling a
 * request allocates no context object. Only valid during the call that received it.
 */
public final class Exchange {
    private ChannelHandlerContext ctx;
    private UdpSocket udp;
    private UdpSource source;
    private EventLoop eventLoop;
    private ClientTransport transport;
    private InetSocketAddress remote;
    /** The client's address as numbers: the datagram's source on UDP, fixed per connection or session otherwise. */
    private UdpEndpoint key;

    private InetSocketAddress local;
    private AllocationHome home;
    /** The client's DTLS session; null on the other transports. */
    private ClientPath.Sealer session;

    /** For a message on a stream connection (TCP or TLS) from {@code client}. */
    void reset(
            ChannelHandlerContext ctx,
            ClientTransport transport,
            UdpAddress client,
            InetSocketAddress local,
            AllocationHome home) {
        this.ctx = ctx;
        this.udp = null;
        this.source = null;
        this.eventLoop = ctx.channel().eventLoop();
        this.transport = transport;
        this.remote = client.toSocketAddress();
        this.key = client;
        this.local = local;
        this.home = home;
        this.session = null;
    }

    /**
     * For a datagram on a UDP listening socket. {@code source} is overwritten by the next datagram;
     * the JDK form of the address is made only if a handler asks for it ({@link #remote()}).
     */
    void resetUdp(UdpSocket socket, UdpSource source, InetSocketAddress local, AllocationHome home) {
        this.ctx = null;
        this.udp = socket;
        this.source = source;
        this.eventLoop = socket.eventLoop();
        this.transport = ClientTransport.UDP;
        this.remote = null;
        this.key = source;
        this.local = local;
        this.home = home;
        this.session = null;
    }

    /** For a message that arrived in a record of the client's DTLS {@code session}. */
    void resetDtls(
            ChannelHandlerContext ctx,
            UdpAddress client,
            InetSocketAddress local,
            AllocationHome home,
            ClientPath.Sealer session) {
        reset(ctx, ClientTransport.DTLS, client, local, home);
        this.session = session;
    }

    public ClientTransport transport() {
        return transport;
    }

    /** The client's address as the server sees it: what XOR-MAPPED-ADDRESS reports. */
    public InetSocketAddress remote() {
        if (remote == null) {
            remote = source.toSocketAddress();
        }
        return remote;
    }

    /** The server address the message arrived on. */
    public InetSocketAddress local() {
        return local;
    }

    /** Where the allocation of this message's 5-tuple lives, if it has one. */
    public AllocationHome home() {
        return home;
    }

    /** The allocation of this message's 5-tuple, or null. Allocates nothing. */
    public Allocation allocation() {
        return home.find(key);
    }

    /** A lasting way back to this client, for an allocation to keep. */
    public ClientPath clientPath() {
        UdpAddress client = key instanceof UdpAddress a ? a : UdpAddress.of(source);
        return switch (transport) {
            case UDP -> ClientPath.datagram(udp, client);
            case TCP -> ClientPath.stream(ctx.channel(), client);
            case TLS -> ClientPath.tls(ctx.channel(), client);
            case DTLS -> ClientPath.dtls(ctx.channel(), client, session);
        };
    }

    /**
     * The client's own stream connection, which a ConnectionBind turns into a raw data connection
     * (RFC 6062 §5.4). Streams only: a UDP client has no channel of its own.
     */
    public io.netty.channel.Channel channel() {
        if (ctx == null) {
            throw new IllegalStateException("a UDP client has no channel of its own");
        }
        return ctx.channel();
    }

    /**
     * RFC 6062 §5.4: after a successful ConnectionBind the stream carries raw application data. The
     * STUN framing and this handler come off the pipeline and {@code pipe} takes every byte from
     * here on, including any the framing decoder still held. Streams only; call it after writing
     * the ConnectionBind answer, during the read that carried the request.
     */
    public void handOver(io.netty.channel.ChannelHandler pipe) {
        io.netty.channel.ChannelPipeline p = ctx.pipeline();
        p.addLast(pipe);
        p.remove(ctx.handler());
        if (p.get(io.netty.handler.timeout.IdleStateHandler.class) != null) {
            p.remove(io.netty.handler.timeout.IdleStateHandler.class);
        }
        if (p.get(io.tern.stun.netty.StunStreamDecoder.class) != null) {
            p.remove(io.tern.stun.netty.StunStreamDecoder.class);
        }
    }

    /** The event loop that owns this client's socket, and so its allocation. */
    public EventLoop eventLoop() {
        return eventLoop;
    }

    /** A buffer for an answer, from the pooled allocator every socket of Tern's uses. */
    public ByteBuf allocate(int initialCapacity) {
        return ctx != null
                ? ctx.alloc().ioBuffer(initialCapacity)
                : PooledByteBufAllocator.DEFAULT.ioBuffer(initialCapacity);
    }

    /**
     * Queues an answer to the client (taking ownership of {@code message}); the transport flushes
     * at the end of the read batch, except on TLS, where each message gets a record of its own
     * ({@link ClientPath#tls}). On DTLS the session seals it into a record and datagram of its own.
     */
    public void reply(ByteBuf message) {
        switch (transport) {
            case UDP -> {
                try {
                    udp.send(message, message.readerIndex(), message.readableBytes(), source);
                } finally {
                    message.release();
                }
            }
            case TCP -> ctx.write(message, ctx.voidPromise());
            case TLS -> ctx.writeAndFlush(message, ctx.voidPromise());
            case DTLS -> session.seal(message);
        }
    }
}
