package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.buf;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.client.Credentials;
import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.TurnConfig;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reload (SIGHUP): new users, secrets and peer rules apply to new requests while existing
 * allocations keep relaying; a bad configuration is refused and changes nothing.
 */
class ReloadTest {
    private static final Credentials BOB = new Credentials("bob", "bobs-password");

    @Test
    void newCredentialsAndPeerRulesApplyWithoutDroppingAllocations() throws Exception {
        try (ServerHarness server = ServerHarness.startTurn();
                TurnTesting.Peer peer = TurnTesting.Peer.v4();
                StunClient alice = client(
                        server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, InboundListener.IGNORE)) {
            TurnAllocation a = await(alice.allocate());
            await(alice.channelBind(0x4001, peer.address()));

            ServerConfig running = server.server().config();
            TurnConfig next = running.turn()
                    .withCredentials(List.of("bob:" + BOB.password()), List.of())
                    .withPeerPolicy(false, List.of(), List.of());
            server.server().reload(running.withTurn(next));

            // The allocation made before the reload still relays, both ways.
            byte[] data = payload(100);
            alice.sendChannelData(0x4001, buf(data));
            assertThat(peer.receive().data()).isEqualTo(data);
            assertThat(server.server().metrics().allocationsActive()).isEqualTo(1);

            // New requests see the new users...
            try (StunClient bob =
                    client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, BOB, InboundListener.IGNORE)) {
                await(bob.allocate());
                // ...and the new peer rules: loopback peers are no longer allowed.
                assertThat(errorCode(bob.createPermission(peer.address()))).isEqualTo(403);
            }
            try (StunClient aliceAgain =
                    client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, InboundListener.IGNORE)) {
                assertThat(errorCode(aliceAgain.allocate())).isEqualTo(401);
            }
            assertThat(a.relayedAddress().getPort()).isBetween(20000, 29999);
        }
    }

    @Test
    void noPacketIsLostWhileReloadsRunDuringTraffic() throws Exception {
        TurnTesting.Inbox inbox = new TurnTesting.Inbox();
        try (ServerHarness server = ServerHarness.startTurn();
                TurnTesting.Peer peer = TurnTesting.Peer.v4();
                StunClient alice = client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, inbox)) {
            TurnAllocation a = await(alice.allocate());
            await(alice.channelBind(0x4001, peer.address()));
            ServerConfig running = server.server().config();
            // Each reload swaps users and peer rules for an equal set: the data path must not notice.
            List<ServerConfig> configs = List.of(
                    running.withTurn(running.turn().withCredentials(List.of("alice:secret", "bob:x"), List.of())),
                    running);
            java.util.concurrent.atomic.AtomicInteger reloads = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread reloader = new Thread(() -> {
                while (!stop.get()) {
                    server.server().reload(configs.get(reloads.getAndIncrement() % 2));
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            reloader.start();
            int sent = 0;
            try {
                // Lock-step round trips (client → peer → client), so a loss is a missing sequence
                // number rather than a full socket buffer; at least 2,000 of them and 20 reloads.
                while (sent < 2000 || reloads.get() < 20) {
                    byte[] out = java.nio.ByteBuffer.allocate(100).putInt(sent).array();
                    alice.sendChannelData(0x4001, buf(out));
                    TurnTesting.Peer.Datagram atPeer = peer.receive();
                    assertThat(java.nio.ByteBuffer.wrap(atPeer.data()).getInt()).isEqualTo(sent);
                    peer.send(a.relayedAddress(), atPeer.data());
                    assertThat(java.nio.ByteBuffer.wrap(inbox.next().data()).getInt())
                            .isEqualTo(sent);
                    sent++;
                    assertThat(sent).as("round trips before 20 reloads").isLessThan(200_000);
                }
            } finally {
                stop.set(true);
                reloader.join(5000);
            }
            assertThat(server.server().metrics().relayDropCount(io.tern.server.metrics.RelayDrop.NO_PERMISSION))
                    .isZero();
        }
    }

    @Test
    void quotasLifetimesAndAlternateServersApplyToNewAllocations() throws Exception {
        try (ServerHarness server = ServerHarness.startTurn(TurnTesting.withQuotas(1, 0));
                StunClient first = client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256);
                StunClient second = client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256);
                StunClient bob = client(
                        server,
                        TransportProtocol.UDP,
                        PasswordAlgorithm.SHA_256,
                        TurnTesting.rest("bob", 3600),
                        InboundListener.IGNORE)) {
            await(first.allocate());
            assertThat(errorCode(second.allocate())).isEqualTo(486);

            ServerConfig running = server.server().config();
            java.net.InetSocketAddress alternate = new java.net.InetSocketAddress("127.0.0.9", 3478);
            server.server()
                    .reload(running.withTurn(running.turn()
                            .withQuotas(2, 2, 0)
                            .withLifetimes(300, 700)
                            .withAlternateServers(List.of(alternate))));

            // A user limit raised: the second allocation fits, with the new longest lifetime.
            TurnAllocation granted = await(second.allocate(java.time.Duration.ofHours(1)));
            assertThat(granted.lifetime()).isEqualTo(java.time.Duration.ofSeconds(700));
            // A total limit set by the reload counts the allocations made before it.
            assertThat(errorCode(bob.allocate())).isEqualTo(508);

            server.server().drain();
            await(first.refresh(java.time.Duration.ZERO));
            io.tern.client.StunErrorResponseException moved = TurnTesting.errorOf(bob.allocate());
            assertThat(moved.code()).isEqualTo(300);
            assertThat(moved.response().attributes())
                    .anySatisfy(a -> assertThat(a.toString()).contains("127.0.0.9"));
        }
    }

    @Test
    void aBadConfigurationIsRefusedAndTheRunningOneStays() throws Exception {
        try (ServerHarness server = ServerHarness.startTurn()) {
            ServerConfig running = server.server().config();
            TurnConfig broken = running.turn().withCredentials(List.of("no-password-here"), List.of());
            assertThatThrownBy(() -> server.server().reload(running.withTurn(broken)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("user");
            try (StunClient alice =
                    client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, InboundListener.IGNORE)) {
                await(alice.allocate());
            }
        }
    }
}
