package io.tern.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.tern.server.config.SignalingConfig;
import io.tern.server.signaling.Signaling;
import io.tern.server.signaling.UpgradeRefusal;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public web routes: the signaling WebSocket at {@value #SIGNAL_PATH} and the demo page's
 * static files; 404 for anything else. It goes after an HTTP server codec in any pipeline ({@link
 * #addTo}): the operator listener, the {@code --web-listen} listener, and later a shared TLS port.
 *
 * <p>A {@code GET /signal} with a WebSocket upgrade becomes a WebSocket: the handshake swaps the
 * HTTP codec for the frame codec (at most {@code signal-max-message-bytes} per frame; a bigger frame
 * is closed with 1009), and this handler makes way for a frame aggregator (the same limit for a
 * message in continuation frames), an idle detector and the {@link Signaling} connection. Before
 * the handshake, {@link Signaling#admit} may refuse the upgrade (403 for an origin not allowed, 503
 * over the total cap, 429 over the per-address cap).
 */
@Sharable
public final class WebRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(WebRoutes.class);

    public static final String SIGNAL_PATH = "/signal";

    private final Signaling signaling;
    private final StaticFiles files;

    /** Routes for {@code signaling}, with the demo from the classpath folder {@code web/}. */
    public WebRoutes(Signaling signaling) {
        this(signaling, new StaticFiles("web", WebRoutes.class.getClassLoader()));
    }

    WebRoutes(Signaling signaling, StaticFiles files) {
        this.signaling = signaling;
        this.files = files;
    }

    /** Adds the routes (with the request aggregator they need) after the HTTP codec of {@code pipeline}. */
    public void addTo(ChannelPipeline pipeline) {
        pipeline.addLast(new HttpObjectAggregator(OperatorHttpServer.MAX_REQUEST_BYTES))
                .addLast(this);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            HttpResponses.sendAndClose(ctx, HttpResponses.text(HttpResponseStatus.BAD_REQUEST, "bad request\n"));
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals(SIGNAL_PATH)) {
            upgrade(ctx, request);
            return;
        }
        StaticFiles.File file = files.find(path);
        if (file == null) {
            HttpResponses.sendAndClose(ctx, HttpResponses.text(HttpResponseStatus.NOT_FOUND, "not found\n"));
            return;
        }
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (!head && !request.method().equals(HttpMethod.GET)) {
            HttpResponses.sendAndClose(ctx, HttpResponses.notAllowed("GET, HEAD"));
            return;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(file.bytes()));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, file.bytes().length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("X-Content-Type-Options", "nosniff");
        HttpResponses.sendAndClose(ctx, r);
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.method().equals(HttpMethod.GET)) {
            HttpResponses.sendAndClose(ctx, HttpResponses.notAllowed("GET"));
            return;
        }
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            HttpResponses.sendAndClose(
                    ctx,
                    HttpResponses.text(
                            HttpResponseStatus.BAD_REQUEST, "use a WebSocket client (Upgrade: websocket)\n"));
            return;
        }
        SignalingConfig config = signaling.config();
        int max = config.maxMessageBytes();
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(max)
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(true)
                .build();
        // The URL only matters to the 2009-era drafts' Location header; version 13 does not send it.
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(SIGNAL_PATH, null, decoder).newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        if (!(ctx.channel().remoteAddress() instanceof InetSocketAddress remote)) {
            ctx.close(); // gone already
            return;
        }
        UpgradeRefusal refusal = signaling.admit(
                ctx.channel(), remote.getAddress(), request.headers().get(HttpHeaderNames.ORIGIN));
        if (refusal != null) {
            log.debug("signaling upgrade from {} refused: {}", remote, refusal.reason());
            HttpResponses.sendAndClose(
                    ctx, HttpResponses.text(HttpResponseStatus.valueOf(refusal.httpStatus()), refusal.body()));
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        ChannelPipeline p = ctx.pipeline();
        try {
            handshaker.handshake(ctx.channel(), request).addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.channel().close();
                }
            });
        } catch (WebSocketHandshakeException e) {
            HttpResponses.sendAndClose(
                    ctx,
                    HttpResponses.text(
                            HttpResponseStatus.BAD_REQUEST, "bad WebSocket handshake: " + e.getMessage() + "\n"));
            return;
        }
        // HTTP-only handlers make way; the connection now lives as long as it stays active.
        if (p.get(ReadTimeoutHandler.class) != null) {
            p.remove(ReadTimeoutHandler.class);
        }
        if (p.get(OperatorHandler.class) != null) {
            p.remove(OperatorHandler.class);
        }
        p.remove(this);
        // A client that stops reading is closed (SignalConnection.send) once this much is waiting;
        // it is more than a resumed participant's whole queue (at most 6 x max bytes of UTF-8).
        int high = Math.max(8 * max, 1 << 20);
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        long idleThird = Math.max(1, config.idleTimeout().toMillis() / 3);
        p.addLast(new WebSocketFrameAggregator(max))
                .addLast(new IdleStateHandler(idleThird, 0, 0, TimeUnit.MILLISECONDS))
                .addLast(signaling.newConnection(ctx.channel(), host));
        log.debug("signaling connection from {}", ctx.channel().remoteAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
