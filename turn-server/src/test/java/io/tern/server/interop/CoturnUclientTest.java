package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * coturn's turnutils_uclient relaying through Tern to turnutils_peer, all on loopback. The tool
 * exits 0 even when it loses packets, so each run is judged by its own report: every message sent
 * must come back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoturnUclientTest {
    private static final String UCLIENT = "/usr/bin/turnutils_uclient";
    private static final String PEER = "/usr/bin/turnutils_peer";
    private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");

    private ServerHarness harness;
    private Process peer;
    private int peerPort;

    @BeforeAll
    void start() throws Exception {
        ExternalTool.require(UCLIENT, "coturn");
        ExternalTool.require(PEER, "coturn");
        harness = ServerHarness.startTurn();
        peerPort = freeUdpPortPair();
        // turnutils_peer echoes on the port and the one above it (RTP/RTCP pairs).
        peer = new ProcessBuilder(PEER, "-L", "127.0.0.1", "-p", String.valueOf(peerPort))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread.sleep(300);
    }

    @AfterAll
    void stop() throws Exception {
        if (peer != null) {
            peer.destroy();
            peer.waitFor();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "channels over UDP                  | -u alice -w secret -c -m 1 -n 50 -l 200",
                "Send and Data indications          | -u alice -w secret -s -m 1 -n 50 -l 200",
                "RTP/RTCP allocation pairs          | -u alice -w secret -m 2 -n 50 -l 200",
                "padded ChannelData                 | -u alice -w secret -c -D -m 1 -n 50 -l 101",
                "ten clients                        | -u alice -w secret -c -m 10 -n 50 -l 200",
                "relay to relay                     | -u alice -w secret -c -y -m 2 -n 50 -l 200",
                "TCP to the server                  | -u alice -w secret -c -t -m 1 -n 50 -l 200",
                "TCP with Send indications          | -u alice -w secret -s -t -m 1 -n 50 -l 200",
                "TURN REST credentials              | -u alice -W rest-secret -c -m 1 -n 50 -l 200",
                "TURN REST credentials over TCP     | -u alice -W rest-secret -c -t -m 1 -n 50 -l 200",
            })
    void relaysEveryMessageWithoutLoss(String scenario, String options) throws Exception {
        ExternalTool.Result r = uclient(options);
        Matcher totals = lastMatch(TOTALS, r.output());
        assertThat(totals).as("no totals in:\n%s", r.output()).isNotNull();
        long sent = Long.parseLong(totals.group(1));
        long received = Long.parseLong(totals.group(2));
        assertThat(sent).as(r.output()).isPositive();
        assertThat(received).as(r.output()).isEqualTo(sent);
        Matcher lost = lastMatch(LOST, r.output());
        assertThat(lost).isNotNull();
        assertThat(Long.parseLong(lost.group(1))).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "wrong password    | -u alice -w wrong",
                "unknown user      | -u mallory -w secret",
                "wrong REST secret | -u alice -W not-the-secret",
            })
    void refusesBadCredentials(String scenario, String credentials) throws Exception {
        ExternalTool.Result r = uclient(credentials + " -c -m 1 -n 5 -l 100");
        assertThat(r.output()).contains("Cannot complete Allocation");
        assertThat(r.output()).doesNotContain("tot_recv_msgs");
    }

    @Test
    void refusesLoopbackPeersWithoutTheTestSetting() throws Exception {
        var config = ServerHarness.turnConfig();
        var strict = new io.tern.server.config.TurnConfig(
                config.realm(),
                config.users(),
                config.staticAuthSecrets(),
                config.relayIps(),
                config.externalIps(),
                30000,
                30999,
                600,
                3600,
                false,
                List.of(),
                List.of(),
                0,
                0,
                0);
        try (ServerHarness safe = ServerHarness.startTurn(strict)) {
            ExternalTool.Result r = ExternalTool.run(
                    30,
                    command(safe.udp().getPort(), "-u alice -w secret -c -m 1 -n 5 -l 100")
                            .toArray(new String[0]));
            assertThat(r.output()).contains("error 403");
            assertThat(safe.server().metrics().relayDropCount(io.tern.server.metrics.RelayDrop.PEER_REFUSED))
                    .isPositive();
        }
    }

    private ExternalTool.Result uclient(String options) throws Exception {
        return ExternalTool.run(60, command(harness.udp().getPort(), options).toArray(new String[0]));
    }

    private List<String> command(int serverPort, String options) {
        List<String> cmd = new ArrayList<>(List.of(UCLIENT, "-p", String.valueOf(serverPort)));
        cmd.addAll(List.of(options.trim().split("\\s+")));
        cmd.addAll(List.of("-e", "127.0.0.1", "-r", String.valueOf(peerPort), "127.0.0.1"));
        return cmd;
    }

    private static Matcher lastMatch(Pattern p, String text) {
        Matcher m = p.matcher(text);
        Matcher last = null;
        while (m.find()) {
            last = p.matcher(text);
            last.find(m.start());
        }
        return last;
    }

    /** A port P with P and P+1 free for UDP, below the ephemeral range so clients do not take it. */
    private static int freeUdpPortPair() throws Exception {
        for (int port = 31000; port < 32000; port += 2) {
            try (DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
                    DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.1", port + 1))) {
                return port;
            } catch (java.net.SocketException taken) {
                // try the next pair
            }
        }
        throw new IllegalStateException("no free UDP port pair in 31000-31999");
    }
}
