package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.address;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.buf;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.errorOf;
import static io.tern.server.turn.TurnTesting.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.StunErrorResponseException;
import io.tern.client.TransportProtocol;
import io.tern.server.ServerHarness;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Draining: new allocations are pointed elsewhere, existing ones keep relaying, /readyz goes 503. */
class DrainTest {
    private static final InetSocketAddress ALT_A = new InetSocketAddress("192.0.2.10", 3478);
    private static final InetSocketAddress ALT_B = new InetSocketAddress("192.0.2.11", 3479);

    @Test
    void sendsNewAllocationsToTheAlternatesInTurnAndKeepsExistingOnesRelaying() throws Exception {
        var turn = ServerHarness.turnConfig().withAlternateServers(List.of(ALT_A, ALT_B));
        try (ServerHarness server = ServerHarness.startTurn(turn);
                TurnTesting.Peer peer = TurnTesting.Peer.v4();
                StunClient before = client(
                        server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, InboundListener.IGNORE)) {
            await(before.allocate());
            await(before.channelBind(0x4002, peer.address()));
            assertThat(server.server().ready()).isTrue();

            server.server().drain();

            assertThat(server.server().ready()).as("readyz while draining").isFalse();
            List<InetSocketAddress> sentTo = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                try (StunClient late = client(
                        server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, InboundListener.IGNORE)) {
                    StunErrorResponseException refused = errorOf(late.allocate());
                    assertThat(refused.code()).isEqualTo(300);
                    sentTo.add(address(refused.response(), AttributeType.ALTERNATE_SERVER));
                }
            }
            assertThat(sentTo).containsExactly(ALT_A, ALT_B);

            byte[] data = payload(64);
            before.sendChannelData(0x4002, buf(data));
            assertThat(peer.receive().data()).isEqualTo(data);
        }
    }

    @Test
    void withoutAnAlternateNewAllocationsGet508() throws Exception {
        try (ServerHarness server = ServerHarness.startTurn();
                StunClient late =
                        client(server, TransportProtocol.TCP, PasswordAlgorithm.MD5, ALICE, InboundListener.IGNORE)) {
            server.server().drain();
            assertThat(errorCode(late.allocate())).isEqualTo(508);
        }
    }
}
