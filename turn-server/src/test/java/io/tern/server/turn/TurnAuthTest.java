package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.TERN_OFFER;
import static io.tern.server.turn.TurnTesting.assertSignedWith;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.builder;
import static io.tern.server.turn.TurnTesting.challenge;
import static io.tern.server.turn.TurnTesting.code;
import static io.tern.server.turn.TurnTesting.errorCode;
import static io.tern.server.turn.TurnTesting.exchange;
import static io.tern.server.turn.TurnTesting.rest;
import static io.tern.server.turn.TurnTesting.serverAddress;
import static io.tern.server.turn.TurnTesting.signed;
import static io.tern.server.turn.TurnTesting.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tern.client.Credentials;
import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.server.ServerHarness;
import io.tern.server.auth.NonceService;
import io.tern.server.turn.TurnTesting.Challenge;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The long-term credential mechanism as TURN uses it (RFC 8489 §9.2, RFC 8656 §5), through the
 * real client: 401 with a challenge, wrong and expired credentials (401), static users and TURN
 * REST credentials side by side, stale or foreign nonces (438).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TurnAuthTest {
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

    private StunClient clientAs(TransportProtocol transport, PasswordAlgorithm algorithm, Credentials credentials)
            throws Exception {
        return TurnTesting.client(server, transport, algorithm, credentials, InboundListener.IGNORE);
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aRequestWithoutCredentialsIs401WithTheChallenge(TransportProtocol transport) throws Exception {
        try (StunClient client =
                builder(serverAddress(server, transport), transport).connect().get()) {
            StunMessage answer = await(client.request(StunMethod.ALLOCATE, UDP));

            assertThat(code(answer)).isEqualTo(401);
            assertThat(text(answer, AttributeType.REALM)).isEqualTo(ServerHarness.REALM);
            assertThat(text(answer, AttributeType.NONCE)).startsWith(NonceService.COOKIE);
            assertThat(answer.attribute(StunAttribute.PasswordAlgorithms.class)).contains(TERN_OFFER);
            assertThat(answer.attribute(StunAttribute.MessageIntegrity.class)).isEmpty();
            assertThat(answer.attribute(StunAttribute.MessageIntegritySha256.class))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void wrongUnknownAndExpiredCredentialsAre401(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        List<Credentials> refused = List.of(
                new Credentials("alice", "wrong"),
                new Credentials("mallory", "secret"),
                rest("bob", -60), // expired a minute ago, correctly signed
                new Credentials(rest("bob", 3600).username(), "not-the-hmac"));
        for (Credentials credentials : refused) {
            try (StunClient client = clientAs(transport, algorithm, credentials)) {
                assertThat(errorCode(client.allocate()))
                        .as(credentials.username())
                        .isEqualTo(401);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void staticAndRestCredentialsBothAllocate(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        for (Credentials credentials : List.of(TurnTesting.ALICE, rest("bob", 3600), rest("carol", 60))) {
            try (StunClient client = clientAs(transport, algorithm, credentials)) {
                StunMessage answer = await(client.authenticatedRequest(StunMethod.ALLOCATE, UDP));

                assertThat(code(answer)).as(credentials.username()).isZero();
                assertSignedWith(answer, algorithm);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void aMadeUpNonceIs438WithAFreshOneThatWorks(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        try (StunClient client = clientAs(transport, algorithm, TurnTesting.ALICE)) {
            Challenge real = challenge(client);
            String madeUp = real.nonce().substring(0, real.nonce().length() - 8) + "AAAAAAAA";
            Challenge fake = new Challenge(real.realm(), madeUp);

            StunMessage stale = exchange(
                    client,
                    signed(StunMethod.ALLOCATE, TransactionId.random(), TurnTesting.ALICE, fake, algorithm, UDP));

            assertThat(code(stale)).isEqualTo(438);
            String fresh = text(stale, AttributeType.NONCE);
            assertThat(fresh).startsWith(NonceService.COOKIE).isNotEqualTo(madeUp);
            assertThat(text(stale, AttributeType.REALM)).isEqualTo(ServerHarness.REALM);
            StunMessage allocated = exchange(
                    client,
                    signed(
                            StunMethod.ALLOCATE,
                            TransactionId.random(),
                            TurnTesting.ALICE,
                            new Challenge(real.realm(), fresh),
                            algorithm,
                            UDP));
            assertThat(code(allocated)).isZero();

            StunMessage invented = exchange(
                    client,
                    signed(
                            StunMethod.REFRESH,
                            TransactionId.random(),
                            TurnTesting.ALICE,
                            new Challenge(real.realm(), "a-nonce-tern-never-issued"),
                            algorithm));
            assertThat(code(invented)).isEqualTo(438);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void aNonceIssuedToAnotherAddressIs438(TransportProtocol transport, PasswordAlgorithm algorithm) throws Exception {
        try (StunClient one = clientAs(transport, algorithm, TurnTesting.ALICE);
                StunClient other = clientAs(transport, algorithm, TurnTesting.ALICE)) {
            // Each client comes from its own loopback IP, and nonces are bound to the client IP.
            assertThat(one.localAddress().getAddress())
                    .isNotEqualTo(other.localAddress().getAddress());
            Challenge foreign = challenge(one);

            StunMessage answer = exchange(
                    other,
                    signed(StunMethod.ALLOCATE, TransactionId.random(), TurnTesting.ALICE, foreign, algorithm, UDP));

            assertThat(code(answer)).isEqualTo(438);
            // The client does the same dance by itself: a 438 is retried once with the fresh nonce.
            assertThat(await(other.allocate()).mappedAddress()).isEqualTo(other.localAddress());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void anotherRealmIs401(TransportProtocol transport, PasswordAlgorithm algorithm) throws Exception {
        try (StunClient client = clientAs(transport, algorithm, TurnTesting.ALICE)) {
            Challenge real = challenge(client);
            StunMessage answer = exchange(
                    client,
                    signed(
                            StunMethod.ALLOCATE,
                            TransactionId.random(),
                            TurnTesting.ALICE,
                            new Challenge("elsewhere.example", real.nonce()),
                            algorithm,
                            UDP));

            assertThat(code(answer)).isEqualTo(401);
            assertThat(text(answer, AttributeType.REALM)).isEqualTo(ServerHarness.REALM);
        }
    }

    /**
     * The per-source limit on unauthenticated answers is there against reflection, which needs a
     * spoofed source address: only UDP can carry one. Over TCP the handshake has proved the
     * address, and a 401 that is silently not sent leaves a legitimate client waiting out Ti
     * (39.5 s) with no retransmission to rescue it.
     */
    @ParameterizedTest
    @EnumSource(
            value = TransportProtocol.class,
            names = {"TCP"})
    void manyStreamClientsFromOneAddressAllGetTheirChallenge(TransportProtocol transport) throws Exception {
        InetSocketAddress source = TurnTesting.freshSource();
        List<StunClient> clients = new ArrayList<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            List<CompletableFuture<?>> allocations = new ArrayList<>();
            for (int i = 0; i < 60; i++) { // more than the burst of 20 on each of the 2 event loops
                StunClient c = StunClient.builder(server.tcp())
                        .protocol(transport)
                        .localAddress(source)
                        .eventLoopGroup(group)
                        .timeout(TurnTesting.WAIT)
                        .credentials(TurnTesting.ALICE)
                        .connect()
                        .get();
                clients.add(c);
                allocations.add(c.allocate());
            }
            for (CompletableFuture<?> allocation : allocations) {
                await(allocation);
            }
        } finally {
            clients.forEach(StunClient::close);
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }
}
