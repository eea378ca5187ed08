package io.tern.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
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
import io.netty.channel.unix.UnixChannelOption;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig.IoTransport;
import io.tern.server.udp.NativeUdp;
import io.tern.server.udp.NettyUdpSocket;
import io.tern.server.udp.UdpOptions;
import io.tern.server.udp.UdpReceiver;
import io.tern.server.udp.UdpSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The I/O in use: Netty's epoll where the native library loads (SO_REUSEPORT, recvmmsg), NIO
 * elsewhere; on epoll with Java 22+, UDP sockets on Tern's own datagram path ({@link NativeUdp}).
 *
 * @param name for logs: "epoll", "epoll with native datagrams" or "nio"
 * @param reusePort whether several UDP sockets can share a port, one per event loop (epoll)
 * @param nativeUdp Tern's own datagram path, or null for Netty's datagram channels
 */
public record IoTransports(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannel,
        boolean reusePort,
        NativeUdp nativeUdp) {

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

    /**
     * A UDP socket bound to {@code bind} on {@code loop}, delivering to {@code receiver}: on Tern's
     * own datagram path when it is in use, else a Netty datagram channel with Tern's read options
     * ({@link Listeners#datagramOptions}). Call on {@code loop}: the socket is open when this
     * returns, and no datagram reaches {@code receiver} before the task that called this ends.
     */
    public UdpSocket openUdp(EventLoop loop, InetSocketAddress bind, UdpOptions options, UdpReceiver receiver)
            throws IOException {
        if (nativeUdp != null) {
            return nativeUdp.open(loop, bind, options, receiver);
        }
        Bootstrap b = Listeners.datagramOptions(
                new Bootstrap().group(loop).channelFactory(() -> newDatagramChannel(bind.getAddress())), this);
        if (options.receiveBuffer() > 0) {
            b.option(ChannelOption.SO_RCVBUF, options.receiveBuffer());
        }
        if (options.sendBuffer() > 0) {
            b.option(ChannelOption.SO_SNDBUF, options.sendBuffer());
        }
        if (options.reusePort() && reusePort) {
            b.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        return NettyUdpSocket.open(b, bind, receiver);
    }

    public static IoTransports select(IoTransport wanted) {
        boolean epoll = Epoll.isAvailable();
        if ((wanted == IoTransport.EPOLL || wanted == IoTransport.NATIVE) && !epoll) {
            throw new ConfigException(
                    "io-transport",
                    wanted.name().toLowerCase(java.util.Locale.ROOT),
                    "epoll is not available here (" + Epoll.unavailabilityCause() + "); use AUTO or NIO");
        }
        if (wanted == IoTransport.NATIVE && NativeUdp.unavailability() != null) {
            throw new ConfigException(
                    "io-transport",
                    "native",
                    "Tern's own datagram path cannot run here: " + NativeUdp.unavailability() + "; use AUTO or EPOLL");
        }
        if (epoll && (wanted == IoTransport.AUTO || wanted == IoTransport.NATIVE)) {
            NativeUdp nativeUdp = NativeUdp.load();
            if (nativeUdp != null) {
                return new IoTransports(
                        "epoll with native datagrams",
                        EpollIoHandler.newFactory(),
                        EpollServerSocketChannel.class,
                        true,
                        nativeUdp);
            }
        }
        if (epoll && wanted != IoTransport.NIO) {
            return new IoTransports("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, true, null);
        }
        return new IoTransports("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, false, null);
    }
}
