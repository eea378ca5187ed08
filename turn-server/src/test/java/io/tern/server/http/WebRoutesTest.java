package io.tern.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.TernServer;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.SignalingConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which listener serves what: the operator listener has metrics, health, /signal and the demo; the
 * --web-listen listener only /signal and the demo; --no-signaling removes both. Static files from
 * the test classpath's web/ folder, with traversal attempts.
 */
class WebRoutesTest {
    private static TernServer start(SignalingConfig signaling) throws Exception {
        return TernServer.start(ServerConfig.defaults()
                .withListening(List.of(InetAddress.getByName("127.0.0.1")), 0)
                .withThreads(1)
                .withTurn(ServerHarness.turnConfig())
                .withHttp(ServerHarness.HTTP_ANY_PORT)
                .withSignaling(signaling));
    }

    private static SignalingConfig withWebListener() {
        return SignalingConfig.defaults().withWebListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Test
    void theWebListenerServesSignalingAndFilesButNeverOperatorRoutes() throws Exception {
        try (TernServer server = start(withWebListener())) {
            InetSocketAddress web = server.webAddress();
            assertThat(web).isNotNull().isNotEqualTo(server.httpAddress());
            for (String path : List.of("/metrics", "/healthz", "/readyz", "/metrics?x=1")) {
                assertThat(Scrape.get(web, path).statusCode()).as(path).isEqualTo(404);
            }
            HttpResponse<String> file = Scrape.get(web, "/static-test.txt");
            assertThat(file.statusCode()).isEqualTo(200);
            assertThat(file.body()).isEqualTo("static test file\n");
            assertThat(signalingAnswersPing(web)).isTrue();

            InetSocketAddress operator = server.httpAddress();
            assertThat(Scrape.get(operator, "/metrics").statusCode()).isEqualTo(200);
            assertThat(Scrape.get(operator, "/healthz").statusCode()).isEqualTo(200);
            assertThat(Scrape.get(operator, "/static-test.txt").statusCode()).isEqualTo(200);
            assertThat(signalingAnswersPing(operator)).isTrue();
        }
    }

    @Test
    void theWebListenerRunsWithoutTheOperatorListener() throws Exception {
        try (TernServer server = TernServer.start(ServerConfig.defaults()
                .withListening(List.of(InetAddress.getByName("127.0.0.1")), 0)
                .withThreads(1)
                .withTurn(ServerHarness.turnConfig())
                .withHttp(null)
                .withSignaling(withWebListener()))) {
            assertThat(server.httpAddress()).isNull();
            assertThat(Scrape.get(server.webAddress(), "/metrics").statusCode()).isEqualTo(404);
            assertThat(signalingAnswersPing(server.webAddress())).isTrue();
        }
    }

    @Test
    void noSignalingRemovesSignalAndFilesFromEveryListener() throws Exception {
        try (TernServer server = start(SignalingConfig.defaults().withEnabled(false))) {
            InetSocketAddress operator = server.httpAddress();
            assertThat(server.webAddress()).isNull();
            assertThat(server.signaling()).isNull();
            assertThat(Scrape.get(operator, "/static-test.txt").statusCode()).isEqualTo(404);
            assertThat(Scrape.get(operator, "/signal").statusCode()).isEqualTo(404);
            assertThat(Scrape.get(operator, "/metrics").statusCode()).isEqualTo(200);
            assertThat(Scrape.get(operator, "/metrics").body()).doesNotContain("tern_signal_");
            assertThat(upgrade(operator)).startsWith("HTTP/1.1 404");
        }
    }

    @Test
    void filesHaveTypesHeadAndIndexAndOtherMethodsAreRefused() throws Exception {
        try (TernServer server = start(SignalingConfig.defaults())) {
            InetSocketAddress http = server.httpAddress();
            HttpResponse<String> index = Scrape.get(http, "/signal-test/");
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(index.body()).contains("signal test");
            HttpResponse<String> js = Scrape.get(http, "/signal-test/app.js?v=2");
            assertThat(js.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
            assertThat(js.headers().firstValue("x-content-type-options")).hasValue("nosniff");

            HttpResponse<String> head = Scrape.send(
                    http,
                    "/static-test.txt",
                    HttpRequest.newBuilder().method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("content-length")).hasValue("17");
            assertThat(head.body()).isEmpty();

            HttpResponse<String> post = Scrape.send(
                    http, "/static-test.txt", HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString("x")));
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");

            assertThat(Scrape.get(http, "/signal-test/secret.properties").statusCode())
                    .as("unknown extension")
                    .isEqualTo(404);
            assertThat(Scrape.get(http, "/signal-test").statusCode())
                    .as("a directory")
                    .isEqualTo(404);
            assertThat(Scrape.get(http, "/nothing-here.html").statusCode()).isEqualTo(404);
            assertThat(Scrape.get(http, "/signal").statusCode())
                    .as("no upgrade")
                    .isEqualTo(400);
        }
    }

    @Test
    void traversalAttemptsAre404() throws Exception {
        try (TernServer server = start(SignalingConfig.defaults())) {
            InetSocketAddress http = server.httpAddress();
            assertThat(raw(http, "GET /static-test.txt HTTP/1.1")).startsWith("HTTP/1.1 200");
            for (String target : List.of(
                    "/../web/static-test.txt",
                    "/signal-test/../static-test.txt",
                    "/%2e%2e/web/static-test.txt",
                    "/%2E%2E/web/static-test.txt",
                    "/signal-test/%2e%2e/static-test.txt",
                    "/signal-test/..%2fstatic-test.txt",
                    "/signal-test%2f..%2fstatic-test.txt",
                    "/./static-test.txt",
                    "//static-test.txt",
                    "/signal-test/..\\static-test.txt",
                    "/%5c..%5cstatic-test.txt",
                    "/static-test.txt%00.html",
                    "/.hidden.txt",
                    "/../../../../etc/passwd",
                    "/%2e%2e/%2e%2e/logback-test.xml",
                    "/io/tern/version.properties")) {
                assertThat(raw(http, "GET " + target + " HTTP/1.1")).as(target).startsWith("HTTP/1.1 404");
            }
        }
    }

    @Test
    void resourceNames() {
        StaticFiles files = new StaticFiles("web", getClass().getClassLoader());
        assertThat(files.resourceName("/")).isEqualTo("web/index.html");
        assertThat(files.resourceName("/a/")).isEqualTo("web/a/index.html");
        assertThat(files.resourceName("/a/b.css")).isEqualTo("web/a/b.css");
        assertThat(files.resourceName("/a/../b.css")).isNull();
        assertThat(files.resourceName("/a/./b.css")).isNull();
        assertThat(files.resourceName("/a//b.css")).isNull();
        assertThat(files.resourceName("/b.class")).isNull();
        assertThat(files.resourceName("b.css")).isNull();
    }

    /** One request over a plain socket, exactly as written; the status line and headers come back. */
    private static String raw(InetSocketAddress server, String requestLine) throws Exception {
        try (Socket s = new Socket(server.getAddress(), server.getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String upgrade(InetSocketAddress server) throws Exception {
        return raw(
                server,
                "GET /signal HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13");
    }

    /** Opens a WebSocket on /signal, sends a ping message and waits for the pong. */
    private static boolean signalingAnswersPing(InetSocketAddress server) throws Exception {
        CompletableFuture<String> pong = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://" + HttpListen.format(server) + "/signal"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        pong.complete(data.toString());
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        try {
            ws.sendText("{\"type\":\"ping\"}", true).get(5, TimeUnit.SECONDS);
            return pong.get(5, TimeUnit.SECONDS).equals("{\"type\":\"pong\"}");
        } finally {
            ws.abort();
        }
    }
}
