package io.tern.server.turn;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.udp.UdpAddress;
import io.tern.stun.StunClass;
import io.tern.stun.StunMethod;
import io.tern.stun.attr.AttributeType;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The relayed side of a TCP allocation (RFC 6062): a listening socket on the relayed transport
 * address, and the peer connections made through it, both ways:
 *
 * <pre>
 *  client ──Connect(peer)──────► server connects from the relayed address ──► Connect success (CONNECTION-ID)
 *  peer ──connects to the relayed address──► permission? ──► ConnectionAttempt (CONNECTION-ID, XOR-PEER-ADDRESS) ──► client
 *  client ──new connection: ConnectionBind(CONNECTION-ID)──► success, then raw bytes both ways ({@link TcpPipe})
 * </pre>
 *
 * The listener, outgoing connections and accepted peer connections all live on the allocation's
 * event loop; so does everything here but the shared registry of connections awaiting their
 * ConnectionBind ({@link TurnServices#pendingTcp}).
 */
final class TcpRelay {
    /** RFC 6062 §5.2: how long a Connect may take before 447. */
    static final int CONNECT_TIMEOUT_MILLIS = 30_000;

    /** RFC 6062 §5.2 and §5.3: a peer connection without a ConnectionBind is closed after 30 s. */
    static final long BIND_TIMEOUT_SECONDS = 30;

    /**
     * Peer connections accepted on the relayed address and not yet bound, per allocation; beyond
     * it a new one is closed at once. Without a cap, anyone with a permitted IP could make the
     * server hold sockets (and kernel buffers) for 30 s each, as fast as it can connect; a real
     * client binds each one within a round trip of its ConnectionAttempt.
     */
    static final int MAX_PENDING_PEER_CONNECTIONS = 32;

    private final RelayLoop loop;
    private final EventLoop eventLoop;
    private final InetSocketAddress bindAddress;
    private final Map<Integer, TcpConnection> connections = new HashMap<>();
    /** Accepted peer connections still waiting for their ConnectionBind; claimed on any loop. */
    private final AtomicInteger pendingAccepted = new AtomicInteger();

    private Channel listener;
    private volatile Allocation allocation;

    private TcpRelay(RelayLoop loop, EventLoop eventLoop, InetSocketAddress bindAddress) {
        this.loop = loop;
        this.eventLoop = eventLoop;
        this.bindAddress = bindAddress;
    }

    /**
     * Listens on the relayed transport address, on the client's event loop; null when the port
     * cannot be bound. Registering and binding from inside the loop complete at once.
     */
    static TcpRelay listen(RelayLoop loop, EventLoop eventLoop, InetSocketAddress bindAddress) {
        TcpRelay relay = new TcpRelay(loop, eventLoop, bindAddress);
        ServerBootstrap b = new ServerBootstrap()
                .group(eventLoop, eventLoop)
                .channel(loop.services().io().serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, TcpPipe.READS)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        relay.accepted(ch);
                    }
                });
        ChannelFuture registered = b.register();
        Channel ch = registered.channel();
        ChannelFuture bound = registered.isSuccess() ? ch.bind(bindAddress) : registered;
        if (!bound.isDone() || !bound.isSuccess()) {
            ch.close();
            return null;
        }
        relay.listener = ch;
        return relay;
    }

    Channel listener() {
        return listener;
    }

    void attach(Allocation owner) {
        this.allocation = owner;
    }

    /** Whether the allocation belongs to this user (read from any loop: the name never changes). */
    boolean ownedBy(String username) {
        Allocation a = allocation;
        return a != null && a.username().equals(username);
    }

    /** Whether a peer connection to this address exists (RFC 6062 §5.2: a second Connect is 446). */
    boolean connectedTo(InetSocketAddress peer) {
        for (TcpConnection c : connections.values()) {
            if (c.isOpen() && c.peerAddress().equals(peer)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Connects to a peer from the relayed address (RFC 6062 §5.2); {@code done} gets the new
     * connection, or null when the connection failed or timed out. Runs on the allocation's loop.
     */
    void connect(InetSocketAddress peer, Consumer<TcpConnection> done) {
        boolean epoll = loop.services().io().reusePort();
        // From the relay IP, on a port of the kernel's choosing: the relayed port has a listening
        // socket, and Netty's epoll sockets cannot set SO_REUSEPORT to share it.
        Bootstrap b = new Bootstrap()
                .group(eventLoop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, TcpPipe.READS)
                .handler(new ChannelInboundHandlerAdapter());
        b.connect(peer, new InetSocketAddress(bindAddress.getAddress(), 0)).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                done.accept(null);
            } else if (allocation == null || allocation.isClosed()) {
                f.channel().close();
                done.accept(null);
            } else {
                done.accept(register(f.channel(), peer, false));
            }
        });
    }

    /**
     * A peer connected to the relayed address (RFC 6062 §5.3): kept if the allocation has a
     * permission for its IP and fewer than {@link #MAX_PENDING_PEER_CONNECTIONS} accepted peer
     * connections wait for their ConnectionBind, and announced to the client with a
     * ConnectionAttempt indication.
     */
    private void accepted(SocketChannel peer) {
        InetSocketAddress from = peer.remoteAddress();
        Allocation a = allocation;
        if (a == null || a.isClosed() || !a.permits(UdpAddress.of(from), loop.now())) {
            loop.metrics().relayDropped(RelayDrop.NO_PERMISSION);
            peer.close();
            return;
        }
        // Only this loop adds to the count, so checking first cannot let two past the cap.
        if (pendingAccepted.get() >= MAX_PENDING_PEER_CONNECTIONS) {
            loop.metrics().relayDropped(RelayDrop.PENDING_LIMIT);
            peer.close();
            return;
        }
        pendingAccepted.incrementAndGet();
        TcpConnection c = register(peer, from, true);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ClientPath client = a.client();
        ByteBuf out = client.buffer(64);
        loop.writer()
                .begin(
                        out,
                        StunClass.INDICATION.messageType(StunMethod.CONNECTION_ATTEMPT),
                        random.nextLong(),
                        random.nextInt())
                .u32(AttributeType.CONNECTION_ID, c.id())
                .address(AttributeType.XOR_PEER_ADDRESS, from)
                .fingerprint()
                .finish();
        client.write(out);
        client.flush();
    }

    /**
     * Names a new peer connection ({@code accepted} on the relayed address, or made by Connect)
     * and waits for its ConnectionBind.
     */
    private TcpConnection register(Channel peer, InetSocketAddress peerAddress, boolean accepted) {
        var pending = loop.services().pendingTcp();
        TcpConnection c;
        do {
            c = new TcpConnection(ThreadLocalRandom.current().nextInt(), this, peer, peerAddress, accepted);
        } while (pending.putIfAbsent(c.id(), c) != null);
        TcpConnection connection = c;
        connections.put(c.id(), c);
        peer.closeFuture().addListener(f -> {
            connections.remove(connection.id(), connection);
            claim(connection);
        });
        eventLoop.schedule(
                () -> {
                    if (claim(connection)) {
                        connection.close();
                    }
                },
                loop.services().tcpBindTimeoutMillis(),
                TimeUnit.MILLISECONDS);
        return c;
    }

    /**
     * Takes a peer connection out of the ones waiting for a ConnectionBind: true for the one
     * caller (a ConnectionBind, the bind timeout, its close, the allocation's end) that got it.
     * Any loop may call this.
     */
    boolean claim(TcpConnection c) {
        if (!loop.services().pendingTcp().remove(c.id(), c)) {
            return false;
        }
        if (c.accepted()) {
            pendingAccepted.decrementAndGet();
        }
        return true;
    }

    /** Ends the listener and every peer and data connection (the allocation ended). */
    void close() {
        if (listener != null) {
            listener.close();
        }
        for (TcpConnection c : connections.values().toArray(new TcpConnection[0])) {
            claim(c);
            c.close();
        }
        connections.clear();
    }
}
