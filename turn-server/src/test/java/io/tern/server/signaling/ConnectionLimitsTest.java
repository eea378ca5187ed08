package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The caps on signaling connections (in total, per source address) and the origin allowlist:
 * refused upgrades get their HTTP status and are counted; a closed connection frees its slot;
 * a reload applies new caps and origins to the next upgrades.
 */
class ConnectionLimitsTest {
    private static final String REFUSED = "tern_signal_connections_refused_total{reason=\"%s\"}";

    @Test
    void beyondTheTotalCapAnUpgradeGets503AndAClosedConnectionFreesItsSlot() throws Exception {
        try (SignalingHarness server =
                        SignalingHarness.start(SignalingHarness.config().withConnectionLimits(3, 50));
                SignalClient a = server.connect();
                SignalClient b = server.connect();
                Upgrade c = Upgrade.from(server, "127.0.0.2", null)) {
            assertThat(c.status).isEqualTo(101);
            // The cap counts every address: 127.0.0.3 has no connection yet.
            try (Upgrade refused = Upgrade.from(server, "127.0.0.3", null)) {
                assertThat(refused.status).isEqualTo(503);
                assertThat(refused.body).contains("too many signaling connections");
                assertThat(refused.closedByServer()).isTrue();
            }
            assertThat(refused(server, "max-connections")).isEqualTo(1);
            assertThat(refused(server, "max-connections-per-ip")).isZero();

            c.close();
            try (Upgrade again = eventuallyUpgraded(server, "127.0.0.3")) {
                again.sendPing();
            }
            a.send("{\"type\":\"ping\"}");
            a.next("pong");
        }
    }

    @Test
    void beyondThePerAddressCapAnUpgradeGets429WhileOtherAddressesGetIn() throws Exception {
        try (SignalingHarness server =
                        SignalingHarness.start(SignalingHarness.config().withConnectionLimits(100, 2));
                Upgrade a = Upgrade.from(server, "127.0.0.2", null);
                Upgrade b = Upgrade.from(server, "127.0.0.2", null)) {
            assertThat(a.status).isEqualTo(101);
            assertThat(b.status).isEqualTo(101);
            try (Upgrade refused = Upgrade.from(server, "127.0.0.2", null)) {
                assertThat(refused.status).isEqualTo(429);
                assertThat(refused.body).contains("from your address");
            }
            try (SignalClient other = server.connect()) { // from 127.0.0.1
                other.send("{\"type\":\"ping\"}");
                other.next("pong");
            }
            assertThat(refused(server, "max-connections-per-ip")).isEqualTo(1);
            assertThat(refused(server, "max-connections")).isZero();

            b.close();
            try (Upgrade again = eventuallyUpgraded(server, "127.0.0.2")) {
                again.sendPing();
            }
            a.sendPing();
        }
    }

    @Test
    void withAllowedOriginsOnlyThoseOriginsGetIn() throws Exception {
        try (SignalingHarness server = SignalingHarness.start(SignalingHarness.config()
                .withAllowedOrigins(List.of("https://Meet.Example.org:443", "http://localhost:8080")))) {
            for (String origin : new String[] {null, "https://evil.example", "https://meet.example.org:8443", "null"}) {
                try (Upgrade refused = Upgrade.from(server, "127.0.0.1", origin)) {
                    assertThat(refused.status).as("Origin: " + origin).isEqualTo(403);
                    assertThat(refused.body).contains("origin");
                }
            }
            assertThat(refused(server, "origin")).isEqualTo(4);
            for (String origin : new String[] {"https://meet.example.org", "HTTP://localhost:8080"}) {
                try (Upgrade ok = Upgrade.from(server, "127.0.0.1", origin)) {
                    assertThat(ok.status).as("Origin: " + origin).isEqualTo(101);
                    ok.sendPing();
                }
            }
            assertThat(refused(server, "max-connections")).isZero();
        }
    }

