package io.tern.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.tern.server.config.ConfigException;
import io.tern.server.config.TlsConfig;
import io.tern.server.dtls.DtlsSessions;
import io.tern.server.dtls.ServerDtls;
import io.tern.server.http.WebRoutes;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.tls.ServerTls;
import io.tern.server.tls.TlsFailures;
import io.tern.server.udp.UdpOptions;
import io.tern.server.udp.UdpSocket;
import io.tern.stun.netty.StunStreamDecoder;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the client-facing sockets. On epoll, UDP gets one socket per event loop on the same port
 * (SO_REUSEPORT): the kernel hashes each client's 5-tuple to one socket, so a client's messages
 * are always handled by the same thread and its allocation needs no lock.
 */
public final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    /** Largest datagram Tern takes: {@link UdpSocket#MAX_DATAGRAM}, for Netty's read slots too. */
    public static final int MAX_DATAGRAM = UdpSocket.MAX_DATAGRAM;

    private static final int READ_SLOT = MAX_DATAGRAM + 1;

    /** Datagrams per recvmmsg call. */
    static final int DATAGRAMS_PER_READ = 16;

    /**
     * Socket buffers of a UDP or DTLS listener: every client of a loop shares one socket, and with
     * 1 MiB a burst of new allocations from one client stalled the loop long enough for the kernel
     * to drop other clients' datagrams (load-test/hold-allocations.sh: 4,810-19,770 drops over
     * 16,384 relaying allocations; 0 with 4 MiB).
     */
    static final int LISTENER_BUFFER = 4 << 20;

    /** Largest STUN message or padded ChannelData frame on a stream. */
    static final int MAX_STREAM_FRAME = 4 + 0xFFFF + 3;

    private final EventLoopGroup group;
    private final IoTransports io;
    private final Supplier<StunIngress> ingress;
    private final ServerMetrics metrics;
    private final int tcpIdleSeconds;
    private final List<UdpSocket> udp = new ArrayList<>();
    private final List<Channel> tcp = new ArrayList<>();
    private final List<Channel> tls = new ArrayList<>();
    private final List<Channel> dtls = new ArrayList<>();
    /** Accepted TCP and TLS connections, to close before the event loops stop. */
    private final OpenConnections connections = new OpenConnections("client connections");

    private boolean bufferChecked;

    public Listeners(
            EventLoopGroup group,
            IoTransports io,
            Supplier<StunIngress> ingress,
            ServerMetrics metrics,
            int tcpIdleSeconds) {
        this.group = group;
        this.io = io;
        this.ingress = ingress;
        this.metrics = metrics;
        this.tcpIdleSeconds = tcpIdleSeconds;
    }

    /** The dual-stack wildcard {@code ::}, or {@code 0.0.0.0} where the host has no IPv6. */
    public static InetAddress wildcard() {
        try {
            InetAddress any6 = InetAddress.getByName("::");
            try (java.net.DatagramSocket probe = new java.net.DatagramSocket(new InetSocketAddress(any6, 0))) {
                return any6;
            } catch (java.net.SocketException noIpv6) {
                return InetAddress.getByName("0.0.0.0");
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("literal addresses always resolve", e);
        }
    }

    /**
     * Binds {@code sockets} UDP sockets to one address (one when the transport cannot share a
     * port); returns the port they got.
     */
    public int bindUdp(InetSocketAddress address, int sockets) throws InterruptedException {
        UdpOptions options = new UdpOptions(LISTENER_BUFFER, LISTENER_BUFFER, io.reusePort());
        int count = io.reusePort() ? sockets : 1;
        InetSocketAddress target = address;
        for (int i = 0; i < count; i++) {
            EventLoop loop = group.next();
            InetSocketAddress at = target;
            DatagramHandler handler = new DatagramHandler(ingress, metrics);
            // Opened on its loop, and attached there before the loop can deliver a datagram.
            Future<UdpSocket> opened = loop.submit(() -> {
                UdpSocket socket = io.openUdp(loop, at, options, handler);
                handler.attach(socket);
                return socket;
            });
            UdpSocket socket;
            try {
                socket = opened.sync().getNow();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw explain(e, "UDP", "listening-port", at);
            }
            udp.add(socket);
            checkBuffer(socket.receiveBufferSize());
            target = socket.localAddress();
        }
        return target.getPort();
    }

    /**
     * Binds {@code sockets} datagram listeners to one address sharing the port (SO_REUSEPORT; one
     * when the transport cannot share a port), each with a fresh {@code handler} on its own loop,
     * with listener-sized buffers. Returns the port they got.
     */
    private int bindDatagram(
            InetSocketAddress address,
            int sockets,
            Supplier<ChannelHandler> handler,
            String protocol,
            String portOption,
            List<Channel> bound)
            throws InterruptedException {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channelFactory(() -> io.newDatagramChannel(address.getAddress()))
                .option(ChannelOption.SO_RCVBUF, LISTENER_BUFFER)
                .option(ChannelOption.SO_SNDBUF, LISTENER_BUFFER)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler.get());
                    }
                });
        datagramOptions(b, io);
        int count = io.reusePort() ? sockets : 1;
        if (io.reusePort()) {
            b.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        InetSocketAddress target = address;
        for (int i = 0; i < count; i++) {
            Channel ch = bindOrExplain(b.bind(target), protocol, portOption, target);
            bound.add(ch);
            checkBuffer(ch.config().getOption(ChannelOption.SO_RCVBUF));
            target = (InetSocketAddress) ch.localAddress();
        }
        return target.getPort();
    }

    /**
     * Read options for every UDP socket (listeners and relays): on epoll, recvmmsg fills up to
     * {@link #DATAGRAMS_PER_READ} slots of {@link #MAX_DATAGRAM} bytes per syscall; UDP_GRO stays
     * off because Netty 4.2.18 merges or truncates datagrams with it on this path.
     */
    public static Bootstrap datagramOptions(Bootstrap b, IoTransports io) {
        // The pooled allocator recycles buffers, slices and their wrappers per thread; Netty 4.2's
        // default adaptive allocator fell back to unpooled direct buffers on the relay path.
        b.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        if (io.reusePort()) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, READ_SLOT)
                    .option(
                            ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(READ_SLOT * DATAGRAMS_PER_READ));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_SLOT));
        }
        return b;
    }

    public void bindTcp(InetSocketAddress address) throws InterruptedException {
        ServerBootstrap b = streamBootstrap().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                connections.add(ch);
                ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, tcpIdleSeconds, TimeUnit.SECONDS))
                        .addLast(new StunStreamDecoder(MAX_STREAM_FRAME))
                        .addLast(new StreamHandler(ingress, metrics, ClientTransport.TCP));
            }
        });
        tcp.add(bindOrExplain(b.bind(address), "TCP", "listening-port", address));
    }

    /**
     * Binds a TLS listener: the TCP pipeline behind an {@code SslHandler}, with a handshake timeout,
     * and {@link TlsFailures} closing connections whose handshake fails (or that do not speak TLS).
     */
    public void bindTls(InetSocketAddress address, ServerTls serverTls) throws InterruptedException {
        bindTls(address, serverTls, null);
    }

    /**
     * As {@link #bindTls(InetSocketAddress, ServerTls)}; with {@code web} (non-null), the port also
     * serves the web routes it supplies, told apart from TURN by {@link TlsPortRouter}.
     */
    public void bindTls(InetSocketAddress address, ServerTls serverTls, Supplier<WebRoutes> web)
            throws InterruptedException {
        ServerBootstrap b = streamBootstrap().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                connections.add(ch);
                ChannelPipeline p = ch.pipeline();
                p.addLast(serverTls.newHandler(ch)).addLast(TlsFailures.INSTANCE);
                Runnable turn = () -> p.addLast(new IdleStateHandler(0, 0, tcpIdleSeconds, TimeUnit.SECONDS))
                        .addLast(new StunStreamDecoder(MAX_STREAM_FRAME))
                        .addLast(new StreamHandler(ingress, metrics, ClientTransport.TLS));
                if (web == null) {
                    turn.run();
                } else {
                    p.addLast(new TlsPortRouter(turn, web));
                }
            }
        });
        tls.add(bindOrExplain(b.bind(address), "TLS", "tls-listening-port", address));
    }

    /**
     * Binds DTLS on UDP like {@link #bindUdp}: {@code sockets} sockets on one address sharing the
     * port (SO_REUSEPORT), each with its own table of sessions on its own loop. Returns the port.
     */
    public int bindDtls(InetSocketAddress address, ServerDtls serverDtls, int sockets) throws InterruptedException {
        return bindDatagram(
                address,
                sockets,
                () -> new DtlsSessions(
                        serverDtls,
                        new DtlsIngress(ingress),
                        metrics,
                        MAX_DATAGRAM,
                        tcpIdleSeconds,
                        TlsConfig.DTLS_HANDSHAKE_TIMEOUT_SECONDS),
                "DTLS (UDP)",
                "tls-listening-port",
                dtls);
    }

    /**
     * Says once when the kernel granted a listening socket less receive buffer than asked for:
     * Linux caps {@code SO_RCVBUF} at {@code net.core.rmem_max} (208 KiB on many distributions),
     * and a small buffer drops datagrams in the kernel, where Tern cannot count them, whenever the
     * loop falls behind for a moment.
     */
    private void checkBuffer(int granted) {
        if (bufferChecked) {
            return;
        }
        bufferChecked = true;
        // Linux reports twice what it grants (the doubled value covers its bookkeeping).
        if (granted < LISTENER_BUFFER) {
            log.warn(
                    "the kernel gave UDP listening sockets {} KiB of receive buffer, not {} KiB: bursts will be dropped"
                            + " in the kernel; raise it with sysctl -w net.core.rmem_max={} net.core.wmem_max={}",
                    granted / 2 / 1024,
                    LISTENER_BUFFER / 1024,
                    LISTENER_BUFFER,
                    LISTENER_BUFFER);
        }
    }

    private ServerBootstrap streamBootstrap() {
        return new ServerBootstrap()
                .group(group)
                .channel(io.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    }

    private static Channel bindOrExplain(
            ChannelFuture future, String protocol, String portOption, InetSocketAddress address)
            throws InterruptedException {
        future.await();
        if (future.isSuccess()) {
            return future.channel();
        }
        throw explain(future.cause(), protocol, portOption, address);
    }

    /** The {@link ConfigException} for a listening socket that could not be bound. */
    private static ConfigException explain(
            Throwable cause, String protocol, String portOption, InetSocketAddress address) {
        String where = protocol + " " + address.getAddress().getHostAddress() + ":" + address.getPort();
        if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("in use")) {
            return new ConfigException(
                    portOption,
                    String.valueOf(address.getPort()),
                    where + " is not available (" + cause.getMessage()
                            + "); stop the program using it or choose another --" + portOption
                            + " / --listening-ip");
        }
        return new ConfigException("listening-ip", where, "cannot listen there: " + cause.getMessage());
    }

    /**
     * Binds UDP sockets on every address, all or none: on failure the sockets this call opened are
     * closed before the {@link ConfigException} goes on. For RFC 5780's four addresses, which must
     * share two port numbers.
     */
    public void bindUdpAll(List<InetSocketAddress> addresses, int sockets) throws InterruptedException {
        int mark = udp.size();
        try {
            for (InetSocketAddress address : addresses) {
                bindUdp(address, sockets);
            }
        } catch (ConfigException e) {
            closeUdpFrom(mark);
            throw e;
        }
    }

    /** Closes the UDP sockets bound since {@code mark} (a count of {@link #udpSockets()}). */
    public void closeUdpFrom(int mark) {
        List<UdpSocket> opened = udp.subList(mark, udp.size());
        closeOnTheirLoops(opened);
        opened.clear();
    }

    /** Closes UDP sockets, each on its own loop, and waits for that. */
    private static void closeOnTheirLoops(List<UdpSocket> sockets) {
        List<Future<?>> closed = new ArrayList<>();
        for (UdpSocket socket : sockets) {
            if (!socket.eventLoop().isShuttingDown()) {
                closed.add(socket.eventLoop().submit(socket::close));
            }
        }
        closed.forEach(f -> f.awaitUninterruptibly(2, TimeUnit.SECONDS));
    }

    /**
     * Whether no socket holds a UDP address, checked by binding it without SO_REUSEPORT (a bind with
     * it would share the port with another process's SO_REUSEPORT socket of the same user).
     */
    public static boolean isUdpFree(InetSocketAddress address) {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(address)) {
            return true;
        } catch (java.net.SocketException taken) {
            return false;
        }
    }

    /** Every bound UDP listening socket (several per address on epoll: one per event loop). */
    public List<UdpSocket> udpSockets() {
        return List.copyOf(udp);
    }

    public List<InetSocketAddress> udpAddresses() {
        return udp.stream().map(UdpSocket::localAddress).distinct().collect(Collectors.toList());
    }

    public List<InetSocketAddress> tcpAddresses() {
        return tcp.stream().map(ch -> (InetSocketAddress) ch.localAddress()).collect(Collectors.toList());
    }

    public List<InetSocketAddress> tlsAddresses() {
        return tls.stream().map(ch -> (InetSocketAddress) ch.localAddress()).collect(Collectors.toList());
    }

    /** The bound DTLS addresses, one per listening IP. */
    public List<InetSocketAddress> dtlsAddresses() {
        return dtls.stream()
                .map(ch -> (InetSocketAddress) ch.localAddress())
                .distinct()
                .collect(Collectors.toList());
    }

    public String describe() {
        List<String> parts = new ArrayList<>();
        udpAddresses().forEach(a -> parts.add("udp " + NetUtil.toSocketAddressString(a)));
        tcpAddresses().forEach(a -> parts.add("tcp " + NetUtil.toSocketAddressString(a)));
        tlsAddresses().forEach(a -> parts.add("tls " + NetUtil.toSocketAddressString(a)));
        dtlsAddresses().forEach(a -> parts.add("dtls " + NetUtil.toSocketAddressString(a)));
        return String.join(", ", parts);
    }

    /**
     * Closes the listening sockets and every accepted connection, waiting until the event loops
     * have run what the closes queued ({@link OpenConnections}).
     */
    public void close() {
        closeOnTheirLoops(udp);
        List<Channel> all = new ArrayList<>(tcp);
        all.addAll(tls);
        all.addAll(dtls);
        all.forEach(Channel::close);
        all.forEach(ch -> ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS));
        connections.closeAll(group);
    }
}
