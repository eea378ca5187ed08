package io.tern.server.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig.IoTransport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.function.Function;

/**
 * The Netty transport in use: epoll where the native library loads, io_uring when asked for, NIO
 * elsewhere. epoll and io_uring are the native transports, with SO_REUSEPORT; epoll reads several
 * datagrams per recvmmsg.
 *
 * @param name for logs: "epoll", "io_uring" or "nio"
 * @param socketChannel the class of outgoing TCP connections (RFC 6062 Connect)
 * @param datagramChannel a new datagram channel for a protocol family (null: the dual-stack default)
 * @param reusePort whether several UDP sockets can share a port (SO_REUSEPORT), one per event loop
 * @param maxDatagramPayloadSize the option that splits a read buffer into one slot per datagram
 *     (epoll), or null where a read takes one datagram (NIO, io_uring)
 */
public record IoTransports(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel,
        Function<SocketProtocolFamily, DatagramChannel> datagramChannel,
        boolean reusePort,
        ChannelOption<Integer> maxDatagramPayloadSize) {

    /**
     * A datagram channel for sockets bound to {@code bindAddress}: an IPv4 socket for an IPv4
     * address, so sends to IPv4 peers need no IPv4-mapped IPv6 conversion (which Netty allocates
     * an array for on every packet); the default dual-stack socket for a wildcard or IPv6 address.
     */
    public DatagramChannel newDatagramChannel(InetAddress bindAddress) {
        return datagramChannel.apply(bindAddress instanceof Inet4Address ? SocketProtocolFamily.INET : null);
    }

    public static IoTransports select(IoTransport wanted) {
        boolean epoll = Epoll.isAvailable();
        if (wanted == IoTransport.EPOLL && !epoll) {
            throw new ConfigException(
                    "io-transport",
                    "epoll",
                    "epoll is not available here (" + Epoll.unavailabilityCause() + "); use AUTO or NIO");
        }
        if (wanted == IoTransport.IO_URING) {
            return ioUring();
        }
        if (epoll && wanted != IoTransport.NIO) {
            return new IoTransports(
                    "epoll",
                    EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class,
                    EpollSocketChannel.class,
                    family -> family == null ? new EpollDatagramChannel() : new EpollDatagramChannel(family),
                    true,
                    EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE);
        }
        return new IoTransports(
                "nio",
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                family -> family == null ? new NioDatagramChannel() : new NioDatagramChannel(family),
                false,
                null);
    }

    private static IoTransports ioUring() {
        // Loading IoUring's class loads the native library and probes the kernel (io_uring_setup):
        // a kernel without io_uring, or with it disabled (kernel.io_uring_disabled, seccomp in a
        // container), lands here.
        if (!IoUring.isAvailable()) {
            throw new ConfigException(
                    "io-transport",
                    "io_uring",
                    "io_uring is not available here (" + IoUring.unavailabilityCause() + "); use AUTO, EPOLL or NIO");
        }
        return new IoTransports(
                "io_uring",
                IoUringIoHandler.newFactory(),
                IoUringServerSocketChannel.class,
                IoUringSocketChannel.class,
                family -> family == null ? new IoUringDatagramChannel() : new IoUringDatagramChannel(family),
                true,
                // One recvmsg per read, repeated while the kernel flags more data queued: with the
                // option set, Netty links 16 recvmsg per read and at 10-20k messages/s most of them
                // end in EAGAIN, which cost 1.6x epoll's CPU per message (docs/benchmarks.md).
                null);
    }
}