    @Test
    void aReloadAppliesNewCapsAndOriginsToTheNextUpgradesAndKeepsOpenConnections() throws Exception {
        try (SignalingHarness server = SignalingHarness.start(SignalingHarness.config());
                SignalClient a = server.connect();
                SignalClient b = server.connect()) {
            server.server.reload(server.server
                    .config()
                    .withSignaling(SignalingHarness.config().withConnectionLimits(2, 50)));
            try (Upgrade refused = Upgrade.from(server, "127.0.0.2", null)) {
                assertThat(refused.status).isEqualTo(503);
            }
            server.server.reload(server.server
                    .config()
                    .withSignaling(SignalingHarness.config()
                            .withConnectionLimits(10, 2)
                            .withAllowedOrigins(List.of("https://meet.example.org"))));
            try (Upgrade refused = Upgrade.from(server, "127.0.0.2", null)) {
                assertThat(refused.status).isEqualTo(403);
            }
            try (Upgrade refused = Upgrade.from(server, "127.0.0.1", "https://meet.example.org")) {
                assertThat(refused.status)
                        .as("a and b hold 127.0.0.1's two slots")
                        .isEqualTo(429);
            }
            try (Upgrade ok = Upgrade.from(server, "127.0.0.2", "https://meet.example.org")) {
                assertThat(ok.status).isEqualTo(101);
            }
            for (SignalClient open : List.of(a, b)) {
                open.send("{\"type\":\"ping\"}");
                open.next("pong");
            }
        }
    }

    private static double refused(SignalingHarness server, String reason) throws Exception {
        Map<String, Double> samples = SignalingMetricsTest.scrape(server);
        Double value = samples.get(String.format(REFUSED, reason));
        assertThat(value).as("%s on /metrics", String.format(REFUSED, reason)).isNotNull();
        return value;
    }

    /** Upgrades from {@code local} until it works: the server frees a slot once it sees the close. */
    private static Upgrade eventuallyUpgraded(SignalingHarness server, String local) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Upgrade u = Upgrade.from(server, local, null);
            if (u.status == 101) {
                return u;
            }
            u.close();
            assertThat(System.nanoTime()).as("a slot freed within 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * A WebSocket upgrade over a plain socket bound to a chosen loopback address (the JDK client
     * cannot choose its source address): the status and body of the answer; upgraded, the socket
     * stays open until closed.
     */
    private static final class Upgrade implements AutoCloseable {
        private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) .*");
        private static final Pattern LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

        final Socket socket;
        final int status;
        final String body;

        private Upgrade(Socket socket, int status, String body) {
            this.socket = socket;
            this.status = status;
            this.body = body;
        }

        static Upgrade from(SignalingHarness server, String local, String origin) throws Exception {
            InetSocketAddress to = server.httpAddress();
            Socket s = new Socket(to.getAddress(), to.getPort(), InetAddress.getByName(local), 0);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                            + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int c = in.read();
                assertThat(c).as("an answer to the upgrade, got: " + head).isNotNegative();
                head.append((char) c);
            }
            Matcher status = STATUS.matcher(head.substring(0, head.indexOf("\r\n")));
            assertThat(status.matches()).as(head.toString()).isTrue();
            int code = Integer.parseInt(status.group(1));
            String body = "";
            Matcher length = LENGTH.matcher(head);
            if (code != 101 && length.find()) {
                body = new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
            }
            return new Upgrade(s, code, body);
        }

        /** Whether the server closes the socket after its answer. */
        boolean closedByServer() throws Exception {
            return socket.getInputStream().read() == -1;
        }

        /** Sends a masked WebSocket ping and reads the server's pong: the connection is served. */
        void sendPing() throws Exception {
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {(byte) 0x89, (byte) 0x80, 1, 2, 3, 4}); // FIN+ping, masked, empty
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(in.read()).as("FIN+pong").isEqualTo(0x8A);
            assertThat(in.read()).as("empty, unmasked").isZero();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
