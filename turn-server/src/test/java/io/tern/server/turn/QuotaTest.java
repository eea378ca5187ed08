package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.assertSignedWith;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.challenge;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.code;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.errorOf;
import static io.tern.server.turn.TurnTesting.exchange;
import static io.tern.server.turn.TurnTesting.rest;
import static io.tern.server.turn.TurnTesting.signed;
import static io.tern.server.turn.TurnTesting.withPorts;
import static io.tern.server.turn.TurnTesting.withQuotas;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.StunErrorResponseException;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Limits (RFC 8656 §7.2): the per-user quota (486), the total quota and port exhaustion (508), and
 * recovery once an allocation ends. Each test starts a server of its own with the limit it needs.
 */
class QuotaTest {
    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aUserOverTheQuotaGets486UntilAnAllocationEnds(TransportProtocol transport) throws Exception {
        try (ServerHarness server = ServerHarness.startTurn(withQuotas(1, 0));
                StunClient first = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient second = client(server, transport, PasswordAlgorithm.MD5);
                StunClient bob = client(
                        server, transport, PasswordAlgorithm.SHA_256, rest("bob", 3600), InboundListener.IGNORE)) {
            await(first.allocate());

            StunErrorResponseException refused = errorOf(second.allocate());
            assertThat(refused.code()).isEqualTo(486);
            assertSignedWith(refused.response(), PasswordAlgorithm.MD5);
            await(bob.allocate()); // another user has a quota of his own

            await(first.refresh(Duration.ZERO));
            await(second.allocate());
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aRetransmittedAllocateDoesNotTakeASecondSlot(TransportProtocol transport) throws Exception {
        try (ServerHarness server = ServerHarness.startTurn(withQuotas(1, 1));
                StunClient first = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient second = client(server, transport, PasswordAlgorithm.SHA_256)) {
            byte[] allocate = signed(
                    StunMethod.ALLOCATE,
                    TransactionId.random(),
                    ALICE,
                    challenge(first),
                    PasswordAlgorithm.SHA_256,
                    new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP));
            assertThat(code(exchange(first, allocate))).isZero();
            assertThat(code(exchange(first, allocate))).isZero(); // not 486 or 508

            await(first.refresh(Duration.ZERO));
            await(second.allocate()); // both quotas are free again
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void overTheTotalQuotaIs508UntilAnAllocationEnds(TransportProtocol transport) throws Exception {
        try (ServerHarness server = ServerHarness.startTurn(withQuotas(0, 1));
                StunClient alice = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient bob = client(
                        server, transport, PasswordAlgorithm.SHA_256, rest("bob", 3600), InboundListener.IGNORE)) {
            await(alice.allocate());

            assertThat(errorCode(bob.allocate())).isEqualTo(508);

            await(alice.refresh(Duration.ZERO));
            await(bob.allocate());
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void runningOutOfRelayPortsIs508AndRecovers(TransportProtocol transport) throws Exception {
        int low = freePortPair();
        try (ServerHarness server = ServerHarness.startTurn(withPorts(low, low + 1));
                StunClient first = client(server, transport, PasswordAlgorithm.SHA_256);
                StunClient second = client(server, transport, PasswordAlgorithm.MD5);
                StunClient third = client(server, transport, PasswordAlgorithm.SHA_256)) {
            TurnAllocation a = await(first.allocate());
            TurnAllocation b = await(second.allocate());
            assertThat(Set.of(a.relayedAddress().getPort(), b.relayedAddress().getPort()))
                    .containsExactlyInAnyOrder(low, low + 1);

            assertThat(errorCode(third.allocate())).isEqualTo(508);
            assertThat(errorCode(third.allocate(new StunAttribute.EvenPort(true))))
                    .isEqualTo(508);

            await(first.refresh(Duration.ZERO));
            TurnAllocation c = await(third.allocate());
            assertThat(c.relayedAddress().getPort())
                    .isEqualTo(a.relayedAddress().getPort());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TransportProtocol.class,
            names = {"TCP"})
    void closingTheConnectionGivesThePortBack(TransportProtocol transport) throws Exception {
        int low = freePortPair();
        try (ServerHarness server = ServerHarness.startTurn(withPorts(low, low));
                StunClient other = client(server, transport, PasswordAlgorithm.SHA_256)) {
            try (StunClient first = client(server, transport, PasswordAlgorithm.SHA_256)) {
                await(first.allocate());
                assertThat(errorCode(other.allocate())).isEqualTo(508);
            }
            // RFC 8656 §3.1: over TCP the allocation ends with the connection. The server learns
            // of the close asynchronously, so the next Allocate may still find the port taken.
            long deadline = System.nanoTime() + TurnTesting.WAIT.toNanos();
            while (true) {
                try {
                    assertThat(await(other.allocate()).relayedAddress().getPort())
                            .isEqualTo(low);
                    break;
                } catch (AssertionError e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(10);
                }
            }
        }
    }

    /**
     * Two consecutive UDP ports free on 127.0.0.1, below Linux's ephemeral range and outside the
     * 20000-29999 the other tests relay from.
     */
    static int freePortPair() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int port : Stream.iterate(12000 + 2 * (int) (Math.random() * 3000), p -> p + 2)
                .limit(200)
                .collect(Collectors.toList())) {
            try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(loopback, port));
                    DatagramSocket b = new DatagramSocket(new InetSocketAddress(loopback, port + 1))) {
                return port;
            } catch (IOException taken) {
                // try the next pair
            }
        }
        throw new IOException("no free pair of UDP ports found");
    }
}
