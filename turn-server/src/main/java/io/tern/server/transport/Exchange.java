package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * One inbound message's context: where it came from, where it arrived, and the way back. Method
 * handlers answer through it without knowing whether the client is on UDP or a stream.
 *
 * <p>Mutable and reused: each channel handler owns one and resets it per message, so handling a
 * request allocates no context object. Only valid during the call that received it.
 */
public final class Exchange {
    private ChannelHandlerContext ctx;
    private ClientTransport transport;
    private InetSocketAddress remote;
    private InetSocketAddress local;

    void reset(
            ChannelHandlerContext ctx, ClientTransport transport, InetSocketAddress remote, InetSocketAddress local) {
        this.ctx = ctx;
        this.transport = transport;
        this.remote = remote;
        this.local = local;
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

    /** A buffer for an answer, from the channel's allocator. */
    public ByteBuf allocate(int initialCapacity) {
        return ctx.alloc().ioBuffer(initialCapacity);
    }

    /** Queues an answer to the client; the transport flushes at the end of the read batch. */
    public void reply(ByteBuf message) {
        if (transport.isDatagram()) {
            ctx.write(new DatagramPacket(message, remote, local), ctx.voidPromise());
        } else {
            ctx.write(message, ctx.voidPromise());
        }
    }
}
