package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.buf;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.code;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.payload;
import static io.tern.server.turn.TurnTesting.withRelayIps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.server.ServerHarness;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.turn.TurnTesting.Inbound;
import io.tern.server.turn.TurnTesting.Inbox;
import io.tern.server.turn.TurnTesting.Peer;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.attr.AddressFamily;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dual allocation (RFC 8656 §7.2): ADDITIONAL-ADDRESS-FAMILY IPv6 on a server relaying on
 * 127.0.0.1 and ::1, data both ways through each family, ADDRESS-ERROR-CODE where IPv6 cannot be
 * had, and Refresh of one family (RFC 8656 §8). Skipped where the machine has no ::1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DualAllocationTest {
    private static final StunAttribute UDP = new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP);
    private static final StunAttribute ADDITIONAL_IPV6 = new StunAttribute.AdditionalAddressFamily(AddressFamily.IPV6);
    private static final InetAddress V4 = ip("127.0.0.1");
    private static final InetAddress V6 = ip("::1");

    private ServerHarness dual;
    private ServerHarness ipv4Only;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(hasIpv6Loopback(), "no ::1 on this machine");
        dual = ServerHarness.startTurn(withRelayIps("127.0.0.1", "::1"), "127.0.0.1");
        ipv4Only = ServerHarness.startTurn();
    }

    @AfterAll
    void stop() {
        if (dual != null) {
            dual.close();
        }
        if (ipv4Only != null) {
            ipv4Only.close();
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean hasIpv6Loopback() {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static List<InetSocketAddress> relayed(StunMessage response) {
        return response.attributes().stream()
                .filter(a -> a.type() == AttributeType.XOR_RELAYED_ADDRESS)
                .map(a -> ((StunAttribute.Address) a).address())
                .toList();
    }

    private static StunMessage allocateDual(StunClient client) throws Exception {
        StunMessage response = await(client.authenticatedRequest(StunMethod.ALLOCATE, UDP, ADDITIONAL_IPV6));
        assertThat(code(response)).as("%s", response).isZero();
        return response;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void relaysEachFamilyThroughItsOwnRelayedAddress(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer4 = Peer.v4();
                Peer peer6 = new Peer("::1");
                StunClient client = client(dual, transport, algorithm, ALICE, inbox)) {
            StunMessage response = allocateDual(client);
            List<InetSocketAddress> relayed = relayed(response);
            assertThat(relayed).hasSize(2);
            InetSocketAddress relay4 = relayed.get(0);
            InetSocketAddress relay6 = relayed.get(1);
            assertThat(relay4.getAddress()).isEqualTo(V4);
            assertThat(relay6.getAddress()).isEqualTo(V6);
            assertThat(List.of(relay4.getPort(), relay6.getPort())).allMatch(p -> p >= 20000 && p <= 29999);
            assertThat(response.attribute(AttributeType.ADDRESS_ERROR_CODE)).isEmpty();
            assertThat(response.attribute(AttributeType.LIFETIME)).isPresent();

            // One CreatePermission for a peer of each family.
            await(client.createPermission(peer4.address(), peer6.address()));
            relaysBothWays(client, inbox, peer4, relay4, 0x4001);
            relaysBothWays(client, inbox, peer6, relay6, 0x4002);
        }
    }

    private static void relaysBothWays(StunClient client, Inbox inbox, Peer peer, InetSocketAddress relay, int channel)
            throws Exception {
        byte[] out = payload(33);
        await(client.send(peer.address(), buf(out)));
        Peer.Datagram received = peer.receive();
        assertThat(received.from())
                .as("sent from the relay of the peer's family")
                .isEqualTo(relay);
        assertThat(received.data()).isEqualTo(out);
        byte[] back = payload(34);
        peer.send(relay, back);
        Inbound data = inbox.next();
        assertThat(data.peer()).isEqualTo(peer.address());
        assertThat(data.data()).isEqualTo(back);

        await(client.channelBind(channel, peer.address()));
        byte[] viaChannel = payload(9);
        await(client.sendChannelData(channel, buf(viaChannel)));
        Peer.Datagram onChannel = peer.receive();
        assertThat(onChannel.from()).isEqualTo(relay);
        assertThat(onChannel.data()).isEqualTo(viaChannel);
        byte[] backViaChannel = payload(11);
        peer.send(relay, backViaChannel);
        Inbound channelData = inbox.next();
        assertThat(channelData.channel()).isEqualTo(channel);
        assertThat(channelData.data()).isEqualTo(backViaChannel);
    }

    @Test
    void aRefreshWithRequestedAddressFamilyRefreshesOrDeletesThatFamilyAlone() throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer4 = Peer.v4();
                Peer peer6 = new Peer("::1");
                StunClient client = client(dual, TransportProtocol.UDP, PasswordAlgorithm.SHA_256, ALICE, inbox)) {
            List<InetSocketAddress> relayed = relayed(allocateDual(client));
            await(client.createPermission(peer4.address(), peer6.address()));

            StunMessage refresh6 = await(client.authenticatedRequest(
                    StunMethod.REFRESH,
                    new StunAttribute.Lifetime(900),
                    new StunAttribute.RequestedAddressFamily(AddressFamily.IPV6)));
            assertThat(code(refresh6)).isZero();
            assertThat(refresh6.attribute(StunAttribute.Lifetime.class)
                            .orElseThrow()
                            .seconds())
                    .isEqualTo(900);

            StunMessage delete6 = await(client.authenticatedRequest(
                    StunMethod.REFRESH,
                    new StunAttribute.Lifetime(0),
                    new StunAttribute.RequestedAddressFamily(AddressFamily.IPV6)));
            assertThat(code(delete6)).isZero();

            // The IPv6 half is gone: its peers get nothing and new permissions for them are 443.
            long before = dual.server().metrics().relayDropCount(RelayDrop.NO_RELAY_FOR_FAMILY);
            await(client.send(peer6.address(), buf(payload(10))));
            peer6.assertNothingArrives();
            assertThat(dual.server().metrics().relayDropCount(RelayDrop.NO_RELAY_FOR_FAMILY))
                    .isEqualTo(before + 1);
            peer6.send(relayed.get(1), payload(5));
            inbox.assertNothingArrives();
            assertThat(errorCode(client.createPermission(peer6.address()))).isEqualTo(443);
            StunMessage again = await(client.authenticatedRequest(
                    StunMethod.REFRESH,
                    new StunAttribute.Lifetime(0),
                    new StunAttribute.RequestedAddressFamily(AddressFamily.IPV6)));
            assertThat(code(again)).isEqualTo(443);

            // The IPv4 half lives on and relays.
            relaysBothWays(client, inbox, peer4, relayed.get(0), 0x4003);

            // Deleting the last family ends the allocation.
            StunMessage delete4 = await(client.authenticatedRequest(
                    StunMethod.REFRESH,
                    new StunAttribute.Lifetime(0),
                    new StunAttribute.RequestedAddressFamily(AddressFamily.IPV4)));
            assertThat(code(delete4)).isZero();
            assertThat(errorCode(client.refresh(java.time.Duration.ofSeconds(600))))
                    .isEqualTo(437);
        }
    }

    /** coturn's clients still send ADDITIONAL-ADDRESS-FAMILY under the TURN-bis draft code 0x8032. */
    @Test
    void takesTheDraftCodeOfAdditionalAddressFamilyToo() throws Exception {
        try (StunClient client = client(dual, TransportProtocol.UDP, PasswordAlgorithm.MD5)) {
            StunMessage response = await(client.authenticatedRequest(
                    StunMethod.ALLOCATE,
                    UDP,
                    new StunAttribute.Unknown(
                            AllocateHandler.DRAFT_ADDITIONAL_ADDRESS_FAMILY, new byte[] {2, 0, 0, 0})));
            assertThat(code(response)).isZero();
            assertThat(relayed(response))
                    .extracting(InetSocketAddress::getAddress)
                    .containsExactly(V4, V6);
        }
    }

    @Test
    void withoutAnIpv6RelayTheIpv4AddressComesWithAddressErrorCode440() throws Exception {
        try (StunClient client = client(ipv4Only, TransportProtocol.UDP, PasswordAlgorithm.MD5)) {
            StunMessage response = allocateDual(client);
            assertThat(relayed(response))
                    .singleElement()
                    .satisfies(a -> assertThat(a.getAddress()).isEqualTo(V4));
            StunAttribute.AddressErrorCode error =
                    response.attribute(StunAttribute.AddressErrorCode.class).orElseThrow();
            assertThat(error.family()).isEqualTo(AddressFamily.IPV6);
            assertThat(error.code()).isEqualTo(440);
            assertThat(errorCode(client.createPermission(new InetSocketAddress(V6, 40000))))
                    .isEqualTo(443);
        }
    }

    @Test
    void withoutAFreeIpv6PortTheIpv4AddressComesWithAddressErrorCode508() throws Exception {
        // One relay port per family: the first dual allocation takes both.
        try (ServerHarness tight =
                        ServerHarness.startTurn(withRelayIps("127.0.0.1", "::1").withPorts(28841, 28841), "127.0.0.1");
                StunClient first = client(tight, TransportProtocol.UDP, PasswordAlgorithm.MD5);
                StunClient second = client(tight, TransportProtocol.UDP, PasswordAlgorithm.MD5)) {
            assertThat(relayed(allocateDual(first))).hasSize(2);
            await(first.authenticatedRequest(
                    StunMethod.REFRESH,
                    new StunAttribute.Lifetime(0),
                    new StunAttribute.RequestedAddressFamily(AddressFamily.IPV4)));
            // The IPv4 port is free again, the IPv6 one is not.
            StunMessage response = allocateDual(second);
            assertThat(relayed(response))
                    .singleElement()
                    .satisfies(a -> assertThat(a.getAddress()).isEqualTo(V4));
            assertThat(response.attribute(StunAttribute.AddressErrorCode.class)
                            .orElseThrow()
                            .code())
                    .isEqualTo(508);
        }
    }

    @Test
    void refusesAdditionalWithRequestedFamilyOrAReservationAndAnAdditionalIpv4With400() throws Exception {
        try (StunClient client = client(dual, TransportProtocol.UDP, PasswordAlgorithm.MD5)) {
            StunMessage both = await(client.authenticatedRequest(
                    StunMethod.ALLOCATE,
                    UDP,
                    new StunAttribute.RequestedAddressFamily(AddressFamily.IPV4),
                    ADDITIONAL_IPV6));
            assertThat(code(both)).isEqualTo(400);
            StunMessage additional4 = await(client.authenticatedRequest(
                    StunMethod.ALLOCATE, UDP, new StunAttribute.AdditionalAddressFamily(AddressFamily.IPV4)));
            assertThat(code(additional4)).isEqualTo(400);
            StunMessage token = await(client.authenticatedRequest(
                    StunMethod.ALLOCATE, UDP, new StunAttribute.ReservationToken(42), ADDITIONAL_IPV6));
            assertThat(code(token)).isEqualTo(400);
        }
    }

    @Test
    void aSingleFamilyAllocationRefusesPeersOfTheOtherFamilyWith443() throws Exception {
        try (StunClient client =
                client(dual, TransportProtocol.UDP, PasswordAlgorithm.MD5, ALICE, InboundListener.IGNORE)) {
            await(client.allocate());
            assertThat(errorCode(client.createPermission(new InetSocketAddress(V6, 40000))))
                    .isEqualTo(443);
            assertThat(errorCode(client.channelBind(0x4005, new InetSocketAddress(V6, 40000))))
                    .isEqualTo(443);
            StunMessage refresh6 = await(client.authenticatedRequest(
                    StunMethod.REFRESH,
                    new StunAttribute.Lifetime(600),
                    new StunAttribute.RequestedAddressFamily(AddressFamily.IPV6)));
            assertThat(code(refresh6)).isEqualTo(443);
        }
    }
}
