package io.tern.server.tls;

import static io.tern.server.ServerHarness.bytes;
import static io.tern.server.ServerHarness.closedByPeer;
import static io.tern.server.ServerHarness.decode;
import static io.tern.server.ServerHarness.readStunFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** STUN and TURN over TLS against an in-process server with a development certificate. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTransportTest {
    private ServerHarness harness;

    @BeforeAll
    void start() throws Exception {
        harness = ServerHarness.startTls(TlsConfig.devSelfSigned(0));
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    private static byte[] request(int method, TransactionId id, StunAttribute... attributes) {
        var b = StunMessage.builder(StunClass.REQUEST, method, id);
        for (StunAttribute a : attributes) {
            b.add(a);
        }
        return bytes(b.fingerprint().encode(ByteBufAllocator.DEFAULT));
    }

    private static void send(Socket socket, byte[] message) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(message);
        out.flush();
    }

    @Test
    void listensOnItsOwnPortNextToUdpAndTcp() {
        assertThat(harness.server().tlsAddresses()).hasSize(1);
        assertThat(harness.tls().getPort()).isNotEqualTo(harness.tcp().getPort());
        assertThat(harness.server().tlsCertificate().getSubjectX500Principal().getName())
                .isEqualTo("CN=localhost");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void answersBindingOverEachTlsVersion(String protocol) throws Exception {
        try (SSLSocket client = harness.connectTls(protocol)) {
            assertThat(client.getSession().getProtocol()).isEqualTo(protocol);
            assertThat(ServerTls.CIPHERS).contains(client.getSession().getCipherSuite());
            TransactionId id = TransactionId.random();
            send(client, request(StunMethod.BINDING, id));
            StunMessage answer = decode(readStunFrame(client));
            assertThat(answer.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(answer.transactionId()).isEqualTo(id);
            assertThat(answer.attribute(AttributeType.XOR_MAPPED_ADDRESS))
                    .contains(new StunAttribute.Address(
                            AttributeType.XOR_MAPPED_ADDRESS, (InetSocketAddress) client.getLocalSocketAddress()));
        }
    }

    @Test
    void challengesAnUnauthenticatedAllocateWith401() throws Exception {
        try (SSLSocket client = harness.connectTls("TLSv1.3")) {
            TransactionId id = TransactionId.random();
            send(
                    client,
                    request(
                            StunMethod.ALLOCATE,
                            id,
                            new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP)));
            StunMessage answer = decode(readStunFrame(client));
            assertThat(answer.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
            assertThat(answer.transactionId()).isEqualTo(id);
            assertThat(answer.attribute(StunAttribute.ErrorCode.class))
                    .hasValueSatisfying(e -> assertThat(e.code()).isEqualTo(401));
            assertThat(answer.attribute(AttributeType.REALM)).isPresent();
            assertThat(answer.attribute(AttributeType.NONCE)).isPresent();
        }
    }

    @Test
    void offersOnlyTls13And12WithForwardSecretAeadSuites() throws Exception {
        var engine = ServerTls.context(CertificateAndKey.selfSigned("x", java.time.Duration.ofDays(1)))
                .newEngine(ByteBufAllocator.DEFAULT);
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(engine.getEnabledCipherSuites())
                .isNotEmpty()
                .allSatisfy(c -> assertThat(ServerTls.CIPHERS).contains(c));
        assertThat(engine.getEnabledCipherSuites())
                .contains("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() throws Exception {
        X509Certificate other = CertificateAndKey.selfSigned("someone-else", java.time.Duration.ofDays(1))
                .leaf();
        try (SSLSocket client =
                (SSLSocket) ServerHarness.trusting(other).getSocketFactory().createSocket()) {
            client.connect(harness.tls(), 2000);
            client.setSoTimeout(5000);
            assertThatThrownBy(client::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }
        assertServerStillAnswers();
    }

    @Test
    void aPlainStunClientOnTheTlsPortIsDisconnectedAndNothingBreaks() throws Exception {
        try (Socket plain = new Socket()) {
            plain.connect(harness.tls(), 2000);
            send(plain, request(StunMethod.BINDING, TransactionId.random()));
            assertThat(closedByPeer(plain)).isTrue();
        }
        assertServerStillAnswers();
    }

    @Test
    void garbageAfterTheHandshakeClosesOnlyThatConnection() throws Exception {
        try (SSLSocket bad = harness.connectTls("TLSv1.3");
                SSLSocket good = harness.connectTls("TLSv1.2")) {
            // 0xFF is neither STUN nor ChannelData: a framing error, handled like on TCP.
            send(bad, new byte[] {(byte) 0xFF, 0, 0, 4, 1, 2, 3, 4});
            assertThat(closedByPeer(bad)).isTrue();
            TransactionId id = TransactionId.random();
            send(good, request(StunMethod.BINDING, id));
            assertThat(decode(readStunFrame(good)).transactionId()).isEqualTo(id);
        }
    }

    private void assertServerStillAnswers() throws Exception {
        try (SSLSocket client = harness.connectTls("TLSv1.3")) {
            TransactionId id = TransactionId.random();
            send(client, request(StunMethod.BINDING, id));
            assertThat(decode(readStunFrame(client)).transactionId()).isEqualTo(id);
        }
    }
}
