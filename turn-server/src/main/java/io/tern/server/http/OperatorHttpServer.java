package io.tern.server.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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
import io.tern.server.turn.Quotas;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The operator HTTP server ({@code /metrics}, {@code /healthz}, {@code /readyz}): HTTP/1.1 on one
 * event loop thread of its own, so a scrape never delays relayed packets.
 */
public final class OperatorHttpServer implements AutoCloseable {
    /** Requests are GETs with a few headers; anything bigger is refused (413). */
    static final int MAX_REQUEST_BYTES = 8192;

    private static final int READ_TIMEOUT_SECONDS = 10;

    private final EventLoopGroup group;
    private final PrometheusMeterRegistry registry;
    private final TernMeters meters;
    private Channel channel;

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
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        OperatorHttpServer server = new OperatorHttpServer(registry, TernMeters.bind(registry, metrics, quotas));
        try {
            server.bind(address, new OperatorHandler(registry, ready));
            return server;
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    private void bind(InetSocketAddress address, OperatorHandler handler) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(handler);
                    }
                });
        ChannelFuture f = b.bind(address).await();
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            String where = HttpListen.format(address);
            String fix = cause instanceof BindException
                    ? where + " is not available (" + cause.getMessage()
                            + "); stop the program using it, choose another --http-listen, or use --no-http"
                    : "cannot listen there: " + cause.getMessage();
            throw new ConfigException(HttpListen.OPTION, where, fix);
        }
        channel = f.channel();
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
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
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        meters.close();
        registry.close();
    }
}
