package io.tern.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.FastThreadLocal;
import io.tern.server.config.ServerConfig;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.stun.BindingHandler;
import io.tern.server.stun.Responder;
import io.tern.server.stun.StunDispatcher;
import io.tern.server.transport.IoTransports;
import io.tern.server.transport.Listeners;
import io.tern.server.transport.StunIngress;
import io.tern.stun.StunMethod;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tern server: event loops, listeners and the per-loop protocol stacks. {@link #start}
 * binds everything or fails with nothing left open; {@link #close} stops it.
 */
public final class TernServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TernServer.class);

    private final ServerConfig config;
    private final ServerMetrics metrics = new ServerMetrics();
    private final IoTransports io;
    private final EventLoopGroup group;
    private final FastThreadLocal<StunIngress> ingress;
    private final Listeners listeners;

    private TernServer(ServerConfig config) {
        this.config = config;
        this.io = IoTransports.select(config.transport());
        int threads = config.threads() == 0 ? NettyRuntime.availableProcessors() : config.threads();
        this.group = new MultiThreadIoEventLoopGroup(threads, io.ioHandlerFactory());
        // Each event loop thread gets its own stack: no state is shared between loops, so no locks.
        this.ingress = new FastThreadLocal<>() {
            @Override
            protected StunIngress initialValue() {
                return newStack();
            }
        };
        this.listeners = new Listeners(group, io, ingress::get, metrics, config.tcpIdleSeconds());
    }

    /** Starts a server; on failure every socket and thread it opened is closed again. */
    public static TernServer start(ServerConfig config) throws InterruptedException {
        TernServer server = new TernServer(config);
        try {
            server.bind();
            return server;
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    private StunIngress newStack() {
        Responder responder = new Responder(config.software(), metrics);
        StunDispatcher dispatcher =
                new StunDispatcher(responder, metrics).onRequest(StunMethod.BINDING, new BindingHandler(responder));
        return new StunIngress(dispatcher, metrics);
    }

    private void bind() throws InterruptedException {
        List<InetAddress> ips = config.listeningIps().isEmpty() ? List.of(Listeners.wildcard()) : config.listeningIps();
        int port = config.listeningPort();
        for (InetAddress ip : ips) {
            int bound = port;
            if (config.udp()) {
                bound = listeners.bindUdp(new InetSocketAddress(ip, bound), groupSize());
            }
            if (config.tcp()) {
                // With port 0 (tests) TCP takes the port UDP got, so both share one number.
                listeners.bindTcp(new InetSocketAddress(ip, bound));
            }
        }
        log.info(
                "Tern listening on {} (UDP {}, TCP {}) with {} event loops over {}",
                listeners.describe(),
                config.udp() ? "on" : "off",
                config.tcp() ? "on" : "off",
                groupSize(),
                io.name());
    }

    private int groupSize() {
        return config.threads() == 0 ? NettyRuntime.availableProcessors() : config.threads();
    }

    public ServerConfig config() {
        return config;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** Name of the I/O transport in use ("epoll" or "nio"). */
    public String ioTransport() {
        return io.name();
    }

    /** The bound UDP addresses, one per listening IP (port resolved when 0 was asked for). */
    public List<InetSocketAddress> udpAddresses() {
        return listeners.udpAddresses();
    }

    public List<InetSocketAddress> tcpAddresses() {
        return listeners.tcpAddresses();
    }

    /** Stops listening, closes every connection and the event loops; waits up to 5 s. */
    @Override
    public void close() {
        listeners.close();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
    }
}
