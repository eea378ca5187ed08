package io.tern.server.http;

import static io.tern.server.http.Scrape.metrics;
import static io.tern.server.http.Scrape.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.metrics.DropReason;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.metrics.Rfc5780Answer;
import io.tern.stun.ParseError;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /metrics} on a real TURN server: the Prometheus text format, every Tern series present
 * from the start, and values that follow real STUN/TURN traffic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndpointTest {
    private static final String BINDING_OK = "tern_requests_total{method=\"Binding\",result=\"success\"}";
    private static final String ALLOCATE_OK = "tern_requests_total{method=\"Allocate\",result=\"success\"}";
    private static final String ALLOCATE_ERROR = "tern_requests_total{method=\"Allocate\",result=\"error\"}";
    private static final String ALLOCATE_401 = "tern_request_errors_total{code=\"401\",method=\"Allocate\"}";

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
    void servesPrometheusTextWithEverySeriesFromTheStart() throws Exception {
        HttpResponse<String> r = Scrape.get(server.http(), "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body())
                .contains("# TYPE tern_requests_total counter")
                .contains("# TYPE tern_allocations_active gauge")
                .contains("# HELP tern_relayed_bytes_total");
        Map<String, Double> m = Scrape.parse(r.body());
        assertThat(m)
                .containsKeys(
                        "tern_allocations_active",
                        "tern_allocations_total",
                        "tern_allocations_ended_total{reason=\"expired\"}",
                        "tern_allocations_ended_total{reason=\"deleted\"}",
                        "tern_allocations_ended_total{reason=\"connection_closed\"}",
                        "tern_relayed_bytes_total{direction=\"to_client\",transport=\"tcp\"}",
                        "tern_relayed_packets_total{direction=\"to_peer\",transport=\"tls\"}",
                        "tern_permissions_active",
                        "tern_channels_active",
                        "tern_request_errors_total{code=\"401\",method=\"Allocate\"}",
                        "tern_request_errors_total{code=\"other\",method=\"Refresh\"}",
                        "tern_relayed_packets_total{direction=\"to_peer\",transport=\"udp\"}",
                        "tern_relayed_packets_total{direction=\"to_client\",transport=\"udp\"}",
                        "tern_relayed_bytes_total{direction=\"to_peer\",transport=\"udp\"}",
                        "tern_relayed_bytes_total{direction=\"to_client\",transport=\"udp\"}",
                        BINDING_OK,
                        "tern_requests_total{method=\"ChannelBind\",result=\"error\"}",
                        "tern_requests_total{method=\"other\",result=\"error\"}",
                        "tern_tcp_connections_total",
                        "tern_netty_memory_used_bytes{allocator=\"pooled\",memory=\"direct\"}",
                        "process_uptime_seconds");
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=\"heap\""));
        for (ParseError e : ParseError.values()) {
            assertThat(m)
                    .containsKey("tern_malformed_total{reason=\"" + e.name().toLowerCase() + "\"}");
        }
        for (DropReason e : DropReason.values()) {
            assertThat(m).containsKey("tern_dropped_total{reason=\"" + e.name().toLowerCase() + "\"}");
        }
        for (RelayDrop e : RelayDrop.values()) {
            assertThat(m)
                    .containsKey("tern_relay_dropped_total{reason=\"" + e.name().toLowerCase() + "\"}");
        }
        for (Rfc5780Answer e : Rfc5780Answer.values()) {
            assertThat(m)
                    .containsKey("tern_rfc5780_answers_total{kind=\"" + e.name().toLowerCase() + "\"}");
        }
    }

    @Test
    void countsABindingRequestOverUdp() throws Exception {
        double before = value(metrics(server.http()), BINDING_OK);
        try (StunClient client = StunClient.builder(server.udp())
                .timeout(Duration.ofSeconds(3))
                .connect()
                .get(3, TimeUnit.SECONDS)) {
            client.binding().get(3, TimeUnit.SECONDS);
        }
        assertThat(value(metrics(server.http()), BINDING_OK)).isEqualTo(before + 1);
    }

    @Test
    void countsMalformedDatagramsByReason() throws Exception {
        String key = "tern_malformed_total{reason=\"truncated_header\"}";
        double before = value(metrics(server.http()), key);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] junk = {0, 1, 0, 0, 0x21};
            socket.send(new DatagramPacket(junk, junk.length, server.udp()));
        }
        eventually(() -> value(metrics(server.http()), key) == before + 1);
    }

    @Test
    void followsAnAllocationAndItsRelayedTraffic() throws Exception {
        Map<String, Double> start = metrics(server.http());
        byte[] hello = "hello peer".getBytes(StandardCharsets.US_ASCII);
        byte[] reply = "reply from the peer!".getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                StunClient client = StunClient.builder(server.udp())
                        .localAddress(new InetSocketAddress("127.3.0.1", 0))
                        .credentials(new Credentials("alice", "secret"))
                        .timeout(Duration.ofSeconds(3))
                        .connect()
                        .get(3, TimeUnit.SECONDS)) {
            TurnAllocation allocation = client.allocate().get(3, TimeUnit.SECONDS);
            Map<String, Double> allocated = metrics(server.http());
            assertThat(value(allocated, "tern_allocations_active"))
                    .isEqualTo(value(start, "tern_allocations_active") + 1);
            assertThat(value(allocated, "tern_allocations_total"))
                    .isEqualTo(value(start, "tern_allocations_total") + 1);
            assertThat(value(allocated, ALLOCATE_OK)).isEqualTo(value(start, ALLOCATE_OK) + 1);
            // The first Allocate is challenged (401), which is an error response.
            assertThat(value(allocated, ALLOCATE_ERROR)).isEqualTo(value(start, ALLOCATE_ERROR) + 1);
            assertThat(delta(start, allocated, ALLOCATE_401)).isEqualTo(1);

            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            client.createPermission(peerAddress).get(3, TimeUnit.SECONDS);
            client.channelBind(0x4001, peerAddress).get(3, TimeUnit.SECONDS);
            // The gauges follow each event loop's once-a-second sweep.
            eventually(() -> {
                Map<String, Double> m = metrics(server.http());
                return delta(start, m, "tern_permissions_active") == 1 && delta(start, m, "tern_channels_active") == 1;
            });
            client.send(peerAddress, Unpooled.wrappedBuffer(hello)).get(3, TimeUnit.SECONDS);
            peer.setSoTimeout(3000);
            DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
            peer.receive(got);
            assertThat(got.getLength()).isEqualTo(hello.length);
            peer.send(new DatagramPacket(reply, reply.length, allocation.relayedAddress()));

            eventually(() -> {
                Map<String, Double> m = metrics(server.http());
                return value(m, "tern_relayed_packets_total{direction=\"to_client\",transport=\"udp\"}")
                        == value(start, "tern_relayed_packets_total{direction=\"to_client\",transport=\"udp\"}") + 1;
            });
            Map<String, Double> relayed = metrics(server.http());
            assertThat(delta(start, relayed, "tern_relayed_packets_total{direction=\"to_peer\",transport=\"udp\"}"))
                    .isEqualTo(1);
            assertThat(delta(start, relayed, "tern_relayed_bytes_total{direction=\"to_peer\",transport=\"udp\"}"))
                    .isEqualTo(hello.length);
            assertThat(delta(start, relayed, "tern_relayed_bytes_total{direction=\"to_client\",transport=\"udp\"}"))
                    .isEqualTo(reply.length);

            client.refresh(Duration.ZERO).get(3, TimeUnit.SECONDS);
            Map<String, Double> ended = metrics(server.http());
            assertThat(value(ended, "tern_allocations_active")).isEqualTo(value(start, "tern_allocations_active"));
            assertThat(delta(start, ended, "tern_allocations_ended_total{reason=\"deleted\"}"))
                    .isEqualTo(1);
            assertThat(delta(start, ended, "tern_allocations_ended_total{reason=\"expired\"}"))
                    .isZero();
        }
        eventually(() -> delta(start, metrics(server.http()), "tern_permissions_active") == 0);
    }

    @Test
    void labelsRelayedTrafficWithTheClientsTransport() throws Exception {
        String tcpToPeer = "tern_relayed_packets_total{direction=\"to_peer\",transport=\"tcp\"}";
        String udpToPeer = "tern_relayed_packets_total{direction=\"to_peer\",transport=\"udp\"}";
        Map<String, Double> start = metrics(server.http());
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                StunClient client = StunClient.builder(server.tcp())
                        .protocol(io.tern.client.TransportProtocol.TCP)
                        .credentials(new Credentials("alice", "secret"))
                        .timeout(Duration.ofSeconds(3))
                        .connect()
                        .get(3, TimeUnit.SECONDS)) {
            client.allocate().get(3, TimeUnit.SECONDS);
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            client.createPermission(peerAddress).get(3, TimeUnit.SECONDS);
            client.send(peerAddress, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}))
                    .get(3, TimeUnit.SECONDS);
            peer.setSoTimeout(3000);
            peer.receive(new DatagramPacket(new byte[64], 64));
        }
        Map<String, Double> after = metrics(server.http());
        assertThat(delta(start, after, tcpToPeer)).isEqualTo(1);
        assertThat(delta(start, after, udpToPeer)).isZero();
    }

    @Test
    void countsAuthenticationFailuresByReason() throws Exception {
        String challenge = "tern_auth_failures_total{reason=\"no_integrity\"}";
        String wrong = "tern_auth_failures_total{reason=\"bad_integrity\"}";
        Map<String, Double> start = metrics(server.http());
        try (StunClient client = StunClient.builder(server.udp())
                .localAddress(new InetSocketAddress("127.3.0.2", 0))
                .credentials(new Credentials("alice", "not-the-password"))
                .timeout(Duration.ofSeconds(3))
                .connect()
                .get(3, TimeUnit.SECONDS)) {
            assertThat(client.allocate().handle((a, e) -> e != null).get(5, TimeUnit.SECONDS))
                    .isTrue();
        }
        Map<String, Double> after = metrics(server.http());
        assertThat(value(after, challenge)).isEqualTo(value(start, challenge) + 1);
        assertThat(value(after, wrong)).isEqualTo(value(start, wrong) + 1);
    }

    @Test
    void countsTcpConnections() throws Exception {
        double before = value(metrics(server.http()), "tern_tcp_connections_total");
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(server.tcp(), 2000);
            eventually(() -> value(metrics(server.http()), "tern_tcp_connections_total") == before + 1);
        }
    }

    private static double delta(Map<String, Double> from, Map<String, Double> to, String key) {
        return value(to, key) - value(from, key);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void eventually(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 3 s");
            }
            Thread.sleep(20);
        }
    }
}
