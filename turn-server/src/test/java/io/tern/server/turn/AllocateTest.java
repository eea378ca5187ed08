package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.address;
import static io.tern.server.turn.TurnTesting.assertLifetime;
import static io.tern.server.turn.TurnTesting.assertSignedWith;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.challenge;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.code;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.errorOf;
import static io.tern.server.turn.TurnTesting.exchange;
import static io.tern.server.turn.TurnTesting.signed;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.client.StunClient;
import io.tern.client.StunErrorResponseException;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AddressFamily;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Allocate (RFC 8656 §7) against a real server with {@code turn-client} over loopback: the relayed
 * address and lifetime, retransmissions and 437, EVEN-PORT and RESERVATION-TOKEN, and the errors
 * an Allocate alone can earn (400, 420, 440, 442). Each test uses fresh clients, so each has its
 * own 5-tuple.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllocateTest {
    private static final StunAttribute UDP = new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP);

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
    void allocatesARelayOnLoopbackWithTheDefaultLifetime(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            TurnAllocation a = await(client.allocate());

            assertThat(a.relayedAddress().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
            assertThat(a.relayedAddress().getPort()).isBetween(20000, 29999);
            assertLifetime(a.lifetime(), 600);
            assertThat(a.mappedAddress()).isEqualTo(client.localAddress());
            assertThat(a.reservationToken()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void signsEveryAnswerWithTheIntegrityOfTheRequest(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            StunMessage allocated = await(client.authenticatedRequest(StunMethod.ALLOCATE, UDP));
            assertThat(code(allocated)).isZero();
            assertSignedWith(allocated, algorithm);

            StunMessage refreshed = await(client.authenticatedRequest(StunMethod.REFRESH));
            assertThat(code(refreshed)).isZero();
            assertSignedWith(refreshed, algorithm);

            InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 9);
            StunMessage permitted = await(client.authenticatedRequest(
                    StunMethod.CREATE_PERMISSION, new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer)));
            assertThat(code(permitted)).isZero();
            assertSignedWith(permitted, algorithm);

            StunMessage bound = await(client.authenticatedRequest(
                    StunMethod.CHANNEL_BIND,
                    new StunAttribute.ChannelNumber(0x4000),
                    new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer)));
            assertThat(code(bound)).isZero();
            assertSignedWith(bound, algorithm);

            // Errors after authentication are signed too (RFC 8489 §9.2.4).
            StunMessage mismatch = await(client.authenticatedRequest(StunMethod.ALLOCATE, UDP));
            assertThat(code(mismatch)).isEqualTo(437);
            assertSignedWith(mismatch, algorithm);
        }
    }

    @Test
    void reportsTheGrantedLifetimeExactly() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (StunClient client = client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256)) {
                assertThat(await(client.allocate()).lifetime()).isEqualTo(Duration.ofSeconds(600));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void capsTheLifetimeAtTheMaximumAndRaisesAShortOneToTheDefault(TransportProtocol transport) throws Exception {
        try (StunClient longer = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient shorter = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient exact = client(server, transport, PasswordAlgorithm.SHA_256)) {
            assertLifetime(await(longer.allocate(Duration.ofSeconds(7200))).lifetime(), 3600);
            assertLifetime(await(shorter.allocate(Duration.ofSeconds(30))).lifetime(), 600);
            assertLifetime(await(exact.allocate(Duration.ofSeconds(1800))).lifetime(), 1800);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void aRetransmittedAllocateGetsTheSameAnswerAndANewOneGets437(
            TransportProtocol transport, PasswordAlgorithm algorithm) throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            byte[] allocate = signed(
                    StunMethod.ALLOCATE, TransactionId.random(), TurnTesting.ALICE, challenge(client), algorithm, UDP);

            StunMessage first = exchange(client, allocate);
            StunMessage again = exchange(client, allocate); // the identical bytes: a retransmission

            assertThat(code(first)).isZero();
            assertThat(code(again)).isZero();
            InetSocketAddress relayed = address(first, AttributeType.XOR_RELAYED_ADDRESS);
            assertThat(relayed).isNotNull();
            assertThat(address(again, AttributeType.XOR_RELAYED_ADDRESS)).isEqualTo(relayed);
            assertThat(address(again, AttributeType.XOR_MAPPED_ADDRESS)).isEqualTo(client.localAddress());
            assertThat(server.server().metrics().allocationsStartedCount()).isPositive();

            // The same request with a new transaction id is a second allocation on the 5-tuple.
            assertThat(errorCode(client.allocate())).isEqualTo(437);
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void evenPortGivesAnEvenRelayPort(TransportProtocol transport) throws Exception {
        for (int i = 0; i < 3; i++) { // a random port is odd half the time
            try (StunClient client = client(server, transport, PasswordAlgorithm.SHA_256)) {
                TurnAllocation a = await(client.allocate(new StunAttribute.EvenPort(false)));

                assertThat(a.relayedAddress().getPort() % 2).isZero();
                assertThat(a.reservationToken()).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void evenPortWithTheReserveBitHandsOutATokenForTheNextPort(TransportProtocol transport) throws Exception {
        try (StunClient first = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient second = client(server, transport, PasswordAlgorithm.MD5)) {
            TurnAllocation even = await(first.allocate(new StunAttribute.EvenPort(true)));
            assertThat(even.relayedAddress().getPort() % 2).isZero();
            assertThat(even.reservationToken()).isPresent();

            TurnAllocation odd = await(second.allocate(
                    new StunAttribute.ReservationToken(even.reservationToken().getAsLong())));

            assertThat(odd.relayedAddress())
                    .isEqualTo(new InetSocketAddress(
                            even.relayedAddress().getAddress(),
                            even.relayedAddress().getPort() + 1));
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aReservationTokenCannotBeClaimedTwiceOrMadeUp(TransportProtocol transport) throws Exception {
        try (StunClient first = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient second = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient third = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient fourth = client(server, transport, PasswordAlgorithm.SHA_256)) {
            long token = await(first.allocate(new StunAttribute.EvenPort(true)))
                    .reservationToken()
                    .getAsLong();
            await(second.allocate(new StunAttribute.ReservationToken(token)));

            // RFC 8656 §7.2: a token that names no reservation is 508.
            assertThat(errorCode(third.allocate(new StunAttribute.ReservationToken(token))))
                    .isEqualTo(508);
            assertThat(errorCode(fourth.allocate(new StunAttribute.ReservationToken(token ^ 0x5A5A5A5AL))))
                    .isEqualTo(508);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void reservationTokenWithEvenPortOrAnAddressFamilyIs400(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            StunAttribute token = new StunAttribute.ReservationToken(0x0123456789ABCDEFL);
            assertThat(errorCode(client.allocate(token, new StunAttribute.EvenPort(false))))
                    .isEqualTo(400);
            assertThat(errorCode(client.allocate(token, new StunAttribute.RequestedAddressFamily(AddressFamily.IPV4))))
                    .isEqualTo(400);
            // Nothing was allocated by the refused requests.
            assertThat(await(client.allocate()).relayedAddress()).isNotNull();
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void bothAddressFamilyAttributesTogetherAre400(TransportProtocol transport) throws Exception {
        try (StunClient client = client(server, transport, PasswordAlgorithm.SHA_256)) {
            assertThat(errorCode(client.allocate(
                            new StunAttribute.RequestedAddressFamily(AddressFamily.IPV4),
                            new StunAttribute.AdditionalAddressFamily(AddressFamily.IPV6))))
                    .isEqualTo(400);
        }
    }

    /** RFC 8656 §7.2: IPv6 is the only value ADDITIONAL-ADDRESS-FAMILY may carry. */
    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void anAdditionalAddressFamilyOfIpv4Is400(TransportProtocol transport) throws Exception {
        try (StunClient client = client(server, transport, PasswordAlgorithm.SHA_256)) {
            assertThat(errorCode(client.allocate(new StunAttribute.AdditionalAddressFamily(AddressFamily.IPV4))))
                    .isEqualTo(400);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void anUnknownComprehensionRequiredAttributeIs420NamingIt(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            StunErrorResponseException error =
                    errorOf(client.allocate(new StunAttribute.Unknown(0x7FAA, new byte[] {1, 2, 3, 4})));

            assertThat(error.code()).isEqualTo(420);
            assertThat(error.response().attribute(StunAttribute.UnknownAttributes.class))
                    .contains(new StunAttribute.UnknownAttributes(List.of(0x7FAA)));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void dontFragmentIs420NamingIt(TransportProtocol transport, PasswordAlgorithm algorithm) throws Exception {
        try (StunClient client = client(server, transport, algorithm)) {
            StunErrorResponseException error = errorOf(client.allocate(new StunAttribute.DontFragment()));

            assertThat(error.code()).isEqualTo(420);
            assertThat(error.response().attribute(StunAttribute.UnknownAttributes.class))
                    .contains(new StunAttribute.UnknownAttributes(List.of(AttributeType.DONT_FRAGMENT)));
            assertSignedWith(error.response(), algorithm);
            assertThat(await(client.allocate()).relayedAddress()).isNotNull(); // and nothing was allocated
        }
    }

    @ParameterizedTest(name = "family {0}")
    @ValueSource(ints = {AddressFamily.IPV6, 0x03})
    void anAddressFamilyWithoutARelayIs440(int family) throws Exception {
        for (TransportProtocol transport : TransportProtocol.values()) {
            try (StunClient client = client(server, transport, PasswordAlgorithm.SHA_256)) {
                StunErrorResponseException error =
                        errorOf(client.allocate(new StunAttribute.RequestedAddressFamily(family)));

                assertThat(error.code()).as(transport.toString()).isEqualTo(440);
                assertSignedWith(error.response(), PasswordAlgorithm.SHA_256);
            }
        }
    }

    /** TCP (RFC 6062) has its own answers: see {@code TcpRelayTest}. */
    @ParameterizedTest(name = "protocol {0}")
    @ValueSource(ints = {1, 99})
    void aTransportOtherThanUdpOrTcpIs442(int protocol) throws Exception {
        for (TransportProtocol transport : TransportProtocol.values()) {
            try (StunClient client = client(server, transport, PasswordAlgorithm.MD5)) {
                StunErrorResponseException error =
                        errorOf(client.allocate(new StunAttribute.RequestedTransport(protocol)));

                assertThat(error.code()).as(transport.toString()).isEqualTo(442);
                assertSignedWith(error.response(), PasswordAlgorithm.MD5);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void anAllocateWithoutRequestedTransportIs400(TransportProtocol transport) throws Exception {
        try (StunClient client = client(server, transport, PasswordAlgorithm.SHA_256)) {
            StunMessage answer = await(client.authenticatedRequest(StunMethod.ALLOCATE));

            assertThat(answer.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
            assertThat(code(answer)).isEqualTo(400);
        }
    }
}
