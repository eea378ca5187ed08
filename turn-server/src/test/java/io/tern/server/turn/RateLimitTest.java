package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.buf;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.config.TurnConfig;
import io.tern.server.metrics.RelayDrop;
import io.tern.stun.integrity.PasswordAlgorithm;
import org.junit.jupiter.api.Test;

/** max-bps: a token bucket per allocation and direction; traffic over it is dropped and counted. */
class RateLimitTest {
    private static final int MAX_BPS = 2_000;
    private static final int PACKET = 500;

    @Test
    void dropsWhatExceedsTheAllocationsRateAndCountsIt() throws Exception {
        TurnConfig limited = ServerHarness.turnConfig().withQuotas(0, 0, MAX_BPS);
        try (ServerHarness server = ServerHarness.startTurn(limited);
                TurnTesting.Peer peer = TurnTesting.Peer.v4();
                StunClient c = client(
                        server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, InboundListener.IGNORE)) {
            TurnAllocation a = await(c.allocate());
            await(c.channelBind(0x4001, peer.address()));
            int sent = 40; // 20,000 bytes in a burst: ten seconds' worth at 2,000 B/s
            for (int i = 0; i < sent; i++) {
                c.sendChannelData(0x4001, buf(payload(PACKET)));
            }
            int received = 0;
            while (peer.receiveWithin(300) != null) {
                received++;
            }
            // The bucket starts full with one second of traffic, and refills at 4 packets a second.
            assertThat(received).isBetween(MAX_BPS / PACKET, MAX_BPS / PACKET + 4);
            assertThat(server.server().metrics().relayDropCount(RelayDrop.RATE_LIMITED))
                    .isEqualTo(sent - received);
            assertThat(a.relayedAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        }
    }
}
