package io.tern.server.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig.IoTransport;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The Netty transport in use: epoll where the native library loads (SO_REUSEPORT, recvmmsg),
 * NIO elsewhere.
 *
 * @param name for logs: "epoll" or "nio"
 * @param reusePort whether several UDP sockets can share a port, one per event loop (epoll)
 */
public record IoTransports(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannel,
        boolean reusePort) {

    /**
     * A datagram channel for sockets bound to {@code bindAddress}: an IPv4 socket for an IPv4
     * address, so sends to IPv4 peers need no IPv4-mapped IPv6 conversion (which Netty allocates
     * an array for on every packet); the default dual-stack socket for a wildcard or IPv6 address.
     */
    public DatagramChannel newDatagramChannel(InetAddress bindAddress) {
        boolean ipv4 = bindAddress instanceof Inet4Address;
        if (reusePort) {
            return ipv4 ? new EpollDatagramChannel(SocketProtocolFamily.INET) : new EpollDatagramChannel();
        }
        return ipv4 ? new NioDatagramChannel(SocketProtocolFamily.INET) : new NioDatagramChannel();
    }

    public static IoTransports select(IoTransport wanted) {
        boolean epoll = Epoll.isAvailable();
        if (wanted == IoTransport.EPOLL && !epoll) {
            throw new ConfigException(
                    "io-transport",
                    "epoll",
                    "epoll is not available here (" + Epoll.unavailabilityCause() + "); use AUTO or NIO");
        }
        if (epoll && wanted != IoTransport.NIO) {
            return new IoTransports("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, true);
        }
        return new IoTransports("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, false);
    }
}
