package io.tern.client;

import static io.tern.client.StunClientTest.causeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMessageBuilder;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LongTermAuthTest {
    private static final Duration WAIT = Duration.ofSeconds(3);
    private static final String REALM = "tern.test";
    private static final Credentials ALICE = new Credentials("alice", "s3cret");
    private static final StunAttribute UDP = new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP);

    private static EventLoopGroup group;

    @BeforeAll
    static void startLoops() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private static FakeStunServer start(TransportProtocol protocol, LongTermServer behaviour) throws Exception {
        return protocol == TransportProtocol.UDP ? FakeStunServer.udp(behaviour) : FakeStunServer.tcp(behaviour);
    }

    private static StunClient.Builder client(
            FakeStunServer server, TransportProtocol protocol, Credentials credentials) {
        return StunClient.builder(server.address())
                .protocol(protocol)
                .eventLoopGroup(group)
                .retransmission(StunClientTest.ONCE) // exact request counts: no retransmission
                .timeout(WAIT)
                .credentials(credentials);
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void answersThe401ChallengeAndKeepsTheNonce(TransportProtocol protocol) throws Exception {
        LongTermServer behaviour = new LongTermServer(false);
        try (FakeStunServer server = start(protocol, behaviour);
                StunClient client = client(server, protocol, ALICE).connect().get()) {
            StunMessage response =
                    client.authenticatedRequest(StunMethod.ALLOCATE, UDP).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(client.realm()).contains(REALM);
            List<FakeStunServer.Received> received = server.received();
            assertThat(received).hasSize(2);
            StunMessage first = received.get(0).message();
            assertThat(first.attribute(AttributeType.USERNAME)).isEmpty();
            assertThat(first.attribute(StunAttribute.MessageIntegrity.class)).isEmpty();
            assertThat(first.attribute(StunAttribute.RequestedTransport.class)).isPresent();

            StunMessage second = received.get(1).message();
            assertThat(text(second, AttributeType.USERNAME)).contains("alice");
            assertThat(text(second, AttributeType.REALM)).contains(REALM);
            assertThat(text(second, AttributeType.NONCE)).contains("nonce-1");
            assertThat(second.attribute(AttributeType.PASSWORD_ALGORITHM)).isEmpty();
            assertThat(second.attribute(StunAttribute.RequestedTransport.class)).isPresent();
            byte[] md5Key = LongTermKey.md5("alice", REALM, "s3cret");
            assertThat(received.get(1).check(r -> r.verifyMessageIntegrity(md5Key)))
                    .isTrue();
            assertThat(received.get(1).check(StunReader::hasMessageIntegritySha256))
                    .isFalse();

            // The next request goes authenticated at once: one more transaction, no new 401.
            client.authenticatedRequest(StunMethod.REFRESH).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(server.received()).hasSize(3);
            assertThat(server.received().get(2).check(r -> r.verifyMessageIntegrity(md5Key)))
                    .isTrue();
        }
    }

    @Test
    void retriesOnceWithTheFreshNonceAfter438() throws Exception {
        LongTermServer behaviour = new LongTermServer(false);
        try (FakeStunServer server = start(TransportProtocol.UDP, behaviour);
                StunClient client =
                        client(server, TransportProtocol.UDP, ALICE).connect().get()) {
            client.authenticatedRequest(StunMethod.ALLOCATE, UDP).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            behaviour.expireNonce();

            StunMessage response =
                    client.authenticatedRequest(StunMethod.REFRESH).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            List<FakeStunServer.Received> received = server.received();
            assertThat(received).hasSize(4); // 401 dance, then stale nonce, then the retry
            assertThat(text(received.get(2).message(), AttributeType.NONCE)).contains("nonce-1");
            assertThat(text(received.get(3).message(), AttributeType.NONCE)).contains("nonce-2");
        }
    }

    @Test
    void usesSha256WhenTheServerOffersIt() throws Exception {
        LongTermServer behaviour = new LongTermServer(true);
        try (FakeStunServer server = start(TransportProtocol.UDP, behaviour);
                StunClient client =
                        client(server, TransportProtocol.UDP, ALICE).connect().get()) {
            StunMessage response =
                    client.authenticatedRequest(StunMethod.ALLOCATE, UDP).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            FakeStunServer.Received signed = server.received().get(1);
            assertThat(signed.message().attribute(StunAttribute.PasswordAlgorithm.class))
                    .contains(new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.SHA_256.code()));
            assertThat(signed.message().attribute(StunAttribute.PasswordAlgorithms.class))
                    .contains(LongTermServer.OFFER);
            byte[] sha256Key = LongTermKey.derive(PasswordAlgorithm.SHA_256, "alice", REALM, "s3cret");
            assertThat(signed.check(r -> r.verifyMessageIntegritySha256(sha256Key)))
                    .isTrue();
            assertThat(signed.check(StunReader::hasMessageIntegrity)).isFalse();
        }
    }

    @Test
    void prefersSha256EvenWhenTheServerListsMd5First() throws Exception {
        try (FakeStunServer server = start(TransportProtocol.UDP, new LongTermServer(LongTermServer.MD5_FIRST));
                StunClient client =
                        client(server, TransportProtocol.UDP, ALICE).connect().get()) {
            StunMessage response =
                    client.authenticatedRequest(StunMethod.ALLOCATE, UDP).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            FakeStunServer.Received signed = server.received().get(1);
            assertThat(signed.message().attribute(StunAttribute.PasswordAlgorithm.class))
                    .contains(new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.SHA_256.code()));
            // The server's list is echoed as it was sent (bid-down protection), MD5 first.
            assertThat(signed.message().attribute(StunAttribute.PasswordAlgorithms.class))
                    .contains(LongTermServer.MD5_FIRST);
            assertThat(signed.check(StunReader::hasMessageIntegritySha256)).isTrue();
            assertThat(response.attribute(StunAttribute.MessageIntegritySha256.class))
                    .isPresent();
        }
    }

    @Test
    void usesMd5WhenTheClientIsRestrictedToIt() throws Exception {
        try (FakeStunServer server = start(TransportProtocol.UDP, new LongTermServer(true));
                StunClient client = client(server, TransportProtocol.UDP, ALICE)
                        .passwordAlgorithms(PasswordAlgorithm.MD5)
                        .connect()
                        .get()) {
            StunMessage response =
                    client.authenticatedRequest(StunMethod.ALLOCATE, UDP).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            FakeStunServer.Received signed = server.received().get(1);
            assertThat(signed.message().attribute(StunAttribute.PasswordAlgorithm.class))
                    .contains(new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.MD5.code()));
            assertThat(signed.message().attribute(StunAttribute.PasswordAlgorithms.class))
                    .contains(LongTermServer.OFFER);
            byte[] md5Key = LongTermKey.md5("alice", REALM, "s3cret");
            assertThat(signed.check(r -> r.verifyMessageIntegrity(md5Key))).isTrue();
            assertThat(signed.check(StunReader::hasMessageIntegritySha256)).isFalse();
        }
    }

    @Test
    void failsWhenTheServerOffersNoneOfTheClientsAlgorithms() throws Exception {
        // An RFC 5389 server (no PASSWORD-ALGORITHMS) means MD5, which this client refuses.
        try (FakeStunServer server = start(TransportProtocol.UDP, new LongTermServer(false));
                StunClient client = client(server, TransportProtocol.UDP, ALICE)
                        .passwordAlgorithms(PasswordAlgorithm.SHA_256)
                        .connect()
                        .get()) {
            Throwable failure = causeOf(client.authenticatedRequest(StunMethod.ALLOCATE, UDP));

            assertThat(failure).isInstanceOf(StunProtocolException.class).hasMessageContaining("MD5");
            assertThat(server.received()).hasSize(1); // nothing signed was sent
        }
    }

    @Test
    void endsWithThe401WhenThePasswordIsWrong() throws Exception {
        try (FakeStunServer server = start(TransportProtocol.UDP, new LongTermServer(false));
                StunClient client = client(server, TransportProtocol.UDP, new Credentials("alice", "wrong"))
                        .connect()
                        .get()) {
            StunMessage response =
                    client.authenticatedRequest(StunMethod.ALLOCATE, UDP).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(response.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
            assertThat(response.attribute(StunAttribute.ErrorCode.class))
                    .map(StunAttribute.ErrorCode::code)
                    .contains(401);
            assertThat(server.received()).hasSize(2); // no endless loop of retries
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void discardsAResponseSignedWithAnotherKey(TransportProtocol protocol) throws Exception {
        LongTermServer behaviour = new LongTermServer(false);
        behaviour.signWithWrongKey = true;
        try (FakeStunServer server = start(protocol, behaviour);
                StunClient client = client(server, protocol, ALICE)
                        .retransmission(RetransmissionPolicy.withRto(Duration.ofMillis(50)))
                        .timeout(Duration.ofMillis(300))
                        .reliableTimeout(WAIT)
                        .connect()
                        .get()) {
            long start = System.nanoTime();
            Throwable failure = causeOf(client.authenticatedRequest(StunMethod.ALLOCATE, UDP));
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(failure).isInstanceOf(StunProtocolException.class).hasMessageContaining("MESSAGE-INTEGRITY");
            assertThat(client.stats().droppedIntegrity()).isPositive();
            if (protocol == TransportProtocol.UDP) {
                // RFC 8489 §9.2.5: discarded as if never received, so retransmission went on.
                assertThat(client.stats().retransmissions()).isPositive();
            } else {
                // Over TCP the transaction ends at once instead of waiting out Ti.
                assertThat(elapsedMillis).isLessThan(WAIT.toMillis() / 2);
            }
        }
    }

    @Test
    void refusesAnAuthenticatedRequestWithoutCredentials() throws Exception {
        try (FakeStunServer server = FakeStunServer.udp(FakeStunServer.silent());
                StunClient client = StunClient.builder(server.address())
                        .eventLoopGroup(group)
                        .connect()
                        .get()) {
            assertThatThrownBy(() -> client.authenticatedRequest(StunMethod.ALLOCATE))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void credentialsNeverShowThePassword() {
        assertThat(ALICE.toString()).contains("alice").doesNotContain("s3cret");
    }

    private static Optional<String> text(StunMessage message, int type) {
        return message.attribute(type).map(a -> ((StunAttribute.Text) a).value());
    }

    /**
     * A long-term credential server for one user: 401 with REALM and NONCE to an unsigned request,
     * 438 to an expired nonce, and signed success responses.
     */
    static final class LongTermServer implements FakeStunServer.Behaviour {
        static final StunAttribute.PasswordAlgorithms OFFER = new StunAttribute.PasswordAlgorithms(List.of(
                new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.SHA_256.code()),
                new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.MD5.code())));

        /** MD5 first, as Tern's own server lists them. */
        static final StunAttribute.PasswordAlgorithms MD5_FIRST = new StunAttribute.PasswordAlgorithms(List.of(
                new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.MD5.code()),
                new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.SHA_256.code())));

        private final StunAttribute.PasswordAlgorithms offer;
        private final Set<String> expired = ConcurrentHashMap.newKeySet();
        private volatile int nonceNumber = 1;
        volatile boolean signWithWrongKey;

        /** {@code offerSha256}: PASSWORD-ALGORITHMS SHA-256, MD5; else none (an RFC 5389 server). */
        LongTermServer(boolean offerSha256) {
            this(offerSha256 ? OFFER : null);
        }

        LongTermServer(StunAttribute.PasswordAlgorithms offer) {
            this.offer = offer;
        }

        private String nonce() {
            return "nonce-" + nonceNumber;
        }

        void expireNonce() {
            expired.add(nonce());
            nonceNumber++;
        }

        @Override
        public List<byte[]> answer(FakeStunServer.Received request, int index) {
            StunMessage message = request.message();
            boolean signed = request.check(r -> r.hasMessageIntegrity() || r.hasMessageIntegritySha256());
            if (!signed) {
                return List.of(challenge(message, 401, "Unauthorized"));
            }
            if (text(message, AttributeType.NONCE).filter(expired::contains).isPresent()) {
                return List.of(challenge(message, 438, "Stale Nonce"));
            }
            PasswordAlgorithm algorithm = message.attribute(StunAttribute.PasswordAlgorithm.class)
                    .map(a -> PasswordAlgorithm.ofCode(a.algorithm()))
                    .orElse(PasswordAlgorithm.MD5);
            byte[] key = LongTermKey.derive(algorithm, "alice", REALM, "s3cret");
            boolean authentic = text(message, AttributeType.USERNAME).equals(Optional.of("alice"))
                    && text(message, AttributeType.REALM).equals(Optional.of(REALM))
                    && text(message, AttributeType.NONCE).equals(Optional.of(nonce()))
                    && request.check(r -> algorithm == PasswordAlgorithm.SHA_256
                            ? r.verifyMessageIntegritySha256(key)
                            : r.verifyMessageIntegrity(key));
            if (!authentic) {
                return List.of(challenge(message, 401, "Unauthorized"));
            }
            byte[] signingKey = signWithWrongKey ? LongTermKey.derive(algorithm, "alice", REALM, "other") : key;
            StunMessageBuilder.Attributes success = StunMessage.builder(
                            StunClass.SUCCESS_RESPONSE, message.method(), message.transactionId())
                    .add(new StunAttribute.Address(AttributeType.XOR_MAPPED_ADDRESS, request.sender()));
            StunMessageBuilder.Integrity integrity = algorithm == PasswordAlgorithm.SHA_256
                    ? success.integritySha256(signingKey)
                    : success.integrity(signingKey);
            return List.of(FakeStunServer.encode(integrity.fingerprint()));
        }

        private byte[] challenge(StunMessage request, int code, String reason) {
            StunMessageBuilder.Attributes answer = StunMessage.builder(
                            StunClass.ERROR_RESPONSE, request.method(), request.transactionId())
                    .add(new StunAttribute.ErrorCode(code, reason))
                    .add(new StunAttribute.Text(AttributeType.REALM, REALM))
                    .add(new StunAttribute.Text(AttributeType.NONCE, nonce()));
            if (offer != null) {
                answer.add(offer);
            }
            return FakeStunServer.encode(answer.fingerprint());
        }
    }
}
