package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.buf;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.payload;
import static io.tern.server.turn.TurnTesting.withRelayIps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.turn.TurnTesting.Inbound;
import io.tern.server.turn.TurnTesting.Inbox;
import io.tern.server.turn.TurnTesting.Peer;
import io.tern.stun.attr.AddressFamily;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IPv6 relaying (RFC 8656 §7.2, REQUESTED-ADDRESS-FAMILY) on ::1, skipped where the machine has no
 * IPv6 loopback: a server listening and relaying on ::1 only, and a dual-stack server whose IPv4
 * clients ask for an IPv6 relay.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ipv6RelayTest {
    private static final StunAttribute IPV6 = new StunAttribute.RequestedAddressFamily(AddressFamily.IPV6);

    private ServerHarness ipv6Only;
    private ServerHarness dualStack;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(hasIpv6Loopback(), "no ::1 on this machine");
        ipv6Only = ServerHarness.startTurn(withRelayIps("::1"), "::1");
        dualStack = ServerHarness.startTurn(withRelayIps("127.0.0.1", "::1"), "127.0.0.1");
    }

    @AfterAll
    void stop() {
        if (ipv6Only != null) {
            ipv6Only.close();
        }
        if (dualStack != null) {
            dualStack.close();
        }
    }

    private static boolean hasIpv6Loopback() {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void relaysBetweenAnIpv6ClientAndAnIpv6Peer(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        assertThat(ipv6Only.udp().getAddress()).isEqualTo(InetAddress.getByName("::1"));
        Inbox inbox = new Inbox();
        try (Peer peer = new Peer("::1");
                StunClient client = client(ipv6Only, transport, algorithm, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate(IPV6));
            assertThat(a.relayedAddress().getAddress()).isEqualTo(InetAddress.getByName("::1"));
            assertThat(a.relayedAddress().getPort()).isBetween(20000, 29999);
            assertThat(a.mappedAddress()).isEqualTo(client.localAddress());

            relaysBothWays(client, inbox, peer, a);

            // The default family is IPv4 (RFC 8656 §7.2), which this server does not relay.
            try (StunClient second = client(ipv6Only, transport, algorithm)) {
                assertThat(errorCode(second.allocate())).isEqualTo(440);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void anIpv4ClientGetsAnIpv6RelayWhenItAsks(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer = new Peer("::1");
                StunClient client = client(dualStack, transport, algorithm, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate(IPV6));
            assertThat(a.relayedAddress().getAddress()).isEqualTo(InetAddress.getByName("::1"));
            assertThat(a.mappedAddress()).isEqualTo(client.localAddress());

            relaysBothWays(client, inbox, peer, a);

            // An IPv4 peer on the IPv6 allocation is the other family.
            assertThat(errorCode(client.createPermission(new InetSocketAddress("127.0.0.1", 40000))))
                    .isEqualTo(443);
        }
    }

    private static void relaysBothWays(StunClient client, Inbox inbox, Peer peer, TurnAllocation a) throws Exception {
        await(client.createPermission(peer.address()));
        byte[] out = payload(37);
        await(client.send(peer.address(), buf(out)));
        Peer.Datagram received = peer.receive();
        assertThat(received.from()).isEqualTo(a.relayedAddress());
        assertThat(received.data()).isEqualTo(out);
        byte[] back = payload(38);
        peer.send(a.relayedAddress(), back);
        Inbound data = inbox.next();
        assertThat(data.peer()).isEqualTo(peer.address());
        assertThat(data.data()).isEqualTo(back);

        await(client.channelBind(0x4123, peer.address()));
        byte[] viaChannel = payload(5);
        await(client.sendChannelData(0x4123, buf(viaChannel)));
        assertThat(peer.receive().data()).isEqualTo(viaChannel);
        byte[] backViaChannel = payload(7);
        peer.send(a.relayedAddress(), backViaChannel);
        Inbound channel = inbox.next();
        assertThat(channel.channel()).isEqualTo(0x4123);
        assertThat(channel.data()).isEqualTo(backViaChannel);
    }
}
