package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.assertSignedWith;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.buf;
import static io.tern.server.turn.TurnTesting.challenge;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.code;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.exchange;
import static io.tern.server.turn.TurnTesting.payload;
import static io.tern.server.turn.TurnTesting.rest;
import static io.tern.server.turn.TurnTesting.signed;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.turn.TurnTesting.Challenge;
import io.tern.server.turn.TurnTesting.Inbox;
import io.tern.server.turn.TurnTesting.Peer;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The life of an allocation (RFC 8656 §7-8): Refresh extends it, LIFETIME 0 ends it (and the relay
 * port with it), the 5-tuple can allocate again afterwards; requests that need an allocation get
 * 437 without one, and 441 from another user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefreshTest {
    private ServerHarness server;

    @BeforeAll
    void start() throws Exception {
        server = ServerHarness.startTurn();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void refreshGrantsTheLifetimeWithinTheLimits(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            await(client.allocate());

            assertThat(await(client.refresh(Duration.ofSeconds(1200)))).isEqualTo(Duration.ofSeconds(1200));
            assertThat(await(client.refresh(Duration.ofSeconds(7200)))).isEqualTo(Duration.ofSeconds(3600));
            assertThat(await(client.refresh(Duration.ofSeconds(60)))).isEqualTo(Duration.ofSeconds(600));
            StunMessage withoutLifetime = await(client.authenticatedRequest(StunMethod.REFRESH));
            assertThat(code(withoutLifetime)).isZero();
            assertThat(withoutLifetime.attribute(StunAttribute.Lifetime.class))
                    .contains(new StunAttribute.Lifetime(600));
            assertSignedWith(withoutLifetime, algorithm);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void refreshWithLifetimeZeroEndsTheAllocationAndTheFiveTupleCanAllocateAgain(
            TransportProtocol transport, PasswordAlgorithm algorithm) throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer = Peer.v4();
                StunClient client = client(server, transport, algorithm, ALICE, inbox)) {
            TurnAllocation first = await(client.allocate());
            await(client.createPermission(peer.address()));
            peer.send(first.relayedAddress(), payload(3));
            inbox.next(); // it relays

            assertThat(await(client.refresh(Duration.ZERO))).isEqualTo(Duration.ZERO);

            peer.send(first.relayedAddress(), payload(4));
            inbox.assertNothingArrives();
            assertThat(errorCode(client.refresh(Duration.ofSeconds(600)))).isEqualTo(437);
            assertThat(errorCode(client.createPermission(peer.address()))).isEqualTo(437);

            TurnAllocation second = await(client.allocate());
            assertThat(second.mappedAddress()).isEqualTo(first.mappedAddress()); // the same 5-tuple
            await(client.createPermission(peer.address()));
            byte[] data = payload(5);
            peer.send(second.relayedAddress(), data);
            assertThat(inbox.next().data()).isEqualTo(data);
            await(client.send(peer.address(), buf(data)));
            assertThat(peer.receive().from()).isEqualTo(second.relayedAddress());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void aRetransmittedDeletionGetsTheSameAnswerNot437(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            await(client.allocate());
            byte[] deletion = signed(
                    StunMethod.REFRESH,
                    TransactionId.random(),
                    ALICE,
                    challenge(client),
                    algorithm,
                    new StunAttribute.Lifetime(0));

            StunMessage first = exchange(client, deletion);
            StunMessage again = exchange(client, deletion); // its answer was "lost"

            assertThat(code(first)).isZero();
            assertThat(code(again)).isZero();
            assertThat(again.attribute(StunAttribute.Lifetime.class)).contains(new StunAttribute.Lifetime(0));
            assertThat(errorCode(client.refresh(Duration.ZERO))).isEqualTo(437); // a new request
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void aRefreshForTheOtherAddressFamilyIs443(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            await(client.allocate());

            StunMessage answer = await(client.authenticatedRequest(
                    StunMethod.REFRESH,
                    new StunAttribute.Lifetime(600),
                    new StunAttribute.RequestedAddressFamily(io.tern.stun.attr.AddressFamily.IPV6)));

            assertThat(code(answer)).isEqualTo(443);
            assertSignedWith(answer, algorithm);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void withoutAnAllocationRequestsThatNeedOneAre437(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 9);
        try (StunClient client = client(server, transport, algorithm)) {
            assertThat(errorCode(client.refresh(Duration.ofSeconds(600)))).isEqualTo(437);
            assertThat(errorCode(client.refresh(Duration.ZERO))).isEqualTo(437);
            assertThat(errorCode(client.createPermission(peer))).isEqualTo(437);
            assertThat(errorCode(client.channelBind(0x4000, peer))).isEqualTo(437);

            StunMessage signedError = await(client.authenticatedRequest(StunMethod.REFRESH));
            assertThat(code(signedError)).isEqualTo(437);
            assertSignedWith(signedError, algorithm);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void anotherUserOnTheSameFiveTupleGets441(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        Credentials bob = rest("bob", 3600);
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 9);
        try (StunClient client = client(server, transport, algorithm)) {
            await(client.allocate());
            Challenge challenge = challenge(client);

            StunMessage refresh = exchange(
                    client,
                    signed(
                            StunMethod.REFRESH,
                            TransactionId.random(),
                            bob,
                            challenge,
                            algorithm,
                            new StunAttribute.Lifetime(600)));
            assertThat(code(refresh)).isEqualTo(441);
            assertSignedWith(refresh, algorithm); // bob authenticated; the allocation is not his

            StunMessage permission = exchange(
                    client,
                    signed(
                            StunMethod.CREATE_PERMISSION,
                            TransactionId.random(),
                            bob,
                            challenge,
                            algorithm,
                            new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer)));
            assertThat(code(permission)).isEqualTo(441);
            StunMessage channel = exchange(
                    client,
                    signed(
                            StunMethod.CHANNEL_BIND,
                            TransactionId.random(),
                            bob,
                            challenge,
                            algorithm,
                            new StunAttribute.ChannelNumber(0x4000),
                            new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer)));
            assertThat(code(channel)).isEqualTo(441);
            StunMessage deletion = exchange(
                    client,
                    signed(
                            StunMethod.REFRESH,
                            TransactionId.random(),
                            bob,
                            challenge,
                            algorithm,
                            new StunAttribute.Lifetime(0)));
            assertThat(code(deletion)).isEqualTo(441);

            // Alice's allocation is untouched.
            assertThat(await(client.refresh(Duration.ofSeconds(600)))).isEqualTo(Duration.ofSeconds(600));
        }
    }
}
