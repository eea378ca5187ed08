package io.tern.server.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
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

    private static final String TEXT = "text/plain; charset=utf-8";

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
            response = text(HttpResponseStatus.BAD_REQUEST, "bad request\n");
        } else {
            response = answer(request);
        }
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private static boolean isOperatorPath(FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        return path.equals("/metrics") || path.equals("/healthz") || path.equals("/readyz");
    }

    private FullHttpResponse answer(FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!isOperatorPath(request)) {
            return text(HttpResponseStatus.NOT_FOUND, "not found; try /metrics, /healthz or /readyz\n");
        }
        if (!request.method().equals(HttpMethod.GET)) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            return r;
        }
        return switch (path) {
            case "/metrics" -> respond(HttpResponseStatus.OK, PROMETHEUS_TEXT, registry.scrape());
            case "/healthz" -> text(HttpResponseStatus.OK, "ok\n");
            default ->
                ready.getAsBoolean()
                        ? text(HttpResponseStatus.OK, "ready\n")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
        };
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return respond(status, TEXT, body);
    }

    private static FullHttpResponse respond(HttpResponseStatus status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
