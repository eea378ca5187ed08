package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.tls.CertificateAndKey;
import io.tern.server.transport.ClientTransport;
import io.tern.stun.StunMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * aioice (the ICE library behind aiortc; Debian python3-aioice) allocates on Tern with its own TURN
 * client code, over UDP and over TCP, and relays datagrams to a UDP echo peer the script runs on
 * loopback. Per transport the script sends payloads of 1 to 1200 bytes first as Send indications
 * (after a CreatePermission), then through aioice's channel code (ChannelBind, ChannelData, and a
 * re-bind of the same channel), checks each echo byte for byte and by peer address, verifies the
 * MESSAGE-INTEGRITY of every success response with the long-term key, then refreshes and deletes
 * the allocation. aioice 0.8.0 itself only uses channels; the indication path is driven with its
 * codec and transaction code. See {@code interop/aioice_turn.py}.
 */
class AioiceTurnTest {
    /** Where the script finds the TLS port and the certificate to trust, for a "tls" run. */
    private static Map<String, String> tlsEnv = Map.of();

    private static final Pattern OK = Pattern.compile("(?m)^(udp|tcp|tls) OK relayed=127\\.0\\.0\\.1:(\\d+) sent=(\\d+)"
            + " echoed=(\\d+) peer=(\\d+) indications=(\\d+)/(\\d+) channel=(\\d+)/(\\d+)"
            + " channel_binds=(\\d+) signed=(\\d+)$");

    @Test
    void relaysByteExactOverUdpAndTcpWithLongTermCredentials() throws Exception {
        try (ServerHarness harness = ServerHarness.startTurn()) {
            relayAndCheck(harness, "alice", "secret", "udp", "tcp");
        }
    }

    @Test
    void relaysByteExactWithTurnRestCredentials() throws Exception {
        String username = (System.currentTimeMillis() / 1000 + 3600) + ":alice";
        try (ServerHarness harness = ServerHarness.startTurn()) {
            relayAndCheck(harness, username, restPassword(ServerHarness.REST_SECRET, username), "udp", "tcp");
        }
    }

    @Test
    void relaysByteExactOverTlsWithTheCertificateChecked(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        CertificateAndKey.selfSigned("localhost", Duration.ofDays(1)).writePem(cert, dir.resolve("key.pem"));
        try (ServerHarness harness = ServerHarness.startTls(TlsConfig.pem(0, cert, dir.resolve("key.pem")))) {
            tlsEnv = Map.of(
                    "AIOICE_TLS_PORT", String.valueOf(harness.tls().getPort()), "AIOICE_CA_FILE", cert.toString());
            relayAndCheck(harness, "alice", "secret", "tls");
            assertThat(harness.server().metrics().packetsToClients(ClientTransport.TLS.ordinal()))
                    .isPositive();
        } finally {
            tlsEnv = Map.of();
        }
    }

    @Test
    void refusesAWrongPasswordAndAnExpiredRestUsername() throws Exception {
        String expired = (System.currentTimeMillis() / 1000 - 60) + ":alice";
        try (ServerHarness harness = ServerHarness.startTurn()) {
            ExternalTool.Result wrong = runScript(harness, "alice", "not-the-password", "udp", "tcp");
            assertThat(wrong.exitCode()).as(wrong.output()).isNotZero();
            assertThat(wrong.output()).containsPattern("(?m)^udp FAIL TransactionFailed: .*\\(401 ");
            assertThat(wrong.output()).containsPattern("(?m)^tcp FAIL TransactionFailed: .*\\(401 ");

            ExternalTool.Result old =
                    runScript(harness, expired, restPassword(ServerHarness.REST_SECRET, expired), "udp");
            assertThat(old.exitCode()).as(old.output()).isNotZero();
            assertThat(old.output()).containsPattern("(?m)^udp FAIL TransactionFailed: .*\\(401 ");

            assertThat(harness.server().metrics().allocationsStartedCount()).isZero();
        }
    }

    private static void relayAndCheck(ServerHarness harness, String username, String password, String... transports)
            throws Exception {
        ServerMetrics metrics = harness.server().metrics();
        long toPeersBefore = metrics.packetsToPeers();
        long toClientsBefore = metrics.packetsToClients();

        ExternalTool.Result r = runScript(harness, username, password, transports);

        assertThat(r.exitCode()).as(r.output()).isZero();
        List<String> seen = new ArrayList<>();
        long sentTotal = 0;
        Matcher m = OK.matcher(r.output());
        while (m.find()) {
            seen.add(m.group(1));
            int relayPort = Integer.parseInt(m.group(2));
            long sent = Long.parseLong(m.group(3));
            assertThat(relayPort).as(r.output()).isBetween(20000, 29999);
            assertThat(sent).as(r.output()).isPositive();
            assertThat(Long.parseLong(m.group(4))).as("echoed\n%s", r.output()).isEqualTo(sent);
            assertThat(Long.parseLong(m.group(5)))
                    .as("got by the peer\n%s", r.output())
                    .isEqualTo(sent);
            // Both relay paths carried traffic with nothing lost.
            assertThat(Long.parseLong(m.group(6))).as(r.output()).isPositive().isEqualTo(Long.parseLong(m.group(7)));
            assertThat(Long.parseLong(m.group(8))).as(r.output()).isPositive().isEqualTo(Long.parseLong(m.group(9)));
            // A ChannelBind and its refresh; every success response (Allocate, CreatePermission, two
            // ChannelBind, two Refresh) carried a MESSAGE-INTEGRITY that aioice's codec verified.
            assertThat(Integer.parseInt(m.group(10))).as(r.output()).isGreaterThanOrEqualTo(2);
            assertThat(Integer.parseInt(m.group(11))).as(r.output()).isGreaterThanOrEqualTo(6);
            sentTotal += sent;
        }
        assertThat(seen).as(r.output()).containsExactly(transports);

        assertThat(metrics.packetsToPeers() - toPeersBefore).isGreaterThanOrEqualTo(sentTotal);
        assertThat(metrics.packetsToClients() - toClientsBefore).isGreaterThanOrEqualTo(sentTotal);
        assertThat(metrics.successCount(StunMethod.CREATE_PERMISSION)).isGreaterThanOrEqualTo(transports.length);
        assertThat(metrics.successCount(StunMethod.CHANNEL_BIND)).isGreaterThanOrEqualTo(2L * transports.length);
        // The script deleted each allocation (Refresh LIFETIME 0) and got a success answer.
        assertThat(metrics.allocationsStartedCount()).isEqualTo(transports.length);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (metrics.allocationsActive() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(metrics.allocationsActive()).isZero();
    }

    private static ExternalTool.Result runScript(
            ServerHarness harness, String username, String password, String... transports) throws Exception {
        ExternalTool.requirePythonModule("aioice.turn", "python3-aioice");
        Path script = Path.of(Objects.requireNonNull(AioiceTurnTest.class.getResource("/interop/aioice_turn.py"))
                .toURI());
        List<String> command = new ArrayList<>(List.of(
                "/usr/bin/python3",
                script.toString(),
                "127.0.0.1",
                String.valueOf(harness.udp().getPort()),
                String.valueOf(harness.tcp().getPort()),
                username,
                password));
        command.addAll(List.of(transports));
        // The script bounds itself at 20 s; this is the backstop.
        return ExternalTool.run(30, tlsEnv, command.toArray(new String[0]));
    }

    /** TURN REST password: base64(HMAC-SHA1(secret, username)). */
    private static String restPassword(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }
}
