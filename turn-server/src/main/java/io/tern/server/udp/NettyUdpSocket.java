package io.tern.server.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * A {@link UdpSocket} on Netty's datagram channel: the path wherever the native one is not
 * available (JDK 17-21, NIO, other systems). Netty builds a sender address per datagram received
 * and an envelope per datagram sent; otherwise it behaves as the native socket does.
 */
public final class NettyUdpSocket implements UdpSocket {
    private final Channel channel;
    private ByteBuf pending;

    NettyUdpSocket(Channel channel) {
        this.channel = channel;
    }

    /**
     * Registers and binds a channel made by {@code bootstrap} (group, channel factory and options
     * set) with {@code receiver} behind it. Call on the bootstrap's loop, where both complete at
     * once.
     */
    public static UdpSocket open(Bootstrap bootstrap, InetSocketAddress bind, UdpReceiver receiver) throws IOException {
        ChannelFuture registered = bootstrap.handler(reader(receiver)).register();
        Channel channel = registered.channel();
        ChannelFuture bound = registered.isSuccess() ? channel.bind(bind) : registered;
        if (!bound.isDone() && !channel.eventLoop().inEventLoop()) {
            bound.awaitUninterruptibly();
        }
        if (!bound.isDone() || !bound.isSuccess()) {
            channel.close();
            Throwable cause = bound.isDone() ? bound.cause() : null;
            if (cause instanceof IOException e) {
                throw e;
            }
            throw new SocketException("cannot bind " + bind + ": "
                    + (cause == null ? "the bind did not complete on the event loop" : cause.toString()));
        }
        return new NettyUdpSocket(channel);
    }

    /** The handler that feeds {@code receiver}: the channel's only one. */
    static SimpleChannelInboundHandler<DatagramPacket> reader(UdpReceiver receiver) {
        return new SimpleChannelInboundHandler<>() {
            private final UdpSource source = new UdpSource();

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                source.set(packet.sender());
                receiver.datagram(packet.content(), source);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                receiver.batchEnd();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // A send's ICMP error or failure surfaces here; the socket stays open.
                receiver.sendFailed();
            }
        };
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public int receiveBufferSize() {
        return channel.config().getOption(ChannelOption.SO_RCVBUF);
    }

    @Override
    public ByteBuf beginSend() {
        if (pending != null) {
            pending.release();
        }
        pending = channel.alloc().ioBuffer(SEND_CAPACITY, SEND_CAPACITY);
        return pending;
    }

    @Override
    public void commitSend(UdpEndpoint to) {
        ByteBuf out = pending;
        pending = null;
        channel.write(new DatagramPacket(out, to.toSocketAddress()), channel.voidPromise());
    }

    @Override
    public void send(ByteBuf data, int index, int length, UdpEndpoint to) {
        // No copy on this path: the packet carries a slice of the caller's buffer.
        channel.write(
                new DatagramPacket(data.retainedSlice(index, length), to.toSocketAddress()), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        channel.close();
    }
}
