package io.tern.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tern.server.auth.CredentialStore;
import io.tern.server.config.ApiConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/credentials?user=NAME&ttl=SECONDS} for application servers: with {@code
 * Authorization: Bearer KEY} (one of {@code api-key}), it answers the TURN REST JSON that {@code
 * tern credentials} prints:
 *
 * <pre>
 * {"username": "1764200000:alice", "password": "base64(HMAC-SHA1(secret, username))",
 *  "ttl": 86400, "uris": ["turn:turn.example.org:3478?transport=udp", ...]}
 * </pre>
 *
 * The application server hands that to its user's browser, which never learns the secret. It is
 * served on the operator listener only, never on the public web listener or the TLS port: keys
 * travel in the clear there unless the operator puts TLS in front. Other paths pass on.
 */
@Sharable
public final class CredentialsApi extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(CredentialsApi.class);

    public static final String PATH = "/api/credentials";

    static final long DEFAULT_TTL_SECONDS = 86_400;

    static final long MAX_TTL_SECONDS = 7 * 86_400;

    private static final long MIN_TTL_SECONDS = 60;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<ApiConfig> keys;
    private final Supplier<String> secret;
    private final Function<String, List<String>> uris;
    private final Clock clock;

    /**
     * @param keys the accepted API keys (read per request, so a reload applies)
     * @param secret the TURN REST secret the credentials are made with; null when there is none
     * @param uris the TURN URIs for a client that reached this server with this {@code Host} header
     */
    public CredentialsApi(
            Supplier<ApiConfig> keys, Supplier<String> secret, Function<String, List<String>> uris, Clock clock) {
        super(false);
        this.keys = keys;
        this.secret = secret;
        this.uris = uris;
        this.clock = clock;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        if (request.decoderResult().isFailure() || !query.path().equals(PATH)) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            HttpResponses.sendAndClose(ctx, answer(ctx, request, query));
        } finally {
            request.release();
        }
    }

    private FullHttpResponse answer(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query) {
        ApiConfig api = keys.get();
        if (!api.enabled()) {
            return HttpResponses.text(
                    HttpResponseStatus.NOT_FOUND, "not found: the credentials API is off (set api-key)\n");
        }
        if (!request.method().equals(HttpMethod.POST)) {
            return HttpResponses.notAllowed("POST");
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
        if (!api.accepts(presented)) {
            // The key is never logged, not even a wrong one: it may be a real key of another system.
            log.debug(
                    "credentials API: refused a request from {} ({})",
                    ctx.channel().remoteAddress(),
                    presented == null ? "no bearer key" : "wrong key");
            FullHttpResponse r =
                    HttpResponses.text(HttpResponseStatus.UNAUTHORIZED, "give Authorization: Bearer API_KEY\n");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"tern\"");
            return r;
        }
        String user = first(query, "user", "api");
        if (user.isEmpty()
                || user.length() > 128
                || user.indexOf(':') >= 0
                || !user.chars().allMatch(c -> c > ' ' && c != 0x7F)) {
            return HttpResponses.text(
                    HttpResponseStatus.BAD_REQUEST, "bad user: 1 to 128 printable characters, no spaces and no ':'\n");
        }
        long ttl;
        try {
            ttl = Long.parseLong(first(query, "ttl", String.valueOf(DEFAULT_TTL_SECONDS)));
        } catch (NumberFormatException e) {
            ttl = -1;
        }
        if (ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS) {
            return HttpResponses.text(
                    HttpResponseStatus.BAD_REQUEST,
                    "bad ttl: a number of seconds from " + MIN_TTL_SECONDS + " to " + MAX_TTL_SECONDS + "\n");
        }
        String key = secret.get();
        if (key == null) {
            return HttpResponses.text(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "no TURN REST secret: set static-auth-secret (or leave signaling on)\n");
        }
        String username = (clock.instant().getEpochSecond() + ttl) + ":" + user;
        ObjectNode body = JSON.createObjectNode();
        body.put("username", username);
        body.put("password", CredentialStore.restPassword(key, username));
        body.put("ttl", ttl);
        uris.apply(request.headers().get(HttpHeaderNames.HOST)).forEach(body.putArray("uris")::add);
        return HttpResponses.of(
                HttpResponseStatus.OK,
                HttpHeaderValues.APPLICATION_JSON.toString(),
                body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String first(QueryStringDecoder query, String name, String otherwise) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? otherwise : values.get(0);
    }
}
