package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import java.util.List;
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
    private ServerHarness harness;
    private Uclient.EchoPeer peer;

    @BeforeAll
    void start() throws Exception {
        Uclient.require();
        harness = ServerHarness.startTurn();
        peer = Uclient.EchoPeer.start(31000, 32000);
    }

    @AfterAll
    void stop() throws Exception {
        if (peer != null) {
            peer.close();
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
        Uclient.assertNoLoss(uclient(options));
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
        var strict = ServerHarness.turnConfig().withPorts(30000, 30999).withPeerPolicy(false, List.of(), List.of());
        try (ServerHarness safe = ServerHarness.startTurn(strict)) {
            ExternalTool.Result r =
                    Uclient.run(safe.udp().getPort(), peer.port(), split("-u alice -w secret -c -m 1 -n 5 -l 100"));
            assertThat(r.output()).contains("error 403");
            assertThat(safe.server().metrics().relayDropCount(io.tern.server.metrics.RelayDrop.PEER_REFUSED))
                    .isPositive();
        }
    }

    private ExternalTool.Result uclient(String options) throws Exception {
        return Uclient.run(harness.udp().getPort(), peer.port(), split(options));
    }

    private static List<String> split(String options) {
        return List.of(options.trim().split("\\s+"));
    }
}
