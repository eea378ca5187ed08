package io.tern.server.stun;

import static io.tern.server.ServerHarness.bytes;
import static io.tern.server.ServerHarness.closedByPeer;
import static io.tern.server.ServerHarness.decode;
import static io.tern.server.ServerHarness.exchangeUdp;
import static io.tern.server.ServerHarness.read;
import static io.tern.server.ServerHarness.readStunFrame;
import static io.tern.server.ServerHarness.receive;
import static io.tern.server.ServerHarness.sendExpectingSilence;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tern.server.ServerHarness;
import io.tern.server.config.ServerConfig.IoTransport;
import io.tern.server.metrics.DropReason;
import io.tern.stun.ParseError;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Binding over real sockets against an in-process server on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BindingTest {
    private ServerHarness harness;

    @BeforeAll
    void start() throws Exception {
        harness = ServerHarness.start(IoTransport.AUTO);
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    private static byte[] bindingRequest(TransactionId id, StunAttribute... attributes) {
        var b = StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, id);
        for (StunAttribute a : attributes) {
            b.add(a);
        }
        return bytes(b.fingerprint().encode(ByteBufAllocator.DEFAULT));
    }

    @ParameterizedTest
    @EnumSource(
            value = IoTransport.class,
            names = {"EPOLL", "NIO"})
    void answersUdpBindingWithTheClientsAddressOnEveryTransport(IoTransport io) throws Exception {
        try (ServerHarness server = ServerHarness.start(io);
                DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            TransactionId id = TransactionId.random();
            byte[] response = exchangeUdp(client, server.udp(), bindingRequest(id));

            StunMessage message = decode(response);
            assertThat(message.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(message.method()).isEqualTo(StunMethod.BINDING);
            assertThat(message.transactionId()).isEqualTo(id);
            assertThat(message.attribute(AttributeType.XOR_MAPPED_ADDRESS))
                    .contains(new StunAttribute.Address(
                            AttributeType.XOR_MAPPED_ADDRESS, (InetSocketAddress) client.getLocalSocketAddress()));
            assertThat(message.attribute(AttributeType.SOFTWARE))
                    .contains(new StunAttribute.Text(AttributeType.SOFTWARE, "Tern"));
            assertThat(read(response).verifyFingerprint()).isTrue();
            assertThat(server.server().ioTransport()).isEqualTo(io.name().toLowerCase());
        }
    }

    @Test
    void answersTcpBindingsSentBackToBackInOneWrite() throws Exception {
        try (Socket client = new Socket()) {
            client.connect(harness.tcp(), 2000);
            TransactionId first = TransactionId.random();
            TransactionId second = TransactionId.random();
            OutputStream out = client.getOutputStream();
            byte[] a = bindingRequest(first);
            byte[] b = bindingRequest(second);
            byte[] both = new byte[a.length + b.length];
            System.arraycopy(a, 0, both, 0, a.length);
            System.arraycopy(b, 0, both, a.length, b.length);
            out.write(both);
            out.flush();

            StunMessage one = decode(readStunFrame(client));
            StunMessage two = decode(readStunFrame(client));
            assertThat(List.of(one.transactionId(), two.transactionId())).containsExactly(first, second);
            assertThat(one.attribute(AttributeType.XOR_MAPPED_ADDRESS))
                    .contains(new StunAttribute.Address(
                            AttributeType.XOR_MAPPED_ADDRESS, (InetSocketAddress) client.getLocalSocketAddress()));
        }
    }

    @Test
    void answersOverIpv6WhenTheHostHasIt() throws Exception {
        InetAddress loopback6 = InetAddress.getByName("::1");
        org.junit.jupiter.api.Assumptions.assumeTrue(hasIpv6Loopback(), "no ::1 on this host");
        try (ServerHarness server = ServerHarness.start(IoTransport.AUTO, "::1");
                DatagramSocket client = new DatagramSocket(new InetSocketAddress(loopback6, 0))) {
            byte[] response = exchangeUdp(client, server.udp(), bindingRequest(TransactionId.random()));
            assertThat(decode(response).attribute(AttributeType.XOR_MAPPED_ADDRESS))
                    .contains(new StunAttribute.Address(
                            AttributeType.XOR_MAPPED_ADDRESS, (InetSocketAddress) client.getLocalSocketAddress()));
        }
    }

    @Test
    void answersRfc3489ClientsWithMappedAddressAndTheirWholeTransactionId() throws Exception {
        byte[] request = new byte[20];
        request[1] = 0x01; // Binding request, length 0
        for (int i = 4; i < 20; i++) {
            request[i] = (byte) (0xA0 + i); // no magic cookie: a 128-bit RFC 3489 id
        }
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] response = exchangeUdp(client, harness.udp(), request);
            StunReader reader = read(response);
            assertThat(reader.isRfc3489()).isTrue();
            assertThat(reader.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(java.util.Arrays.copyOfRange(response, 4, 20))
                    .isEqualTo(java.util.Arrays.copyOfRange(request, 4, 20));
            assertThat(reader.has(AttributeType.MAPPED_ADDRESS)).isTrue();
            assertThat(reader.has(AttributeType.XOR_MAPPED_ADDRESS)).isFalse();
            assertThat(reader.hasFingerprint()).isFalse();
        }
    }

    @Test
    void rejectsUnknownComprehensionRequiredAttributesWith420ListingThem() throws Exception {
        StunAttribute unknownRequired = new StunAttribute.Unknown(0x7F01, new byte[] {1, 2, 3});
        StunAttribute unknownOptional = new StunAttribute.Unknown(0xC001, new byte[] {4});
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            StunMessage error = decode(exchangeUdp(
                    client, harness.udp(), bindingRequest(TransactionId.random(), unknownOptional, unknownRequired)));
            assertThat(error.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
            assertThat(error.attribute(StunAttribute.ErrorCode.class)
                            .orElseThrow()
                            .code())
                    .isEqualTo(420);
            assertThat(error.attribute(StunAttribute.UnknownAttributes.class)
                            .orElseThrow()
                            .types())
                    .containsExactly(0x7F01);

            StunMessage ok =
                    decode(exchangeUdp(client, harness.udp(), bindingRequest(TransactionId.random(), unknownOptional)));
            assertThat(ok.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        }
    }

    @Test
    void answersAnUnknownMethodWith400() throws Exception {
        byte[] request = bytes(StunMessage.builder(StunClass.REQUEST, 0x0FF, TransactionId.random())
                .fingerprint()
                .encode(ByteBufAllocator.DEFAULT));
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            StunMessage error = decode(exchangeUdp(client, harness.udp(), request));
            assertThat(error.attribute(StunAttribute.ErrorCode.class)
                            .orElseThrow()
                            .code())
                    .isEqualTo(400);
        }
    }

    @Test
    void answersARequestWithASoundHeaderButBrokenAttributesWith400() throws Exception {
        // Header length 8 covers an attribute claiming 12 bytes of value: ATTRIBUTE_TRUNCATED.
        byte[] request = new byte[28];
        request[1] = 0x01;
        request[3] = 8;
        writeCookieAndId(request);
        request[20] = (byte) 0x80;
        request[21] = 0x22;
        request[23] = 12;
        long before = harness.server().metrics().malformedCount(ParseError.ATTRIBUTE_TRUNCATED);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            StunMessage error = decode(exchangeUdp(client, harness.udp(), request));
            assertThat(error.attribute(StunAttribute.ErrorCode.class)
                            .orElseThrow()
                            .code())
                    .isEqualTo(400);
        }
        assertThat(harness.server().metrics().malformedCount(ParseError.ATTRIBUTE_TRUNCATED))
                .isEqualTo(before + 1);
    }

    @Test
    void dropsAndCountsGarbageAndKeepsServing() throws Exception {
        var metrics = harness.server().metrics();
        long notStun = metrics.malformedCount(ParseError.UNKNOWN_FRAME);
        long shortHeader = metrics.malformedCount(ParseError.TRUNCATED_HEADER);
        long empty = metrics.droppedCount(DropReason.EMPTY);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            send(client, new byte[] {(byte) 0xFF, 1, 2, 3, 4, 5, 6, 7});
            send(client, new byte[] {0, 1, 0, 0});
            send(client, new byte[0]);
            assertThat(receive(client, 300)).isNull();
            byte[] response = exchangeUdp(client, harness.udp(), bindingRequest(TransactionId.random()));
            assertThat(decode(response).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        }
        assertThat(metrics.malformedCount(ParseError.UNKNOWN_FRAME)).isEqualTo(notStun + 1);
        assertThat(metrics.malformedCount(ParseError.TRUNCATED_HEADER)).isEqualTo(shortHeader + 1);
        assertThat(metrics.droppedCount(DropReason.EMPTY)).isEqualTo(empty + 1);
    }

    @Test
    void dropsARequestWithAWrongFingerprint() throws Exception {
        byte[] request = bindingRequest(TransactionId.random());
        request[request.length - 1] ^= 1;
        long before = harness.server().metrics().droppedCount(DropReason.BAD_FINGERPRINT);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            assertThat(sendExpectingSilence(client, harness.udp(), request)).isNull();
        }
        assertThat(harness.server().metrics().droppedCount(DropReason.BAD_FINGERPRINT))
                .isEqualTo(before + 1);
    }

    @Test
    void ignoresBindingIndicationsAndResponses() throws Exception {
        long indications = harness.server().metrics().droppedCount(DropReason.UNHANDLED_INDICATION);
        long responses = harness.server().metrics().droppedCount(DropReason.UNEXPECTED_RESPONSE);
        byte[] indication = bytes(StunMessage.builder(StunClass.INDICATION, StunMethod.BINDING, TransactionId.random())
                .fingerprint()
                .encode(ByteBufAllocator.DEFAULT));
        byte[] response =
                bytes(StunMessage.builder(StunClass.SUCCESS_RESPONSE, StunMethod.BINDING, TransactionId.random())
                        .encode(ByteBufAllocator.DEFAULT));
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            assertThat(sendExpectingSilence(client, harness.udp(), indication)).isNull();
            assertThat(sendExpectingSilence(client, harness.udp(), response)).isNull();
        }
        assertThat(harness.server().metrics().droppedCount(DropReason.UNHANDLED_INDICATION))
                .isEqualTo(indications + 1);
        assertThat(harness.server().metrics().droppedCount(DropReason.UNEXPECTED_RESPONSE))
                .isEqualTo(responses + 1);
    }

    @Test
    void closesATcpConnectionWhoseFramingIsBroken() throws Exception {
        long before = harness.server().metrics().malformedCount(ParseError.UNKNOWN_FRAME);
        try (Socket client = new Socket()) {
            client.connect(harness.tcp(), 2000);
            client.getOutputStream().write(new byte[] {(byte) 0x90, 0, 0, 4, 1, 2, 3, 4});
            client.getOutputStream().flush();
            assertThat(closedByPeer(client)).isTrue();
        }
        assertThat(harness.server().metrics().malformedCount(ParseError.UNKNOWN_FRAME))
                .isEqualTo(before + 1);
    }

    @Test
    void keepsATcpConnectionOpenAcrossManyRequests() throws Exception {
        try (Socket client = new Socket()) {
            client.connect(harness.tcp(), 2000);
            for (int i = 0; i < 50; i++) {
                TransactionId id = TransactionId.random();
                client.getOutputStream().write(bindingRequest(id));
                assertThat(decode(readStunFrame(client)).transactionId()).isEqualTo(id);
            }
        }
    }

    private void send(DatagramSocket client, byte[] datagram) throws java.io.IOException {
        client.send(new java.net.DatagramPacket(datagram, datagram.length, harness.udp()));
    }

    private static void writeCookieAndId(byte[] message) {
        Unpooled.wrappedBuffer(message)
                .setInt(4, StunReader.MAGIC_COOKIE)
                .setLong(8, 42L)
                .setInt(16, 7);
    }

    private static boolean hasIpv6Loopback() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
