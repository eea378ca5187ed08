package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.stun.StunMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * coturn's turnutils_uclient with RFC 6062 TCP relays ({@code -T}): pairs of clients, each with a
 * TCP allocation, connect to each other's relayed address (Connect on one side, ConnectionAttempt
 * on the other, ConnectionBind on both) and echo through Tern. Every message must come back.
 */
class CoturnUclientTcpRelayTest {
    @Test
    void relaysBetweenTcpAllocationsWithoutLoss() throws Exception {
        Uclient.require();
        try (ServerHarness server = ServerHarness.startTurn()) {
            ExternalTool.Result r = Uclient.run(
                    server.udp().getPort(),
                    // -T ignores the peer: the clients are each other's peers.
                    9,
                    List.of("-u", "alice", "-w", "secret", "-T", "-m", "2", "-n", "50", "-l", "200"));
            // Every byte went through Tern's TCP relay both ways: 2 clients x 50 messages x 200 bytes,
            // counted leaving each client's data connection and arriving at the other's. Checked
            // before uclient's own count, so that a loss says whose it is (uclient -T drops a
            // message that reaches it in two reads, which Tern's 2 KiB reads made rare, not impossible).
            io.tern.server.metrics.ServerMetrics m = server.server().metrics();
            int tcp = io.tern.server.transport.ClientTransport.TCP.ordinal();
            assertThat(m.bytesToPeers(tcp)).as(r.output()).isEqualTo(2 * 50 * 200);
            assertThat(m.bytesToClients(tcp)).as(r.output()).isEqualTo(2 * 50 * 200);
            Uclient.assertNoLoss(r);
            assertThat(server.server().metrics().successCount(StunMethod.CONNECT))
                    .isPositive();
            assertThat(server.server().metrics().successCount(StunMethod.CONNECTION_BIND))
                    .isPositive();
        }
    }

    @Test
    void refusesTcpRelaysWithNoTcpRelay() throws Exception {
        Uclient.require();
        try (ServerHarness server =
                ServerHarness.startTurn(ServerHarness.turnConfig().withTcpRelay(false))) {
            ExternalTool.Result r = Uclient.run(
                    server.udp().getPort(), 9, List.of("-u", "alice", "-w", "secret", "-T", "-m", "2", "-n", "5"));
            assertThat(r.output()).contains("442");
            assertThat(server.server().metrics().successCount(StunMethod.CONNECT))
                    .isZero();
        }
    }
}
