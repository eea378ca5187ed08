package io.tern.server.udp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteOrder;

/** Makes {@link NativeUdpSocket}s: socket, options, bind, registration on the epoll loop. */
final class FfmUdp extends NativeUdp {
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /**
     * {@code -Dtern.udpOffload=false} keeps segmented sends off, to measure what they save or to
     * rule them out when chasing a problem.
     */
    private static final boolean OFFLOAD = !"false".equals(System.getProperty("tern.udpOffload"));

    @Override
    public UdpSocket open(EventLoop loop, InetSocketAddress bind, UdpOptions options, UdpReceiver receiver)
            throws IOException {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("open a native UDP socket on the loop that will own it");
        }
        if (!(loop instanceof IoEventLoop io) || !io.isCompatible(EpollIoHandle.class)) {
            throw new IllegalStateException("the native UDP path needs an epoll event loop");
        }
        DatagramArrays arrays = DatagramArrays.current();
        MemorySegment state = arrays.callState;
        InetAddress ip = bind.getAddress();
        boolean ipv6 = !(ip instanceof Inet4Address);
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) LibC.SOCKET.invokeExact(
                    state,
                    ipv6 ? LibC.AF_INET6 : LibC.AF_INET,
                    LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC,
                    0);
            if (fd < 0) {
                throw new SocketException("socket() failed: errno " + LibC.errno(state));
            }
            try {
                MemorySegment value = arena.allocate(JAVA_INT);
                if (ipv6 && ip.isAnyLocalAddress()) {
                    // A wildcard IPv6 socket takes IPv4 too, as Netty's and the JDK's do.
                    setOption(state, fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, 0, value);
                }
                if (options.reusePort()) {
                    setOption(state, fd, LibC.SOL_SOCKET, LibC.SO_REUSEPORT, 1, value);
                }
                if (options.receiveBuffer() > 0) {
                    setOption(state, fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, options.receiveBuffer(), value);
                }
                if (options.sendBuffer() > 0) {
                    setOption(state, fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, options.sendBuffer(), value);
                }
                MemorySegment name = arena.allocate(LibC.SOCKADDR_SLOT, 8);
                if ((int) LibC.BIND.invokeExact(state, fd, name, sockaddr(name, ip, bind.getPort())) != 0) {
                    int errno = LibC.errno(state);
                    throw errno == LibC.EADDRINUSE
                            ? new BindException("Address already in use: " + bind)
                            : new SocketException("bind " + bind + " failed: errno " + errno);
                }
                MemorySegment length = arena.allocate(JAVA_INT);
                length.set(JAVA_INT, 0, LibC.SOCKADDR_SLOT);
                if ((int) LibC.GETSOCKNAME.invokeExact(state, fd, name, length) != 0) {
                    throw new SocketException("getsockname failed: errno " + LibC.errno(state));
                }
                InetSocketAddress local = new InetSocketAddress(ip, Short.toUnsignedInt(name.get(PORT, 2)));
                value.set(JAVA_INT, 0, 0);
                length.set(JAVA_INT, 0, 4);
                if ((int) LibC.GETSOCKOPT.invokeExact(state, fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, value, length) != 0) {
                    throw new SocketException("getsockopt(SO_RCVBUF) failed: errno " + LibC.errno(state));
                }
                int receiveBuffer = value.get(JAVA_INT, 0);
                // A kernel before 4.18 lacks UDP_SEGMENT: every datagram then goes on its own.
                length.set(JAVA_INT, 0, 4);
                boolean segmentation = OFFLOAD
                        && (int) LibC.GETSOCKOPT.invokeExact(state, fd, LibC.SOL_UDP, LibC.UDP_SEGMENT, value, length)
                                == 0;
                NativeUdpSocket socket =
                        new NativeUdpSocket(loop, arrays, fd, ipv6, local, receiveBuffer, segmentation, receiver);
                Future<IoRegistration> registered = io.register(socket);
                if (!registered.isSuccess()) {
                    throw new SocketException("cannot register " + local + " on the event loop: " + registered.cause());
                }
                IoRegistration registration = registered.getNow();
                socket.registered(registration);
                registration.submit(EpollIoOps.EPOLLIN);
                return socket;
            } catch (IOException | RuntimeException e) {
                int ignored = (int) LibC.CLOSE.invokeExact(state, fd);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("socket downcall failed", t);
        }
    }

    private static void setOption(MemorySegment state, int fd, int level, int option, int v, MemorySegment value)
            throws Throwable {
        value.set(JAVA_INT, 0, v);
        if ((int) LibC.SETSOCKOPT.invokeExact(state, fd, level, option, value, 4) != 0) {
            throw new SocketException("setsockopt(" + level + ", " + option + ") failed: errno " + LibC.errno(state));
        }
    }

    /** Writes {@code ip:port} as a sockaddr of the socket's family and returns its length. */
    private static int sockaddr(MemorySegment name, InetAddress ip, int port) {
        byte[] b = ip.getAddress();
        name.set(PORT, 2, (short) port);
        if (b.length == 4) {
            name.set(JAVA_SHORT, 0, (short) LibC.AF_INET);
            MemorySegment.copy(b, 0, name, ValueLayout.JAVA_BYTE, 4, 4);
            name.set(JAVA_LONG, 8, 0);
            return LibC.SOCKADDR_IN;
        }
        name.set(JAVA_SHORT, 0, (short) LibC.AF_INET6);
        name.set(JAVA_INT, 4, 0);
        MemorySegment.copy(b, 0, name, ValueLayout.JAVA_BYTE, 8, 16);
        name.set(JAVA_INT, 24, 0);
        return LibC.SOCKADDR_IN6;
    }
}
