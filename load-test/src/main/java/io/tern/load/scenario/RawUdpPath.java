package io.tern.load.scenario;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.load.Target;
import io.tern.stun.channel.ChannelData;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The lean data path of the relay scenario over UDP. turn-client sets up each allocation (Allocate,
 * ChannelBind); then its socket is closed and an epoll socket is bound to the same local address
 * and connected to the server, so the server sees the same 5-tuple. ChannelData is written to it
 * in one buffer per message without a future, and flushed once per pacer tick, which Netty sends
 * with sendmmsg. At the end a new turn-client on the same address deletes the allocation.
 *
 * <p>Nothing refreshes allocations or permissions on this path, so a run must end before the
 * permissions do (5 minutes); {@link #MAX_RUN_SECONDS} keeps a margin.
 */
final class RawUdpPath implements AutoCloseable {
    static final long MAX_RUN_SECONDS = 240;

    private final EventLoopGroup[] loops;

    RawUdpPath(int threads) {
        loops = new EventLoopGroup[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory("tern-load-raw-" + i, true), EpollIoHandler.newFactory());
        }
    }

    static boolean available() {
        return Epoll.isAvailable();
    }

    EventLoopGroup loop(int index) {
        return loops[Math.floorMod(index, loops.length)];
    }

    int size() {
        return loops.length;
    }

    /**
     * Moves the endpoint's data from its client's socket to a raw socket on the same address.
     * {@code clientLoop} is the closed client's event loop: the JDK releases a closed NIO socket's
     * port only when that loop's selector runs again, so an idle loop is woken.
     */
    void attach(int index, Endpoint endpoint, InetSocketAddress server, EventLoopGroup clientLoop)
            throws InterruptedException {
        InetSocketAddress local = local(endpoint.client, server);
        endpoint.client.close();
        endpoint.client = null;
        Bootstrap bootstrap = new Bootstrap()
                .group(loop(index))
                .channel(EpollDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Inbound(endpoint)); // a new one per attempt
                    }
                });
        for (int attempt = 1; ; attempt++) {
            clientLoop.execute(() -> {});
            io.netty.channel.ChannelFuture connected =
                    bootstrap.connect(server, local).awaitUninterruptibly();
            if (connected.isSuccess()) {
                endpoint.raw = connected.channel();
                return;
            }
            if (attempt == 50) {
                throw new IllegalStateException(
                        "cannot bind " + local + " again for the raw path: " + connected.cause(), connected.cause());
            }
            Thread.sleep(20);
        }
    }

    /** Back to a turn-client on the same address, for the Refresh that deletes the allocation. */
    CompletableFuture<StunClient> detach(ClientPool pool, int index, Endpoint endpoint) {
        Channel channel = endpoint.raw;
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        endpoint.raw = null;
        return pool.connectFrom(index, endpoint, local).thenApply(client -> {
            endpoint.client = client;
            return client;
        });
    }

    /**
     * Gives every endpoint on the raw path a turn-client again (see {@link #detach}), waiting at
     * most {@code timeout} for each; one that fails keeps no client and its allocation expires.
     */
    void detachAll(ClientPool pool, List<Endpoint> endpoints, Duration timeout) {
        List<CompletableFuture<StunClient>> back = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            if (endpoints.get(i).raw != null) {
                back.add(detach(pool, i, endpoints.get(i)));
            }
        }
        for (CompletableFuture<StunClient> b : back) {
            try {
                b.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // not deleted; the server expires it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Checks the options that decide the data path; returns true for the raw path. */
    static boolean choose(String dataPath, Target target, long runSeconds) {
        boolean udp = target.protocol() == TransportProtocol.UDP;
        String path = dataPath != null ? dataPath : (udp && available() ? "raw" : "client");
        RelayCommand.check(path.equals("raw") || path.equals("client"), "--data-path must be raw or client");
        boolean raw = path.equals("raw");
        RelayCommand.check(!raw || udp, "--data-path raw is for UDP; over TCP use --data-path client");
        RelayCommand.check(!raw || available(), "--data-path raw needs Linux epoll; use --data-path client");
        RelayCommand.check(
                !raw || runSeconds <= MAX_RUN_SECONDS,
                "--data-path raw runs at most 4m (nothing refreshes the permissions); shorten the run or use"
                        + " --data-path client");
        return raw;
    }

    /** The client's address as the server saw it: a wildcard bind went out from loopback. */
    private static InetSocketAddress local(StunClient client, InetSocketAddress server) {
        InetSocketAddress bound = client.localAddress();
        if (bound.getAddress().isAnyLocalAddress()) {
            InetAddress ip = server.getAddress();
            return new InetSocketAddress(ip, bound.getPort());
        }
        return bound;
    }

    @Override
    public void close() {
        for (EventLoopGroup g : loops) {
            g.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
        }
        for (EventLoopGroup g : loops) {
            g.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Unwraps ChannelData from the server and hands it to the endpoint, as the client would. */
    private static final class Inbound extends ChannelInboundHandlerAdapter {
        private final Endpoint endpoint;

        Inbound(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof DatagramPacket packet) {
                    var frame = packet.content();
                    if (frame.isReadable()
                            && ChannelData.isChannelData(frame.getUnsignedByte(frame.readerIndex()))
                            && ChannelData.validate(frame) == null) {
                        endpoint.onChannelData(
                                ChannelData.channel(frame),
                                frame.slice(
                                        frame.readerIndex() + ChannelData.HEADER_LENGTH,
                                        ChannelData.dataLength(frame)));
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // An ICMP error on a connected UDP socket; the socket stays usable.
        }
    }
}
