package io.tern.server.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tern.server.config.ConfigException;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.signaling.SignalMetrics;
import io.tern.server.turn.Quotas;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Tern's HTTP: the operator listener ({@code --http-listen}: {@code /metrics}, {@code /healthz},
 * {@code /readyz}, and the {@link WebRoutes} when signaling is on) and the optional public web
 * listener ({@code --web-listen}: the {@link WebRoutes} only, never metrics or health). HTTP/1.1
 * on one event loop thread of its own, shared by both listeners, so a scrape never delays
 * relayed packets and all signaling state lives on that one thread ({@link #loop}).
 */
public final class OperatorHttpServer implements AutoCloseable {
    /** Requests are GETs with a few headers; anything bigger is refused (413). */
    static final int MAX_REQUEST_BYTES = 8192;

    private static final int READ_TIMEOUT_SECONDS = 10;

    private final EventLoopGroup group;
    /** Accepted HTTP and WebSocket connections, to close before the event loop stops. */
    private final io.tern.server.transport.OpenConnections connections =
            new io.tern.server.transport.OpenConnections("http connections");

    private final PrometheusMeterRegistry registry;
    private final TernMeters meters;
    private Channel channel;
    private Channel webChannel;

    private OperatorHttpServer(PrometheusMeterRegistry registry, TernMeters meters) {
        this.registry = registry;
        this.meters = meters;
        this.group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("tern-http", true), NioIoHandler.newFactory());
    }

    /**
     * Binds {@code address} and serves Tern's metrics; {@code ready} answers {@code /readyz}. A port
     * that cannot be bound is a {@link ConfigException} naming {@code http-listen}, with nothing left
     * open.
     */
    public static OperatorHttpServer start(
            InetSocketAddress address, ServerMetrics metrics, Quotas quotas, BooleanSupplier ready)
            throws InterruptedException {
        return start(address, null, metrics, null, quotas, ready, null, null);
    }

    /**
     * Binds the operator listener {@code address} (null for none) and the web listener {@code web}
     * (null for none). {@code routes}, given this server's event loop, makes the web routes; null
     * serves neither {@code /signal} nor the demo. {@code api} ({@code /api/credentials}) goes on
     * the operator listener only; null for none. A port that cannot be bound is a {@link
     * ConfigException} naming its option, with nothing left open.
     */
    public static OperatorHttpServer start(
            InetSocketAddress address,
            InetSocketAddress web,
            ServerMetrics metrics,
            SignalMetrics signalMetrics,
            Quotas quotas,
            BooleanSupplier ready,
            Function<EventLoop, WebRoutes> routes,
            CredentialsApi api)
            throws InterruptedException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        OperatorHttpServer server =
                new OperatorHttpServer(registry, TernMeters.bind(registry, metrics, signalMetrics, quotas));
        try {
            WebRoutes webRoutes = routes == null ? null : routes.apply(server.loop());
            if (address != null) {
                OperatorHandler operator = new OperatorHandler(registry, ready, webRoutes != null);
                server.channel = server.bind(address, HttpListen.OPTION, p -> {
                    p.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
                    if (api != null) {
                        p.addLast(api);
                    }
                    p.addLast(operator);
                    if (webRoutes != null) {
                        p.addLast(webRoutes);
                    }
                });
            }
            if (web != null && webRoutes != null) {
                server.webChannel = server.bind(web, "web-listen", webRoutes::addTo);
            }
            return server;
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    /** The one thread every HTTP connection (and all signaling state) lives on. */
    public EventLoop loop() {
        return group.next();
    }

    private Channel bind(InetSocketAddress address, String option, Consumer<ChannelPipeline> routes)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS))
                                .addLast(new HttpServerCodec());
                        routes.accept(ch.pipeline());
                    }
                });
        ChannelFuture f = b.bind(address).await();
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            String where = HttpListen.format(address);
            String fix = cause instanceof BindException
                    ? where + " is not available (" + cause.getMessage()
                            + "); stop the program using it, or choose another --" + option
                    : "cannot listen there: " + cause.getMessage();
            throw new ConfigException(option, where, fix);
        }
        return f.channel();
    }

    /** The operator listener's bound address (the real port when 0 was asked for), or null. */
    public InetSocketAddress address() {
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    /** The web listener's bound address, or null when there is none. */
    public InetSocketAddress webAddress() {
        return webChannel == null ? null : (InetSocketAddress) webChannel.localAddress();
    }

    /** The registry behind {@code /metrics}. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (webChannel != null) {
            webChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        connections.closeAll(group);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        meters.close();
        registry.close();
    }
}
