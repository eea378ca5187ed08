package io.tern.server.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics}, {@code /healthz} and {@code /readyz}; GET only, one request per connection.
 * Other paths are 404, or passed on to the {@link WebRoutes} behind it when signaling is on.
 */
@Sharable
final class OperatorHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(OperatorHandler.class);

    /** The Prometheus text exposition format that {@link PrometheusMeterRegistry#scrape()} writes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private final boolean passOn;

    /** {@code passOn}: hand requests for other paths to the next handler instead of answering 404. */
    OperatorHandler(PrometheusMeterRegistry registry, BooleanSupplier ready, boolean passOn) {
        this.registry = registry;
        this.ready = ready;
        this.passOn = passOn;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (passOn && !request.decoderResult().isFailure() && !isOperatorPath(request)) {
            ctx.fireChannelRead(request.retain());
            return;
        }
        FullHttpResponse response;
        if (request.decoderResult().isFailure()) {
            response = HttpResponses.text(HttpResponseStatus.BAD_REQUEST, "bad request\n");
        } else {
            response = answer(request);
        }
        HttpResponses.sendAndClose(ctx, response);
    }

    private static boolean isOperatorPath(FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        return path.equals("/metrics") || path.equals("/healthz") || path.equals("/readyz");
    }

    private FullHttpResponse answer(FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!isOperatorPath(request)) {
            return HttpResponses.text(HttpResponseStatus.NOT_FOUND, "not found; try /metrics, /healthz or /readyz\n");
        }
        if (!request.method().equals(HttpMethod.GET)) {
            return HttpResponses.notAllowed("GET");
        }
        return switch (path) {
            case "/metrics" ->
                HttpResponses.of(
                        HttpResponseStatus.OK,
                        PROMETHEUS_TEXT,
                        registry.scrape().getBytes(StandardCharsets.UTF_8));
            case "/healthz" -> HttpResponses.text(HttpResponseStatus.OK, "ok\n");
            default ->
                ready.getAsBoolean()
                        ? HttpResponses.text(HttpResponseStatus.OK, "ready\n")
                        : HttpResponses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
        };
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
