package io.tern.client;

import static io.tern.client.FakeStunServer.bindingSuccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StunClientTest {
    /** Far more than any test needs on loopback, far less than the RFC's 39.5 s. */
    private static final Duration WAIT = Duration.ofSeconds(3);

    /**
     * One transmission, then wait: for tests that count datagrams exactly, which a retransmission
     * on a slow machine (a cold JIT, a busy CI box) would otherwise make flaky.
     */
    static final RetransmissionPolicy ONCE = new RetransmissionPolicy(WAIT, 1, 1);

    /** For the tests that are about retransmission: RTO 50 ms. */
    private static final RetransmissionPolicy FAST = RetransmissionPolicy.withRto(Duration.ofMillis(50));

    private static EventLoopGroup group;

    @BeforeAll
    static void startLoops() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private static StunClient.Builder client(FakeStunServer server, TransportProtocol protocol) {
        return StunClient.builder(server.address())
                .protocol(protocol)
                .eventLoopGroup(group)
                .retransmission(ONCE)
                .timeout(WAIT);
    }

    private static FakeStunServer server(TransportProtocol protocol, FakeStunServer.Behaviour behaviour)
            throws Exception {
        return protocol == TransportProtocol.UDP ? FakeStunServer.udp(behaviour) : FakeStunServer.tcp(behaviour);
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void bindingReturnsTheAddressTheServerSaw(TransportProtocol protocol) throws Exception {
        try (FakeStunServer server = server(protocol, FakeStunServer.binding());
                // No group given: the client owns one and shuts it down on close.
                StunClient client = StunClient.builder(server.address())
                        .protocol(protocol)
                        .retransmission(ONCE)
                        .connect()
                        .get()) {
            InetSocketAddress mapped = client.binding().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(mapped).isEqualTo(client.localAddress());
            assertThat(server.received()).hasSize(1);
            assertThat(server.received().get(0).sender()).isEqualTo(client.localAddress());
            StunMessage request = server.received().get(0).message();
            assertThat(request.method()).isEqualTo(StunMethod.BINDING);
            assertThat(request.messageClass()).isEqualTo(StunClass.REQUEST);
            assertThat(client.stats().responses()).isEqualTo(1);
        }
    }

    @Test
    void retransmitsOverUdpUntilAnswered() throws Exception {
        FakeStunServer.Behaviour dropTwo = (request, index) -> index < 2 ? List.of() : List.of(bindingSuccess(request));
        try (FakeStunServer server = FakeStunServer.udp(dropTwo);
                StunClient client = client(server, TransportProtocol.UDP)
                        .retransmission(FAST)
                        .connect()
                        .get()) {
            InetSocketAddress mapped = client.binding().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(mapped).isEqualTo(client.localAddress());
            // Three transmissions (a fourth only if the answer to the third took over 200 ms), all
            // of them the same transaction, byte for byte.
            List<FakeStunServer.Received> received = server.received();
            assertThat(received).hasSizeGreaterThanOrEqualTo(3);
            assertThat(received)
                    .allSatisfy(
                            r -> assertThat(r.bytes()).isEqualTo(received.get(0).bytes()));
            assertThat(client.stats().transactions()).isEqualTo(1);
            assertThat(client.stats().retransmissions()).isEqualTo(received.size() - 1);
        }
    }

    @Test
    void timesOutOverUdpWhenNothingAnswers() throws Exception {
        // RTO 50 ms: sends due at 0, 50 and 150 ms; the 300 ms cap ends it before the one due at
        // 350 ms. A stalled loop can only make sends later: 3 of them, or 2 after a long stall.
        try (FakeStunServer server = FakeStunServer.udp(FakeStunServer.silent());
                StunClient client = client(server, TransportProtocol.UDP)
                        .retransmission(FAST)
                        .timeout(Duration.ofMillis(300))
                        .connect()
                        .get()) {
            long start = System.nanoTime();
            CompletableFuture<InetSocketAddress> binding = client.binding();

            Throwable failure = causeOf(binding);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(failure).isInstanceOf(TransactionTimeoutException.class);
            int transmissions = ((TransactionTimeoutException) failure).transmissions();
            assertThat(transmissions).isBetween(2, 3);
            assertThat(elapsedMillis).isBetween(300L, 2_000L);
            assertThat(client.stats().timeouts()).isEqualTo(1);
            awaitReceived(server, transmissions);
            assertThat(server.received()).hasSize(transmissions);
            assertThat(server.received())
                    .allSatisfy(r -> assertThat(r.bytes())
                            .isEqualTo(server.received().get(0).bytes()));
        }
    }

    @Test
    void timesOutOverTcpAfterOneTransmission() throws Exception {
        try (FakeStunServer server = FakeStunServer.tcp(FakeStunServer.silent());
                StunClient client = client(server, TransportProtocol.TCP)
                        .reliableTimeout(Duration.ofMillis(300))
                        .connect()
                        .get()) {
            Throwable failure = causeOf(client.binding());

            assertThat(failure).isInstanceOf(TransactionTimeoutException.class);
            assertThat(((TransactionTimeoutException) failure).transmissions()).isEqualTo(1);
            assertThat(server.received()).hasSize(1);
            assertThat(client.stats().retransmissions()).isZero();
        }
    }

    @Test
    void dropsResponsesThatDoNotMatchOrDoNotParse() throws Exception {
        InetSocketAddress decoy = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 9);
        FakeStunServer.Behaviour noisy = (request, index) -> {
            byte[] badFingerprint = bindingSuccess(request.transactionId(), decoy);
            badFingerprint[badFingerprint.length - 1] ^= 1;
            byte[] wrongMethod = FakeStunServer.encode(
                    StunMessage.builder(StunClass.SUCCESS_RESPONSE, StunMethod.ALLOCATE, request.transactionId())
                            .fingerprint());
            return List.of(
                    "not STUN at all".getBytes(StandardCharsets.US_ASCII),
                    new byte[] {0, 1, 0}, // a truncated header
                    bindingSuccess(TransactionId.random(), decoy), // somebody else's transaction
                    wrongMethod,
                    badFingerprint,
                    bindingSuccess(request));
        };
        try (FakeStunServer server = FakeStunServer.udp(noisy);
                StunClient client =
                        client(server, TransportProtocol.UDP).connect().get()) {
            InetSocketAddress mapped = client.binding().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(mapped).isEqualTo(client.localAddress());
            ClientStats stats = client.stats();
            assertThat(stats.droppedUnknownTransaction()).isEqualTo(2);
            assertThat(stats.droppedMalformed()).isEqualTo(2);
            assertThat(stats.droppedUnexpected()).isEqualTo(1); // 'n' is neither STUN nor ChannelData
            assertThat(stats.responses()).isEqualTo(1);
        }
    }

    @Test
    void splitsSeveralTcpResponsesInOneReadAndOneAcrossTwoReads() throws Exception {
        try (FakeStunServer server = FakeStunServer.tcp(FakeStunServer.binding(), 3);
                StunClient client =
                        client(server, TransportProtocol.TCP).connect().get()) {
            List<CompletableFuture<StunMessage>> responses = new ArrayList<>();
            List<TransactionId> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TransactionId id = TransactionId.random();
                ids.add(id);
                responses.add(client.request(StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, id)
                        .fingerprint()));
            }

            for (int i = 0; i < 3; i++) {
                StunMessage response = responses.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(response.transactionId()).isEqualTo(ids.get(i));
                assertThat(response.attribute(AttributeType.XOR_MAPPED_ADDRESS))
                        .contains(new StunAttribute.Address(AttributeType.XOR_MAPPED_ADDRESS, client.localAddress()));
            }
            assertThat(client.stats().droppedMalformed()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void handsRelayedDataAndIndicationsToTheListener(TransportProtocol protocol) throws Exception {
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 5000);
        byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII); // 5 bytes: TCP pads to 8
        FakeStunServer.Behaviour pushes = (request, index) -> List.of(
                FakeStunServer.encode(StunMessage.builder(StunClass.INDICATION, StunMethod.DATA, TransactionId.random())
                        .add(new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer))
                        .add(new StunAttribute.Data(payload))),
                // RFC 8656 §11.6: a Data indication without XOR-PEER-ADDRESS is discarded.
                FakeStunServer.encode(StunMessage.builder(StunClass.INDICATION, StunMethod.DATA, TransactionId.random())
                        .add(new StunAttribute.Data(payload))),
                FakeStunServer.concat(new byte[] {0x40, 0x01, 0, 5}, payload, new byte[3]),
                // Any other indication goes to onIndication.
                FakeStunServer.encode(
                        StunMessage.builder(StunClass.INDICATION, StunMethod.BINDING, TransactionId.random())),
                bindingSuccess(request));
        List<String> data = new CopyOnWriteArrayList<>();
        List<StunMessage> indications = new CopyOnWriteArrayList<>();
        List<String> channelData = new CopyOnWriteArrayList<>();
        InboundListener listener = new InboundListener() {
            @Override
            public void onData(InetSocketAddress from, ByteBuf bytes) {
                data.add(from + ":" + bytes.toString(StandardCharsets.US_ASCII));
            }

            @Override
            public void onChannelData(int channel, ByteBuf bytes) {
                channelData.add(Integer.toHexString(channel) + ":" + bytes.toString(StandardCharsets.US_ASCII));
            }

            @Override
            public void onIndication(StunMessage indication) {
                indications.add(indication);
            }
        };
        try (FakeStunServer server = server(protocol, pushes);
                StunClient client = client(server, protocol)
                        .inboundListener(listener)
                        .connect()
                        .get()) {
            client.binding().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            // All arrived before the response, on the same loop, so they are already delivered.
            assertThat(data).containsExactly(peer + ":hello");
            assertThat(channelData).containsExactly("4001:hello");
            assertThat(indications)
                    .singleElement()
                    .satisfies(i -> assertThat(i.method()).isEqualTo(StunMethod.BINDING));
            assertThat(client.stats().droppedMalformed()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void bindsTheLocalAddressItIsGiven(TransportProtocol protocol) throws Exception {
        InetAddress source = InetAddress.getByName("127.0.0.2"); // loopback too, on Linux
        try (FakeStunServer server = server(protocol, FakeStunServer.binding());
                StunClient client = client(server, protocol)
                        .localAddress(new InetSocketAddress(source, 0))
                        .connect()
                        .get()) {
            InetSocketAddress reflexive = client.binding().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(client.localAddress().getAddress()).isEqualTo(source);
            assertThat(reflexive).isEqualTo(client.localAddress());
        }
    }

    @Test
    void sendsSendIndicationsAndUnpaddedChannelDataOverUdp() throws Exception {
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 5000);
        try (FakeStunServer server = FakeStunServer.udp(FakeStunServer.silent());
                StunClient client =
                        client(server, TransportProtocol.UDP).connect().get()) {
            client.send(peer, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII))
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            client.sendChannelData(0x4001, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII))
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            awaitReceived(server, 2);

            FakeStunServer.Received send = server.received().get(0);
            assertThat(send.message().messageClass()).isEqualTo(StunClass.INDICATION);
            assertThat(send.message().method()).isEqualTo(StunMethod.SEND);
            assertThat(send.message().attribute(AttributeType.XOR_PEER_ADDRESS))
                    .contains(new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer));
            assertThat(send.message().attribute(StunAttribute.Data.class))
                    .contains(new StunAttribute.Data("hello".getBytes(StandardCharsets.US_ASCII)));
            assertThat(send.check(r -> r.hasFingerprint() && r.verifyFingerprint()))
                    .isTrue();
            assertThat(ByteBufUtil.hexDump(server.received().get(1).bytes())).isEqualTo("40010005" + "68656c6c6f");
        }
    }

    @Test
    void padsChannelDataOverTcp() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                StunClient client = StunClient.builder((InetSocketAddress) listener.getLocalSocketAddress())
                        .protocol(TransportProtocol.TCP)
                        .eventLoopGroup(group)
                        .connect()
                        .get();
                Socket accepted = listener.accept()) {
            for (int length = 0; length <= 4; length++) {
                client.sendChannelData(0x4FFF, Unpooled.wrappedBuffer(new byte[length]));
            }
            accepted.setSoTimeout((int) WAIT.toMillis());
            byte[] stream = new byte[4 + 8 * 4];
            new java.io.DataInputStream(accepted.getInputStream()).readFully(stream);
            // Lengths 0..4 with their padding to 4: 4, 8, 8, 8 and 8 bytes.
            assertThat(ByteBufUtil.hexDump(stream))
                    .isEqualTo("4fff0000" + "4fff000100000000" + "4fff000200000000" + "4fff000300000000"
                            + "4fff000400000000");
        }
    }

    @Test
    void refusesChannelNumbersOutsideRfc8656AndReleasesTheData() throws Exception {
        try (FakeStunServer server = FakeStunServer.udp(FakeStunServer.silent());
                StunClient client =
                        client(server, TransportProtocol.UDP).connect().get()) {
            ByteBuf data = Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> client.sendChannelData(0x5000, data)).isInstanceOf(IllegalArgumentException.class);
            assertThat(data.refCnt()).isZero();
            assertThatThrownBy(() -> client.channelBind(0x3FFF, server.address()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void bindingFailsWithTheErrorTheServerSent() throws Exception {
        try (FakeStunServer server = FakeStunServer.udp(
                        (request, index) -> List.of(FakeStunServer.error(request, 400, "Bad Request")));
                StunClient client =
                        client(server, TransportProtocol.UDP).connect().get()) {
            Throwable failure = causeOf(client.binding());

            assertThat(failure).isInstanceOf(StunErrorResponseException.class);
            assertThat(((StunErrorResponseException) failure).code()).isEqualTo(400);
            assertThat(((StunErrorResponseException) failure).reason()).isEqualTo("Bad Request");
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void closeFailsRequestsInFlightAndLater(TransportProtocol protocol) throws Exception {
        try (FakeStunServer server = server(protocol, FakeStunServer.silent())) {
            StunClient client = client(server, protocol).connect().get();
            CompletableFuture<InetSocketAddress> inFlight = client.binding();
            awaitReceived(server, 1);

            client.close();

            assertThat(inFlight).isCompletedExceptionally(); // already, not eventually
            assertThat(causeOf(inFlight)).isInstanceOf(ClosedChannelException.class);
            assertThat(causeOf(client.binding())).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void rejectsBytesThatAreNotARequest() throws Exception {
        try (FakeStunServer server = FakeStunServer.udp(FakeStunServer.silent());
                StunClient client =
                        client(server, TransportProtocol.UDP).connect().get()) {
            byte[] response = bindingSuccess(TransactionId.random(), client.localAddress());
            ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(response);

            assertThatThrownBy(() -> client.request(buf)).isInstanceOf(IllegalArgumentException.class);
            assertThat(buf.refCnt()).isZero(); // ownership passed even though it was refused
            assertThat(ByteBufUtil.hexDump(response)).startsWith("0101"); // Binding success, untouched
        }
    }

    /** The exception a future failed with, unwrapped. */
    static Throwable causeOf(CompletableFuture<?> future) throws Exception {
        try {
            future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the future succeeded: " + future.join());
    }

    static void awaitReceived(FakeStunServer server, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.received().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(server.received()).hasSizeGreaterThanOrEqualTo(count);
    }
}
