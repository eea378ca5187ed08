package io.tern.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.server.ServerHarness;
import io.tern.server.TernServer;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.turn.Quotas;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code /healthz}, {@code /readyz}, the error statuses, and starting and stopping with the server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorEndpointsTest {
    private ServerHarness server;

    @BeforeAll
    void start() throws Exception {
        server = ServerHarness.startTurn();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void healthAndReadinessOfARunningServer() throws Exception {
        HttpResponse<String> health = Scrape.get(server.http(), "/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        assertThat(health.headers().firstValue("connection")).hasValue("close");
        HttpResponse<String> ready = Scrape.get(server.http(), "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(server.server().ready()).isTrue();
    }

    @Test
    void theHttpServerListensOnLoopbackOnAPortOfItsOwn() {
        assertThat(server.http().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.http().getPort()).isNotZero().isNotEqualTo(ServerConfig.DEFAULT_HTTP_PORT);
    }

    @Test
    void unknownPathsAre404() throws Exception {
        assertThat(Scrape.get(server.http(), "/no-such-page").statusCode()).isEqualTo(404);
        assertThat(Scrape.get(server.http(), "/metricsx").statusCode()).isEqualTo(404);
        assertThat(Scrape.get(server.http(), "/api/credentials").statusCode()).isEqualTo(404);
    }

    @Test
    void aQueryStringDoesNotChangeThePath() throws Exception {
        assertThat(Scrape.get(server.http(), "/healthz?verbose=1").statusCode()).isEqualTo(200);
    }

    @Test
    void otherMethodsThanGetAre405() throws Exception {
        HttpResponse<String> post = Scrape.send(
                server.http(), "/metrics", HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
        HttpResponse<String> delete =
                Scrape.send(server.http(), "/readyz", HttpRequest.newBuilder().DELETE());
        assertThat(delete.statusCode()).isEqualTo(405);
        HttpResponse<String> head = Scrape.send(
                server.http(),
                "/healthz",
                HttpRequest.newBuilder().method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(405);
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        byte[] big = new byte[OperatorHttpServer.MAX_REQUEST_BYTES + 1];
        HttpResponse<String> r = Scrape.send(
                server.http(), "/metrics", HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofByteArray(big)));
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void readyzFollowsTheReadinessFlag() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        try (OperatorHttpServer http = OperatorHttpServer.start(
                ServerHarness.HTTP_ANY_PORT, new ServerMetrics(), new Quotas(0, 0), ready::get)) {
            HttpResponse<String> r = Scrape.get(http.address(), "/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("not ready\n");
            assertThat(Scrape.get(http.address(), "/healthz").statusCode()).isEqualTo(200);
            ready.set(true);
            assertThat(Scrape.get(http.address(), "/readyz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aServerIsNotReadyOnceCloseBegins() throws Exception {
        ServerHarness other = ServerHarness.start(ServerConfig.IoTransport.AUTO);
        InetSocketAddress http = other.http();
        assertThat(other.server().ready()).isTrue();
        other.close();
        assertThat(other.server().ready()).isFalse();
        // And the HTTP port is closed with the server.
        assertThatThrownBy(() -> Scrape.get(http, "/healthz")).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void noHttpServerWhenDisabled() throws Exception {
        ServerConfig config = ServerConfig.defaults()
                .withListening(List.of(InetAddress.getLoopbackAddress()), 0)
                .withThreads(1)
                .withHttp(null);
        try (TernServer s = TernServer.start(config)) {
            assertThat(s.httpAddress()).isNull();
            assertThat(s.ready()).isTrue();
        }
    }

    @Test
    void anHttpPortInUseFailsStartNamingTheOptionAndLeavesNothingOpen() throws Exception {
        int stunPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            stunPort = probe.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerConfig config = ServerConfig.defaults()
                    .withListening(List.of(InetAddress.getLoopbackAddress()), stunPort)
                    .withThreads(1)
                    .withHttp((InetSocketAddress) taken.getLocalSocketAddress());
            assertThatThrownBy(() -> TernServer.start(config))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.option()).isEqualTo("http-listen"))
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("not available")
                    .hasMessageContaining("--http-listen");
        }
        // The STUN listeners that did bind were closed again.
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", stunPort))) {
            assertThat(again.getLocalPort()).isEqualTo(stunPort);
        }
    }
}
