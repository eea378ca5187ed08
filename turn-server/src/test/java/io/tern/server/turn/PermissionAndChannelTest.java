package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.assertSignedWith;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.buf;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.code;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.eventually;
import static io.tern.server.turn.TurnTesting.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.turn.TurnTesting.Inbox;
import io.tern.server.turn.TurnTesting.Peer;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CreatePermission and ChannelBind refused (RFC 8656 §9-11): 400 for what is missing or out of
 * range and for the rebinding rules, 403 for peers the policy refuses (before anything is sent
 * to them), 443 for a peer of the other address family. Every answer is signed like the request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PermissionAndChannelTest {
    private ServerHarness server;

    @BeforeAll
    void start() throws Exception {
        server = ServerHarness.startTurn();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private ServerMetrics metrics() {
        return server.server().metrics();
    }

    private static StunAttribute peerAttribute(InetSocketAddress peer) {
        return new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void malformedChannelBindsAndCreatePermissionsAre400(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 40000);
        try (StunClient client = client(server, transport, algorithm)) {
            await(client.allocate());
            List<StunMessage> answers = new ArrayList<>();

            answers.add(await(client.authenticatedRequest(StunMethod.CHANNEL_BIND, peerAttribute(peer))));
            answers.add(await(client.authenticatedRequest(
                    StunMethod.CHANNEL_BIND, new StunAttribute.ChannelNumber(0x3FFF), peerAttribute(peer))));
            answers.add(await(
                    client.authenticatedRequest(StunMethod.CHANNEL_BIND, new StunAttribute.ChannelNumber(0x4000))));
            answers.add(await(client.authenticatedRequest(StunMethod.CREATE_PERMISSION)));
            answers.add(
                    await(client.authenticatedRequest(StunMethod.CREATE_PERMISSION, new StunAttribute.Lifetime(300))));

            assertThat(answers).allSatisfy(answer -> {
                assertThat(code(answer)).as("%s", answer).isEqualTo(400);
                assertSignedWith(answer, algorithm);
            });
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void aChannelCannotBeRebound(TransportProtocol transport, PasswordAlgorithm algorithm) throws Exception {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 40001);
        InetSocketAddress other = new InetSocketAddress("127.0.0.1", 40002);
        try (StunClient client = client(server, transport, algorithm)) {
            await(client.allocate());
            await(client.channelBind(0x4001, peer));

            assertThat(errorCode(client.channelBind(0x4001, other)))
                    .as("the channel to another peer")
                    .isEqualTo(400);
            assertThat(errorCode(client.channelBind(0x4002, peer)))
                    .as("the peer to another channel")
                    .isEqualTo(400);
            await(client.channelBind(0x4001, peer)); // the same binding again is a refresh
            await(client.channelBind(0x4002, other));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void refusedPeersAre403(TransportProtocol transport, PasswordAlgorithm algorithm) throws Exception {
        List<InetSocketAddress> refused = List.of(
                new InetSocketAddress("10.0.0.1", 5000),
                new InetSocketAddress("169.254.169.254", 80),
                server.udp(),
                server.tcp());
        try (StunClient client = client(server, transport, algorithm)) {
            await(client.allocate());
            long counted = metrics().relayDropCount(RelayDrop.PEER_REFUSED);
            int channel = 0x4000;
            for (InetSocketAddress peer : refused) {
                assertThat(errorCode(client.createPermission(peer)))
                        .as("CreatePermission %s", peer)
                        .isEqualTo(403);
                assertThat(errorCode(client.channelBind(channel++, peer)))
                        .as("ChannelBind %s", peer)
                        .isEqualTo(403);
            }
            assertThat(metrics().relayDropCount(RelayDrop.PEER_REFUSED)).isEqualTo(counted + 2L * refused.size());

            StunMessage signed =
                    await(client.authenticatedRequest(StunMethod.CREATE_PERMISSION, peerAttribute(refused.get(0))));
            assertThat(code(signed)).isEqualTo(403);
            assertSignedWith(signed, algorithm);
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aPermissionIsAllOrNothing(TransportProtocol transport) throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer = Peer.v4();
                StunClient client = client(server, transport, PasswordAlgorithm.SHA_256, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate());

            assertThat(errorCode(client.createPermission(peer.address(), new InetSocketAddress("10.0.0.1", 5000))))
                    .isEqualTo(403);

            long dropped = metrics().relayDropCount(RelayDrop.NO_PERMISSION);
            peer.send(a.relayedAddress(), payload(8));
            eventually(
                    "the peer's datagram is dropped",
                    () -> metrics().relayDropCount(RelayDrop.NO_PERMISSION) == dropped + 1);
            inbox.assertNothingArrives();
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void nothingIsSentToARefusedPeer(TransportProtocol transport) throws Exception {
        try (StunClient client = client(server, transport, PasswordAlgorithm.MD5)) {
            await(client.allocate());
            await(client.createPermission(new InetSocketAddress("127.0.0.1", 9)));
            long sent = metrics().packetsToPeers();
            long noPermission = metrics().relayDropCount(RelayDrop.NO_PERMISSION);
            long refused = metrics().relayDropCount(RelayDrop.PEER_REFUSED);

            // 10.0.0.1 never got a permission (403 above); the server's own address shares the
            // permitted IP 127.0.0.1, and is refused by its port.
            await(client.send(new InetSocketAddress("10.0.0.1", 5000), buf(payload(30))));
            await(client.send(new InetSocketAddress("169.254.169.254", 80), buf(payload(30))));
            await(client.send(server.udp(), buf(payload(30))));
            await(client.send(server.tcp(), buf(payload(30))));

            eventually(
                    "every Send indication is counted",
                    () -> metrics().relayDropCount(RelayDrop.NO_PERMISSION) == noPermission + 2
                            && metrics().relayDropCount(RelayDrop.PEER_REFUSED) == refused + 2);
            assertThat(metrics().packetsToPeers()).isEqualTo(sent);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void anIpv6PeerOfAnIpv4AllocationIs443(TransportProtocol transport, PasswordAlgorithm algorithm) throws Exception {
        InetSocketAddress ipv6 = new InetSocketAddress("::1", 40003);
        InetSocketAddress global = new InetSocketAddress("2001:4860:4860::8888", 53);
        try (StunClient client = client(server, transport, algorithm)) {
            await(client.allocate());

            assertThat(errorCode(client.createPermission(ipv6))).isEqualTo(443);
            assertThat(errorCode(client.createPermission(global))).isEqualTo(443);
            assertThat(errorCode(client.channelBind(0x4000, ipv6))).isEqualTo(443);
            StunMessage signed = await(client.authenticatedRequest(
                    StunMethod.CREATE_PERMISSION,
                    peerAttribute(new InetSocketAddress("127.0.0.1", 40004)),
                    peerAttribute(ipv6)));
            assertThat(code(signed)).isEqualTo(443);
            assertSignedWith(signed, algorithm);
        }
    }
}
