package io.tern.load.scenario;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tern.client.InboundListener;
import io.tern.client.RetransmissionPolicy;
import io.tern.client.StunClient;
import io.tern.load.Target;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side's threads: one single-thread event loop group per thread, so that a client's
 * event loop is known from its index (client {@code i} lives on loop {@code i % size}) and the
 * pacers that drive a loop's clients run on that same loop, without locks.
 */
public final class ClientPool implements AutoCloseable {
    private final EventLoopGroup[] loops;
    private final Target target;
    private final Duration timeout;

    private final int sourceIps;

    /**
     * @param sourceIps how many loopback source addresses the clients are spread over (client
     *     {@code i} sends from 127.0.0.1 + {@code i % sourceIps}); IPv4 servers only
     */
    public ClientPool(Target target, int threads, Duration timeout, int sourceIps) {
        this.target = target;
        this.timeout = timeout;
        this.sourceIps = target.server().getAddress() instanceof Inet4Address ? sourceIps : 1;
        this.loops = new EventLoopGroup[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory("tern-load-" + i, true), NioIoHandler.newFactory());
        }
    }

    public int size() {
        return loops.length;
    }

    public EventLoopGroup loop(int index) {
        return loops[Math.floorMod(index, loops.length)];
    }

    public Target target() {
        return target;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * A client on loop {@code index % size}. TURN requests are retransmitted from 250 ms (a loaded
     * server may drop one) and give up after the run's timeout.
     */
    public CompletableFuture<StunClient> connect(int index, InboundListener listener) {
        return builder(index)
                .retransmission(RetransmissionPolicy.withRto(Duration.ofMillis(250)))
                .inboundListener(listener)
                .connect();
    }

    /** As {@link #connect(int, InboundListener)}, from this local address. */
    public CompletableFuture<StunClient> connectFrom(int index, InboundListener listener, InetSocketAddress local) {
        return builder(index)
                .localAddress(local)
                .retransmission(RetransmissionPolicy.withRto(Duration.ofMillis(250)))
                .inboundListener(listener)
                .connect();
    }

    /**
     * A client that sends each request once: a lost Binding counts as lost instead of being hidden
     * by a retransmission, and its latency is one round trip.
     */
    public CompletableFuture<StunClient> connectOneShot(int index) {
        long tenth = Math.max(1, timeout.toMillis() / 10);
        return builder(index)
                .retransmission(new RetransmissionPolicy(Duration.ofMillis(tenth), 1, 10))
                .connect();
    }

    private StunClient.Builder builder(int index) {
        StunClient.Builder b = StunClient.builder(target.server());
        if (sourceIps > 1) {
            b.localAddress(new InetSocketAddress(sourceAddress(Math.floorMod(index, sourceIps)), 0));
        }
        b.protocol(target.protocol())
                .eventLoopGroup(loop(index))
                .timeout(timeout)
                .connectTimeout(timeout);
        if (target.credentials() != null) {
            b.credentials(target.credentials());
        }
        return b;
    }

    /** 127.0.0.1 plus {@code n}: 127.0.0.1, 127.0.0.2, ... 127.0.1.0, ... */
    static InetAddress sourceAddress(int n) {
        int ip = 0x7F000001 + n;
        byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
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
}
