package io.tern.server.dtls;

import static io.tern.server.ServerHarness.bytes;
import static io.tern.server.ServerHarness.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tern.client.ClientTls;
import io.tern.client.Credentials;
import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.metrics.AllocationEnd;
import io.tern.server.metrics.DtlsDrop;
import io.tern.server.metrics.DtlsHandshake;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.transport.ClientTransport;
import io.tern.server.transport.Listeners;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.LongTermKey;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * STUN and TURN over DTLS 1.2 against an in-process server with a development certificate, driven
 * by {@link DtlsClient} (the JDK's client engine over a plain UDP socket), and by turn-client's own
 * DTLS transport: certificate checked, a session relayed byte-exact, refusals failing connect().
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DtlsTransportTest {
    private ServerHarness harness;

    @BeforeAll
    void start() throws Exception {
        harness = ServerHarness.startTls(TlsConfig.devSelfSigned(0));
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    private InetSocketAddress dtls() {
        return harness.server().dtlsAddresses().get(0);
    }

    private DtlsClient connect() throws Exception {
        return DtlsClient.connect(dtls(), harness.server().tlsCertificate());
    }

    private ServerMetrics metrics() {
        return harness.server().metrics();
    }

    private static byte[] request(int method, TransactionId id, StunAttribute... attributes) {
        var b = StunMessage.builder(StunClass.REQUEST, method, id);
        for (StunAttribute a : attributes) {
            b.add(a);
        }
        return bytes(b.fingerprint().encode(ByteBufAllocator.DEFAULT));
    }

    /** An RFC 5389-style signed request (MD5 key, no PASSWORD-ALGORITHM), as coturn's clients send. */
    private static byte[] signed(
            int method, TransactionId id, String realm, String nonce, StunAttribute... attributes) {
        var b = StunMessage.builder(StunClass.REQUEST, method, id);
        for (StunAttribute a : attributes) {
            b.add(a);
        }
        b.add(new StunAttribute.Text(AttributeType.USERNAME, "alice"))
                .add(new StunAttribute.Text(AttributeType.REALM, realm))
                .add(new StunAttribute.Text(AttributeType.NONCE, nonce));
        byte[] key = LongTermKey.md5("alice", realm, "secret");
        return bytes(b.integrity(key).fingerprint().encode(ByteBufAllocator.DEFAULT));
    }

    private static StunMessage exchange(DtlsClient client, byte[] request) throws Exception {
        client.send(request);
        byte[] answer = client.receive(3000);
        assertThat(answer).as("an answer over DTLS").isNotNull();
        return decode(answer);
    }

    private static int code(StunMessage m) {
        return m.attribute(StunAttribute.ErrorCode.class)
                .map(StunAttribute.ErrorCode::code)
                .orElse(0);
    }

    private static String text(StunMessage m, int type) {
        return ((StunAttribute.Text) m.attribute(type).orElseThrow()).value();
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within 15 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    private static boolean bindingWorks(DtlsClient client) throws Exception {
        TransactionId id = TransactionId.random();
        StunMessage answer = exchange(client, request(StunMethod.BINDING, id));
        return answer.messageClass() == StunClass.SUCCESS_RESPONSE
                && answer.transactionId().equals(id);
    }

    @Test
    void listensOnUdpAtTheTlsPortNumber() {
        assertThat(harness.server().dtlsAddresses()).hasSize(1);
        assertThat(dtls().getPort()).isEqualTo(harness.tls().getPort());
    }

    @Test
    void answersBindingWithTheClientsAddressOverDtls12() throws Exception {
        try (DtlsClient client = connect()) {
            assertThat(client.protocol()).isEqualTo("DTLSv1.2");
            assertThat(ServerDtls.CIPHERS).contains(client.cipherSuite());
            assertThat(client.serverCertificate()).isEqualTo(harness.server().tlsCertificate());
            assertThat(client.largestHandshakeDatagram()).isBetween(1, ServerDtls.HANDSHAKE_PACKET);
            TransactionId id = TransactionId.random();
            StunMessage answer = exchange(client, request(StunMethod.BINDING, id));
            assertThat(answer.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(answer.transactionId()).isEqualTo(id);
            assertThat(answer.attribute(AttributeType.XOR_MAPPED_ADDRESS))
                    .contains(new StunAttribute.Address(AttributeType.XOR_MAPPED_ADDRESS, client.localAddress()));
        }
    }

    @Test
    void allocatesAndRelaysBothWaysThroughAChannelUnpadded() throws Exception {
        long toClients = metrics().packetsToClients(ClientTransport.DTLS.ordinal());
        long toPeers = metrics().packetsToPeers(ClientTransport.DTLS.ordinal());
        try (DtlsClient client = connect();
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            StunAttribute udp = new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP);
            StunMessage challenge = exchange(client, request(StunMethod.ALLOCATE, TransactionId.random(), udp));
            assertThat(code(challenge)).isEqualTo(401);
            String realm = text(challenge, AttributeType.REALM);
            String nonce = text(challenge, AttributeType.NONCE);

            StunMessage allocated =
                    exchange(client, signed(StunMethod.ALLOCATE, TransactionId.random(), realm, nonce, udp));
            assertThat(code(allocated)).isZero();
            InetSocketAddress relayed = ((StunAttribute.Address) allocated
                            .attribute(AttributeType.XOR_RELAYED_ADDRESS)
                            .orElseThrow())
                    .address();
            assertThat(((StunAttribute.Address) allocated
                                    .attribute(AttributeType.XOR_MAPPED_ADDRESS)
                                    .orElseThrow())
                            .address())
                    .isEqualTo(client.localAddress());

            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            StunAttribute xorPeer = new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peerAddress);
            assertThat(code(exchange(
                            client,
                            signed(StunMethod.CREATE_PERMISSION, TransactionId.random(), realm, nonce, xorPeer))))
                    .isZero();
            int channel = 0x4001;
            assertThat(code(exchange(
                            client,
                            signed(
                                    StunMethod.CHANNEL_BIND,
                                    TransactionId.random(),
                                    realm,
                                    nonce,
                                    new StunAttribute.ChannelNumber(channel),
                                    xorPeer))))
                    .isZero();

            // Client -> peer: one ChannelData record with an odd length, no padding on a datagram.
            byte[] payload = new byte[101];
            ThreadLocalRandom.current().nextBytes(payload);
            client.send(channelData(channel, payload));
            byte[] atPeer = ServerHarness.receive(peer, 3000);
            assertThat(atPeer).isEqualTo(payload);

            // Peer -> client: the server seals ChannelData into a record of its own.
            byte[] back = new byte[333];
            ThreadLocalRandom.current().nextBytes(back);
            peer.send(new DatagramPacket(back, back.length, relayed));
            byte[] atClient = client.receive(3000);
            assertThat(atClient).isEqualTo(channelData(channel, back));
            assertThat(atClient).hasSize(4 + 333);

            // A peer datagram larger than a handshake record still goes in one record.
            byte[] large = new byte[1400];
            ThreadLocalRandom.current().nextBytes(large);
            peer.send(new DatagramPacket(large, large.length, relayed));
            assertThat(client.receive(3000)).isEqualTo(channelData(channel, large));
            client.send(channelData(channel, large));
            assertThat(ServerHarness.receive(peer, 3000)).isEqualTo(large);
        }
        assertThat(metrics().packetsToClients(ClientTransport.DTLS.ordinal()) - toClients)
                .isEqualTo(2);
        assertThat(metrics().packetsToPeers(ClientTransport.DTLS.ordinal()) - toPeers)
                .isEqualTo(2);
    }

    private static byte[] channelData(int channel, byte[] payload) {
        byte[] m = new byte[4 + payload.length];
        m[0] = (byte) (channel >> 8);
        m[1] = (byte) channel;
        m[2] = (byte) (payload.length >> 8);
        m[3] = (byte) payload.length;
        System.arraycopy(payload, 0, m, 4, payload.length);
        return m;
    }

    @Test
    void garbageBeforeAndAfterTheHandshakeIsDroppedCountedAndHarmless() throws Exception {
        long notHello = metrics().dtlsDropCount(DtlsDrop.NOT_CLIENT_HELLO);
        long badRecord = metrics().dtlsDropCount(DtlsDrop.BAD_RECORD);
        long handshakes = metrics().dtlsHandshaking();
        try (DatagramSocket plain = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            // A plain STUN client on the DTLS port: no answer, no state.
            byte[] stun = request(StunMethod.BINDING, TransactionId.random());
            assertThat(ServerHarness.sendExpectingSilence(plain, dtls(), stun)).isNull();
            assertThat(ServerHarness.sendExpectingSilence(plain, dtls(), new byte[] {22, (byte) 0xFE}))
                    .isNull();
        }
        eventually(
                "two datagrams counted as not a ClientHello",
                () -> metrics().dtlsDropCount(DtlsDrop.NOT_CLIENT_HELLO) == notHello + 2);
        assertThat(metrics().dtlsHandshaking()).isEqualTo(handshakes);

        try (DtlsClient client = connect()) {
            // An application record of epoch 1 that does not decrypt, then bytes that are no record.
            byte[] forged = new byte[60];
            ThreadLocalRandom.current().nextBytes(forged);
            forged[0] = 23;
            forged[1] = (byte) 0xFE;
            forged[2] = (byte) 0xFD;
            forged[3] = 0;
            forged[4] = 1;
            forged[11] = 0;
            forged[12] = 47;
            client.sendRaw(forged);
            client.sendRaw(new byte[] {1, 2, 3});
            client.sendRaw(new byte[Listeners.MAX_DATAGRAM + 1]);
            // A plaintext (epoch 0) fatal alert, as anyone who knows the 5-tuple could forge: ignored.
            client.sendRaw(new byte[] {21, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 99, 0, 2, 2, 40});
            eventually("four bad records counted", () -> metrics().dtlsDropCount(DtlsDrop.BAD_RECORD) == badRecord + 4);
            assertThat(bindingWorks(client)).as("the session after the garbage").isTrue();
        }
    }

    @Test
    void randomDatagramsBreakNeitherTheSessionNorTheListener() throws Exception {
        java.util.Random random = new java.util.Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        try (DtlsClient client = connect();
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (int i = 0; i < 300; i++) {
                byte[] junk = new byte[random.nextInt(1500)];
                random.nextBytes(junk);
                if (junk.length > 13 && random.nextBoolean()) {
                    // Make it look like a DTLS record: a real content type, version and epoch 0 or 1.
                    junk[0] = (byte) (20 + random.nextInt(4));
                    junk[1] = (byte) 0xFE;
                    junk[2] = (byte) 0xFD;
                    junk[3] = 0;
                    junk[4] = (byte) random.nextInt(2);
                }
                client.sendRaw(junk);
                stranger.send(new DatagramPacket(junk, junk.length, dtls()));
            }
            assertThat(bindingWorks(client))
                    .as("the session after 300 random datagrams, seed %d", seed)
                    .isTrue();
        }
        try (DtlsClient fresh = connect()) {
            assertThat(bindingWorks(fresh)).as("a new session, seed %d", seed).isTrue();
        }
    }

    @Test
    void aClientHelloThatIsNeverFollowedUpTimesOutAndLeavesNothing() throws Exception {
        long timedOut = metrics().dtlsHandshakeCount(DtlsHandshake.TIMED_OUT);
        try (DtlsClient client = DtlsClient.open(dtls(), harness.server().tlsCertificate())) {
            // Only the first flight: the ClientHello, answered by a HelloVerifyRequest.
            client.sendClientHelloOnly();
            assertThat(ServerHarness.receive(client.socket(), 2000))
                    .as("a HelloVerifyRequest")
                    .isNotNull()
                    .satisfies(hvr -> assertThat(hvr[13]).isEqualTo((byte) 3));
            eventually("a handshake in progress", () -> metrics().dtlsHandshaking() >= 1);
            eventually(
                    "the handshake timed out", () -> metrics().dtlsHandshakeCount(DtlsHandshake.TIMED_OUT) > timedOut);
            eventually("no handshake left", () -> metrics().dtlsHandshaking() == 0);
        }
    }

    @Test
    void aFlightTheClientDoesNotAnswerIsSentAgainAfterASecond() throws Exception {
        try (DtlsClient client = DtlsClient.open(dtls(), harness.server().tlsCertificate())) {
            client.helloWithCookie();
            byte[] first = ServerHarness.receive(client.socket(), 2000);
            assertThat(first).as("the server's flight").isNotNull();
            assertThat(first[13]).as("starting with a ServerHello").isEqualTo((byte) 2);
            long sent = System.nanoTime();
            // Read the rest of the flight, then the same flight again once the timer fires.
            byte[] again;
            do {
                again = ServerHarness.receive(client.socket(), 3000);
            } while (again != null && again[13] != 2);
            long waited = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertThat(again).as("the flight again").isNotNull();
            assertThat(waited).isBetween(800L, 2500L);
        }
    }

    @Test
    void closeNotifyEndsTheSessionAndItsAllocation() throws Exception {
        long closed = metrics().allocationsEndedCount(AllocationEnd.CONNECTION_CLOSED);
        try (DtlsClient client = connect()) {
            StunAttribute udp = new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP);
            StunMessage challenge = exchange(client, request(StunMethod.ALLOCATE, TransactionId.random(), udp));
            StunMessage allocated = exchange(
                    client,
                    signed(
                            StunMethod.ALLOCATE,
                            TransactionId.random(),
                            text(challenge, AttributeType.REALM),
                            text(challenge, AttributeType.NONCE),
                            udp));
            assertThat(code(allocated)).isZero();
            long sessions = metrics().dtlsSessions();
            client.closeNotify();
            assertThat(client.closedByServer(3000))
                    .as("the server's close_notify")
                    .isTrue();
            eventually(
                    "the allocation ended as connection closed",
                    () -> metrics().allocationsEndedCount(AllocationEnd.CONNECTION_CLOSED) == closed + 1);
            eventually("the session is gone", () -> metrics().dtlsSessions() == sessions - 1);
        }
    }

    @Test
    void aDtls10ClientHelloIsRefusedAtOnceWithAnAlert() throws Exception {
        long failed = metrics().dtlsHandshakeCount(DtlsHandshake.FAILED);
        try (DtlsClient client = DtlsClient.open(dtls(), harness.server().tlsCertificate())) {
            // The JDK's client refuses DTLS 1.0 itself: offer it by rewriting client_version, which
            // follows the 13-byte record header and the 12-byte handshake header.
            byte[] hello = client.clientHello();
            hello[25] = (byte) 0xFE;
            hello[26] = (byte) 0xFF;
            client.sendRaw(hello);
            byte[] answer = ServerHarness.receive(client.socket(), 2000);
            assertThat(answer).as("an alert, at once").isNotNull();
            assertThat(answer[0]).as("content type alert").isEqualTo((byte) 21);
            assertThat(answer[13]).as("fatal").isEqualTo((byte) 2);
            assertThat(answer[14]).as("protocol_version").isEqualTo((byte) 70);
        }
        eventually("the failed handshake counted", () -> metrics().dtlsHandshakeCount(DtlsHandshake.FAILED) > failed);
    }

    @Test
    void aClientThatRestartsOnTheSamePortGetsANewSessionAndItsOldAllocationEnds() throws Exception {
        long closed = metrics().allocationsEndedCount(AllocationEnd.CONNECTION_CLOSED);
        StunAttribute udp = new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP);
        try (DtlsClient first = connect()) {
            StunMessage challenge = exchange(first, request(StunMethod.ALLOCATE, TransactionId.random(), udp));
            String realm = text(challenge, AttributeType.REALM);
            String nonce = text(challenge, AttributeType.NONCE);
            assertThat(code(exchange(first, signed(StunMethod.ALLOCATE, TransactionId.random(), realm, nonce, udp))))
                    .isZero();

            // RFC 6347 §4.2.8: a new handshake on the same 5-tuple replaces the old association.
            DtlsClient second = first.restart();
            eventually(
                    "the first session's allocation ended",
                    () -> metrics().allocationsEndedCount(AllocationEnd.CONNECTION_CLOSED) == closed + 1);
            assertThat(bindingWorks(second)).isTrue();
            assertThat(code(exchange(second, signed(StunMethod.ALLOCATE, TransactionId.random(), realm, nonce, udp))))
                    .as("a fresh allocation, not 437 Allocation Mismatch")
                    .isZero();
        }
    }

    @Test
    void noDtlsOpensNoUdpSocketOnTheTlsPort() throws Exception {
        try (ServerHarness h = ServerHarness.startTls(TlsConfig.devSelfSigned(0).withDtls(false))) {
            assertThat(h.server().dtlsAddresses()).isEmpty();
            assertThat(h.server().tlsAddresses()).hasSize(1);
            InetSocketAddress port = new InetSocketAddress(
                    InetAddress.getByName("127.0.0.1"), h.tls().getPort());
            assertThat(Listeners.isUdpFree(port)).isTrue();
        }
    }

    @Test
    void aSecondClientGetsItsOwnSession() throws Exception {
        try (DtlsClient a = connect();
                DtlsClient b = connect()) {
            assertThat(bindingWorks(a)).isTrue();
            assertThat(bindingWorks(b)).isTrue();
            byte[] hello = "not stun".getBytes(StandardCharsets.US_ASCII);
            a.send(Arrays.copyOf(hello, hello.length));
            assertThat(bindingWorks(a))
                    .as("a after sending a record that is neither STUN nor ChannelData")
                    .isTrue();
        }
    }

    private StunClient.Builder client(ClientTls tls) {
        return StunClient.builder(dtls())
                .protocol(TransportProtocol.UDP)
                .tls(tls)
                .credentials(new Credentials("alice", "secret"))
                .timeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(3));
    }

    // turn-client's DTLS transport (turns:...?transport=udp), as tern probe uses it.

    @Test
    void turnClientRelaysByteExactThroughTheDtlsPortWithTheCertificateChecked() throws Exception {
        BlockingQueue<byte[]> fromPeer = new LinkedBlockingQueue<>();
        InboundListener inbound = new InboundListener() {
            @Override
            public void onChannelData(int channel, ByteBuf data) {
                fromPeer.add(ByteBufUtil.getBytes(data));
            }

            @Override
            public void onData(InetSocketAddress peer, ByteBuf data) {
                fromPeer.add(ByteBufUtil.getBytes(data));
            }
        };
        ClientTls tls = ClientTls.trusting("127.0.0.1", harness.server().tlsCertificate());
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
                StunClient client =
                        client(tls).inboundListener(inbound).connect().get(10, TimeUnit.SECONDS)) {
            peer.setSoTimeout(5000);
            assertThat(client.binding().get(5, TimeUnit.SECONDS).getAddress())
                    .isEqualTo(client.localAddress().getAddress());
            TurnAllocation a = client.allocate().get(10, TimeUnit.SECONDS);
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            client.channelBind(0x4001, peerAddress).get(5, TimeUnit.SECONDS);

            // 1,300 bytes: one record each way, well past a small ChannelData.
            byte[] out = new byte[1300];
            Arrays.fill(out, (byte) 0x5a);
            out[0] = 1;
            out[out.length - 1] = 2;
            client.sendChannelData(0x4001, Unpooled.wrappedBuffer(out)).get(5, TimeUnit.SECONDS);
            DatagramPacket got = new DatagramPacket(new byte[2000], 2000);
            peer.receive(got);
            assertThat(Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(out);
            assertThat(got.getSocketAddress()).isEqualTo(a.relayedAddress());

            byte[] back = "from the peer, 31 bytes long!!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            peer.send(new DatagramPacket(back, back.length, a.relayedAddress()));
            assertThat(fromPeer.poll(5, TimeUnit.SECONDS)).isEqualTo(back);
        }
    }

    @Test
    void turnClientRefusesAnUntrustedCertificate() {
        assertThatThrownBy(() -> client(ClientTls.trusting("127.0.0.1", otherCertificate()))
                        .connect()
                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SSLException.class)
                .hasStackTraceContaining("PKIX");
    }

    @Test
    void turnClientFailsConnectAtTheTimeoutWhenNothingAnswers() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> StunClient.builder((InetSocketAddress) silent.getLocalSocketAddress())
                            .protocol(TransportProtocol.UDP)
                            .tls(ClientTls.insecure("127.0.0.1"))
                            .connectTimeout(Duration.ofMillis(2500))
                            .connect()
                            .get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(io.tern.client.DtlsHandshakeTimeoutException.class)
                    .hasStackTraceContaining("DTLS handshake not done within 2500 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(2400), Duration.ofSeconds(6));
            // It retransmitted its ClientHello while waiting (after 1 s, then 2 s more).
            silent.setSoTimeout(100);
            int hellos = 0;
            try {
                while (true) {
                    silent.receive(new DatagramPacket(new byte[2000], 2000));
                    hellos++;
                }
            } catch (java.net.SocketTimeoutException drained) {
                // all read
            }
            assertThat(hellos).isGreaterThanOrEqualTo(2);
        }
    }

    private static java.security.cert.X509Certificate otherCertificate() throws Exception {
        return io.tern.server.tls.CertificateAndKey.selfSigned("not the server", Duration.ofDays(1))
                .leaf();
    }
}
