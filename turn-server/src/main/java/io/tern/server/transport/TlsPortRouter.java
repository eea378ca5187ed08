package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.tern.server.http.WebRoutes;
import io.tern.server.tls.ServerTls;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * One TLS port for TURN and the web (the signaling WebSocket and the demo page), so a deployment
 * behind a firewall that passes only 443 needs one port and one certificate. It decides once per
 * connection, after the handshake and before the first byte is handled, then steps aside:
 *
 * <ol>
 *   <li>by ALPN (RFC 7301): {@code stun.turn} (RFC 7443) is TURN, {@code http/1.1} is the web;
 *   <li>without ALPN, by the first bytes: a STUN message starts with 0b00 (RFC 8489 §5), an HTTP
 *       request with a method name in capitals ({@code GET }, {@code HEAD}, ...). A TURN client's
 *       first message is always a request, never ChannelData (it has no channel yet), so the two
 *       cannot be confused.
 * </ol>
 *
 * <pre>
 * SslHandler ─► TlsFailures ─► TlsPortRouter ─┬─► IdleStateHandler ─► StunStreamDecoder ─► StreamHandler (TURN)
 *                                             └─► ReadTimeoutHandler ─► HttpServerCodec ─► WebRoutes (web)
 * </pre>
 */
final class TlsPortRouter extends ByteToMessageDecoder {
    private static final int HTTP_READ_TIMEOUT_SECONDS = 30;

    private static final String[] METHODS = {"GET ", "HEAD", "POST", "PUT ", "OPTI", "DELE", "PATC"};

    private final Runnable turn;
    private final Supplier<WebRoutes> web;

    /**
     * @param turn adds the TURN stream handlers after this one (on the pipeline it was built for)
     * @param web the web routes, or null while they do not exist (signaling off): then HTTP
     *     requests are treated like anything else that is not STUN
     */
    TlsPortRouter(Runnable turn, Supplier<WebRoutes> web) {
        this.turn = turn;
        this.web = web;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        String alpn = ssl == null ? null : ssl.applicationProtocol();
        WebRoutes routes = web.get();
        boolean http;
        if (ServerTls.STUN_TURN_ALPN.equals(alpn)) {
            http = false;
        } else if (ApplicationProtocolNames.HTTP_1_1.equals(alpn)) {
            http = true;
        } else if (in.readableBytes() < 4) {
            return; // wait for enough bytes to tell
        } else {
            http = looksLikeHttp(in);
        }
        ChannelPipeline p = ctx.pipeline();
        if (http && routes != null) {
            p.addAfter(ctx.name(), "http-read-timeout", new ReadTimeoutHandler(HTTP_READ_TIMEOUT_SECONDS));
            p.addAfter("http-read-timeout", "http-codec", new HttpServerCodec());
            routes.addTo(p);
        } else {
            turn.run();
        }
        // Removing a decoder hands the bytes it holds to the handlers just added.
        p.remove(this);
    }

    private static boolean looksLikeHttp(ByteBuf in) {
        String start = in.toString(in.readerIndex(), 4, StandardCharsets.US_ASCII);
        for (String m : METHODS) {
            if (m.equals(start)) {
                return true;
            }
        }
        return false;
    }
}
