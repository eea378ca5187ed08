package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.tern.server.turn.Allocation;
import io.tern.server.turn.AllocationHome;
import io.tern.server.turn.ClientPath;
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
    private ClientTransport transport;
    private InetSocketAddress remote;
    private InetSocketAddress local;
    private AllocationHome home;
    /** The client's DTLS session; null on the other transports. */
    private ClientPath.Sealer session;

    void reset(
            ChannelHandlerContext ctx,
            ClientTransport transport,
            InetSocketAddress remote,
            InetSocketAddress local,
            AllocationHome home) {
        this.ctx = ctx;
        this.transport = transport;
        this.remote = remote;
        this.local = local;
        this.home = home;
        this.session = null;
    }

    /** For a message that arrived in a record of the client's DTLS {@code session}. */
    void resetDtls(
            ChannelHandlerContext ctx,
            InetSocketAddress remote,
            InetSocketAddress local,
            AllocationHome home,
            ClientPath.Sealer session) {
        reset(ctx, ClientTransport.DTLS, remote, local, home);
        this.session = session;
    }

    public ClientTransport transport() {
        return transport;
    }

    /** The client's address as the server sees it: what XOR-MAPPED-ADDRESS reports. */
    public InetSocketAddress remote() {
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

    /** The allocation of this message's 5-tuple, or null. */
    public Allocation allocation() {
        return home.find(remote);
    }

    /** A lasting way back to this client, for an allocation to keep. */
    public ClientPath clientPath() {
        return switch (transport) {
            case UDP -> ClientPath.datagram(ctx.channel(), remote);
            case TCP -> ClientPath.stream(ctx.channel());
            case TLS -> ClientPath.tls(ctx.channel());
            case DTLS -> ClientPath.dtls(ctx.channel(), remote, session);
        };
    }

    /**
     * The client's channel: the UDP listening socket, or the client's own stream connection (which
     * a ConnectionBind turns into a raw data connection, RFC 6062 §5.4).
     */
    public io.netty.channel.Channel channel() {
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
        return ctx.channel().eventLoop();
    }

    /** A buffer for an answer, from the channel's allocator. */
    public ByteBuf allocate(int initialCapacity) {
        return ctx.alloc().ioBuffer(initialCapacity);
    }

    /**
     * Queues an answer to the client; the transport flushes at the end of the read batch, except
     * on TLS, where each message gets a record of its own ({@link ClientPath#tls}). On DTLS the
     * session seals it into a record and datagram of its own.
     */
    public void reply(ByteBuf message) {
        switch (transport) {
            case UDP -> ctx.write(new DatagramPacket(message, remote), ctx.voidPromise());
            case TCP -> ctx.write(message, ctx.voidPromise());
            case TLS -> ctx.writeAndFlush(message, ctx.voidPromise());
            case DTLS -> session.seal(message);
        }
    }
}
