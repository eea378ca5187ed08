package io.tern.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.tern.client.ClientTls;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One TLS port for TURN and the web ({@code --tls-web}): a TURN client, a browser-like HTTPS client
 * and a WebSocket client on the same port, told apart by ALPN or by their first bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedTlsPortTest {
    @TempDir
    static Path dir;

    private ServerHarness server;
    private CertificateAndKey certificate;
    private SSLContext trusting;

    @BeforeAll
    void start() throws Exception {
        certificate = CertificateAndKey.selfSigned("shared port", Duration.ofDays(1));
        certificate.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        server = ServerHarness.startTls(TlsConfig.pem(0, dir.resolve("cert.pem"), dir.resolve("key.pem"))
                .withWeb(true));
        trusting = ServerHarness.trusting(certificate.leaf());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String https(String path) {
        return "https://127.0.0.1:" + server.tls().getPort() + path;
    }

    @Test
    void aTurnClientWithoutAlpnAllocatesOnTheSharedPort() throws Exception {
        try (StunClient client = StunClient.builder(server.tls())
                .protocol(TransportProtocol.TCP)
                .tls(ClientTls.trusting("127.0.0.1", certificate.leaf()))
                .credentials(new Credentials("alice", "secret"))
                .timeout(Duration.ofSeconds(5))
                .connect()
                .get(10, TimeUnit.SECONDS)) {
            TurnAllocation a = client.allocate().get(10, TimeUnit.SECONDS);
            assertThat(a.relayedAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void aTurnClientThatSaysStunTurnInAlpnIsAnswered() throws Exception {
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket()) {
            SSLParameters p = socket.getSSLParameters();
            p.setApplicationProtocols(new String[] {"stun.turn"});
            socket.setSSLParameters(p);
            socket.connect(server.tls(), 5000);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            assertThat(socket.getApplicationProtocol()).isEqualTo("stun.turn");
            TransactionId id = TransactionId.random();
            socket.getOutputStream()
                    .write(ServerHarness.bytes(StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, id)
                            .fingerprint()
                            .encode(ByteBufAllocator.DEFAULT)));
            assertThat(ServerHarness.decode(ServerHarness.readStunFrame(socket)).transactionId())
                    .isEqualTo(id);
        }
    }

    @Test
    void aBrowserGetsTheDemoPageOverHttpsButNeverTheMetrics() throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(trusting)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpResponse<String> page = http.send(
                java.net.http.HttpRequest.newBuilder(URI.create(https("/")))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_1_1);

        for (String operatorOnly : new String[] {"/metrics", "/healthz", "/readyz"}) {
            HttpResponse<String> r = http.send(
                    java.net.http.HttpRequest.newBuilder(URI.create(https(operatorOnly)))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(operatorOnly).isEqualTo(404);
        }
    }

    @Test
    void anHttpClientWithoutAlpnIsToldApartByItsFirstBytes() throws Exception {
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket()) {
            socket.connect(server.tls(), 5000);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            socket.getOutputStream()
                    .write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(15), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    @Test
    void theSignalingWebSocketJoinsARoomOverWss() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(trusting).build();
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(
                        URI.create("wss://127.0.0.1:" + server.tls().getPort() + "/signal"), new WebSocket.Listener() {
                            private final StringBuilder text = new StringBuilder();

                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                text.append(data);
                                if (last) {
                                    first.complete(text.toString());
                                }
                                webSocket.request(1);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        try {
            ws.sendText("{\"type\":\"join\",\"room\":\"shared-port\",\"name\":\"Ada\"}", true)
                    .get(5, TimeUnit.SECONDS);
            String joined = first.get(10, TimeUnit.SECONDS);
            assertThat(joined).contains("\"type\":\"joined\"").contains("\"iceServers\"");
        } finally {
            ws.abort();
        }
    }

    @Test
    void withoutTlsWebAnHttpRequestOnTheTlsPortGetsNoWebPage() throws Exception {
        try (ServerHarness plain =
                        ServerHarness.startTls(TlsConfig.pem(0, dir.resolve("cert.pem"), dir.resolve("key.pem")));
                SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket()) {
            socket.connect(plain.tls(), 5000);
            socket.startHandshake();
            socket.getOutputStream()
                    .write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // Read as STUN framing (0x47 would start a ChannelData message): no answer at all.
            socket.setSoTimeout(1000);
            int first;
            try {
                first = socket.getInputStream().read();
            } catch (java.net.SocketTimeoutException silence) {
                first = -1;
            }
            assertThat(first).isEqualTo(-1);
        }
    }
}
