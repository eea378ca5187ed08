package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.client;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A relay port some other program holds is skipped, not answered with 508. */
class BusyPortTest {
    @Test
    void allocatesOnAnotherPortWhenOneInTheRangeIsTaken() throws Exception {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int taken = squatter.getLocalPort();
            // A range of two ports, one of them held by the squatter.
            int min = taken % 2 == 0 ? taken : taken - 1;
            try (ServerHarness server = ServerHarness.startTurn(TurnTesting.withPorts(min, min + 1))) {
                for (int i = 0; i < 5; i++) {
                    try (StunClient c = client(
                            server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, InboundListener.IGNORE)) {
                        TurnAllocation a = await(c.allocate());
                        assertThat(a.relayedAddress().getPort())
                                .isNotEqualTo(taken)
                                .isBetween(min, min + 1);
                        await(c.refresh(java.time.Duration.ZERO));
                    }
                }
            }
        }
    }
}
