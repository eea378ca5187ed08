package io.tern.server.stun;

import static io.tern.server.ServerHarness.bytes;
import static io.tern.server.ServerHarness.decode;
import static io.tern.server.ServerHarness.readStunFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.tern.client.StunClient;
import io.tern.server.ServerHarness;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.ServerConfig.IoTransport;
import io.tern.server.metrics.Rfc5780Answer;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 5780 NAT behaviour discovery on 127.0.0.1 and 127.0.0.2 over real UDP sockets: the
 * attributes of every answer, and that CHANGE-REQUEST answers really leave from the other IP or
 * port (the sender of the datagram, as the client's kernel reports it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Rfc5780Test {
    private static final InetAddress A = ip("127.0.0.1");
    private static final InetAddress B = ip("127.0.0.2");

    private ServerHarness server;
    private ServerHarness plain;
    private int port;
    private int alt;

    @BeforeAll
    void start() throws Exception {
        server = ServerHarness.start(rfc5780Config(List.of(A, B)));
        plain = ServerHarness.start(IoTransport.AUTO);
        port = server.udp().getPort();
        alt = port + 1;
    }

    @AfterAll
    void stop() {
        server.close();
        plain.close();
    }

    private static ServerConfig rfc5780Config(List<InetAddress> ips) {
        return ServerConfig.defaults()
                .withListening(ips, 0)
                .withThreads(2)
                .withHttp(ServerHarness.HTTP_ANY_PORT)
                .withRfc5780(true, 0);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private InetSocketAddress at(InetAddress ip, int p) {
        return new InetSocketAddress(ip, p);
    }

    private static byte[] binding(StunAttribute... attributes) {
        var b = StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, TransactionId.random());
        for (StunAttribute a : attributes) {
            b.add(a);
        }
        return bytes(b.fingerprint().encode(ByteBufAllocator.DEFAULT));
    }

    private static InetSocketAddress address(StunMessage m, int type) {
        return m.attribute(type).map(a -> ((StunAttribute.Address) a).address()).orElse(null);
    }

    /** A datagram and who sent it. */
    record Answer(InetSocketAddress from, byte[] bytes) {
        StunMessage message() throws Exception {
            return decode(bytes);
        }
    }

    private static Answer send(DatagramSocket socket, InetSocketAddress to, byte[] request) throws Exception {
        socket.send(new DatagramPacket(request, request.length, to));
        return receive(socket, 2000);
    }

    private static Answer receive(DatagramSocket socket, int millis) throws Exception {
        socket.setSoTimeout(millis);
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new Answer((InetSocketAddress) p.getSocketAddress(), java.util.Arrays.copyOf(buf, p.getLength()));
    }

    private static DatagramSocket client() throws Exception {
        return new DatagramSocket(new InetSocketAddress(A, 0));
    }

    @Test
    void bindsTheFourAddressesOfRfc5780() {
        assertThat(server.server().udpAddresses()).containsExactly(at(A, port), at(B, port), at(A, alt), at(B, alt));
        assertThat(server.server().tcpAddresses()).containsExactly(at(A, port), at(B, port));
    }

    @Test
    void answersWithOtherAddressResponseOriginAndBothMappedAddressesToTurnClient() throws Exception {
        try (StunClient client = StunClient.builder(server.udp())
                .timeout(Duration.ofSeconds(3))
                .connect()
                .get(3, TimeUnit.SECONDS)) {
            StunMessage answer = client.request(StunMethod.BINDING).get(3, TimeUnit.SECONDS);
            assertThat(answer.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(address(answer, AttributeType.XOR_MAPPED_ADDRESS)).isEqualTo(client.localAddress());
            assertThat(address(answer, AttributeType.MAPPED_ADDRESS)).isEqualTo(client.localAddress());
            assertThat(address(answer, AttributeType.RESPONSE_ORIGIN)).isEqualTo(at(A, port));
            assertThat(address(answer, AttributeType.OTHER_ADDRESS)).isEqualTo(at(B, alt));
        }
        // Each of the four addresses names the one that differs in both IP and port.
        try (DatagramSocket socket = client()) {
            for (InetSocketAddress[] pair : new InetSocketAddress[][] {
                {at(A, alt), at(B, port)}, {at(B, port), at(A, alt)}, {at(B, alt), at(A, port)}
            }) {
                Answer a = send(socket, pair[0], binding());
                assertThat(a.from()).isEqualTo(pair[0]);
                assertThat(address(a.message(), AttributeType.RESPONSE_ORIGIN)).isEqualTo(pair[0]);
                assertThat(address(a.message(), AttributeType.OTHER_ADDRESS)).isEqualTo(pair[1]);
            }
        }
    }

    @ParameterizedTest(name = "to {0}:{1}, change ip {2} port {3}: from {4}:{5}")
    @CsvSource({
        "A, P, false, false, A, P",
        "A, P, true, false, B, P",
        "A, P, false, true, A, P'",
        "A, P, true, true, B, P'",
        "B, P', true, false, A, P'",
        "B, P', false, true, B, P",
        "B, P', true, true, A, P",
        "A, P', true, true, B, P"
    })
    void answersChangeRequestFromTheOtherIpAndPort(
            String toIp, String toPort, boolean changeIp, boolean changePort, String fromIp, String fromPort)
            throws Exception {
        InetSocketAddress to = at(toIp.equals("A") ? A : B, toPort.equals("P") ? port : alt);
        InetSocketAddress expected = at(fromIp.equals("A") ? A : B, fromPort.equals("P") ? port : alt);
        long changed = server.server().metrics().rfc5780AnswerCount(Rfc5780Answer.CHANGED_SOURCE);
        try (DatagramSocket socket = client()) {
            Answer a = send(socket, to, binding(new StunAttribute.ChangeRequest(changeIp, changePort)));
            assertThat(a).as("answer").isNotNull();
            assertThat(a.from()).as("the datagram's sender").isEqualTo(expected);
            StunMessage m = a.message();
            assertThat(m.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(address(m, AttributeType.RESPONSE_ORIGIN)).isEqualTo(expected);
            assertThat(address(m, AttributeType.XOR_MAPPED_ADDRESS)).isEqualTo(socket.getLocalSocketAddress());
            assertThat(address(m, AttributeType.OTHER_ADDRESS))
                    .isEqualTo(at(to.getAddress().equals(A) ? B : A, to.getPort() == port ? alt : port));
        }
        assertThat(server.server().metrics().rfc5780AnswerCount(Rfc5780Answer.CHANGED_SOURCE))
                .isEqualTo(changed + (changeIp || changePort ? 1 : 0));
    }

    /** NIO binds one socket per address, on one loop: the answer may leave from another loop's socket. */
    @Test
    void answersChangeRequestOnTheNioTransportToo() throws Exception {
        try (ServerHarness nio =
                        ServerHarness.start(rfc5780Config(List.of(A, B)).withTransports(true, true, IoTransport.NIO));
                DatagramSocket socket = client()) {
            int p = nio.udp().getPort();
            for (int i = 0; i < 4; i++) {
                Answer a = send(socket, nio.udp(), binding(new StunAttribute.ChangeRequest(true, true)));
                assertThat(a).as("answer").isNotNull();
                assertThat(a.from()).isEqualTo(at(B, p + 1));
            }
            assertThat(nio.server().ioTransport()).isEqualTo("nio");
        }
    }

    @Test
    void sendsToTheResponsePortOfTheClientsIpOnly() throws Exception {
        try (DatagramSocket asking = client();
                DatagramSocket receiving = client()) {
            int target = receiving.getLocalPort();
            Answer a = send(asking, server.udp(), binding(new StunAttribute.ResponsePort(target)));
            assertThat(a).as("answer at the asking port").isNull();
            Answer redirected = receive(receiving, 2000);
            assertThat(redirected).as("answer at RESPONSE-PORT").isNotNull();
            assertThat(redirected.from()).isEqualTo(server.udp());
            // The mapped address is still where the request came from.
            assertThat(address(redirected.message(), AttributeType.XOR_MAPPED_ADDRESS))
                    .isEqualTo(asking.getLocalSocketAddress());
        }
        assertThat(server.server().metrics().rfc5780AnswerCount(Rfc5780Answer.RESPONSE_PORT))
                .isPositive();
    }

    @Test
    void padsTheAnswerUpToTheRequestButNoFurther() throws Exception {
        try (DatagramSocket socket = client()) {
            byte[] request = binding(new StunAttribute.Padding(1000));
            Answer a = send(socket, server.udp(), request);
            assertThat(a.message().attribute(AttributeType.PADDING)).isPresent();
            assertThat(a.bytes().length).isBetween(request.length - 3, request.length);

            // A request larger than a 1500-byte packet gets an answer that fits one.
            Answer big = send(socket, server.udp(), binding(new StunAttribute.Padding(1800)));
            assertThat(big.bytes().length)
                    .isBetween(BindingHandler.MAX_PADDED_IPV4 - 3, BindingHandler.MAX_PADDED_IPV4);

            // A small padded request gets an empty PADDING: no amplification from padding.
            byte[] small = binding(new StunAttribute.Padding(4));
            Answer tiny = send(socket, server.udp(), small);
            assertThat(tiny.message().attribute(AttributeType.PADDING)).contains(new StunAttribute.Padding(0));
        }
    }

    @Test
    void refusesPaddingWithResponsePortAndMalformedAttributesWith400() throws Exception {
        try (DatagramSocket socket = client()) {
            Answer both = send(
                    socket,
                    server.udp(),
                    binding(new StunAttribute.Padding(8), new StunAttribute.ResponsePort(socket.getLocalPort())));
            assertThat(errorCode(both.message())).isEqualTo(400);
            Answer shortChange = send(
                    socket,
                    server.udp(),
                    binding(new StunAttribute.Unknown(AttributeType.CHANGE_REQUEST, new byte[2])));
            assertThat(errorCode(shortChange.message())).isEqualTo(400);
            Answer portZero = send(socket, server.udp(), binding(new StunAttribute.ResponsePort(0)));
            assertThat(errorCode(portZero.message())).isEqualTo(400);
        }
    }

    @Test
    void refusesRfc5780AttributesOverTcpWith420() throws Exception {
        try (Socket tcp = new Socket()) {
            tcp.connect(server.tcp(), 2000);
            tcp.getOutputStream().write(binding(new StunAttribute.ChangeRequest(true, true)));
            StunMessage m = decode(readStunFrame(tcp));
            assertThat(errorCode(m)).isEqualTo(420);
            assertThat(m.attribute(StunAttribute.UnknownAttributes.class)
                            .orElseThrow()
                            .types())
                    .containsExactly(AttributeType.CHANGE_REQUEST);
            tcp.getOutputStream().write(binding());
            StunMessage ok = decode(readStunFrame(tcp));
            assertThat(ok.attribute(AttributeType.OTHER_ADDRESS)).isEmpty();
        }
    }

    @Test
    void withRfc5780OffRefusesItsAttributesWith420AndSaysNothingAboutOtherAddresses() throws Exception {
        try (DatagramSocket socket = client()) {
            Answer a = send(
                    socket,
                    plain.udp(),
                    binding(
                            new StunAttribute.ChangeRequest(true, false),
                            new StunAttribute.ResponsePort(socket.getLocalPort()),
                            new StunAttribute.Padding(8)));
            StunMessage m = a.message();
            assertThat(a.from()).isEqualTo(plain.udp());
            assertThat(errorCode(m)).isEqualTo(420);
            assertThat(m.attribute(StunAttribute.UnknownAttributes.class)
                            .orElseThrow()
                            .types())
                    .containsExactly(AttributeType.CHANGE_REQUEST, AttributeType.RESPONSE_PORT, AttributeType.PADDING);

            StunMessage ok = send(socket, plain.udp(), binding()).message();
            assertThat(ok.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(ok.attribute(AttributeType.OTHER_ADDRESS)).isEmpty();
            assertThat(ok.attribute(AttributeType.RESPONSE_ORIGIN)).isEmpty();
            assertThat(ok.attribute(AttributeType.MAPPED_ADDRESS)).isEmpty();
        }
    }

    /**
     * The amplification a spoofed source gets (bytes out / bytes in) for the smallest requests,
     * SOFTWARE "Tern" and IPv4: a plain Binding 20 → 48 bytes (2.4x) with RFC 5780 off, 20 → 84
     * (4.2x) with it on, 28 → 84 (3.0x) with CHANGE-REQUEST. PADDING never adds to it.
     */
    @Test
    void measuresTheAmplificationOfMinimalRequests() throws Exception {
        byte[] minimal = new byte[20];
        minimal[1] = 0x01;
        minimal[4] = 0x21;
        minimal[5] = 0x12;
        minimal[6] = (byte) 0xA4;
        minimal[7] = 0x42;
        minimal[8] = 7;
        byte[] change = new byte[28];
        System.arraycopy(minimal, 0, change, 0, 20);
        change[3] = 8;
        change[21] = 0x03;
        change[23] = 4;
        change[27] = 0x06;
        try (DatagramSocket socket = client()) {
            assertThat(send(socket, plain.udp(), minimal).bytes()).hasSize(48);
            assertThat(send(socket, server.udp(), minimal).bytes()).hasSize(84);
            Answer changed = send(socket, server.udp(), change);
            assertThat(changed.from()).isEqualTo(at(B, alt));
            assertThat(changed.bytes()).hasSize(84);
        }
    }

    @Test
    void namesTheAlternatePortWhenItIsTaken() throws Exception {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(B, 0))) {
            int taken = squatter.getLocalPort();
            int free;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(A, 0))) {
                free = probe.getLocalPort();
            }
            assertThatThrownBy(() -> ServerHarness.start(rfc5780Config(List.of(A, B))
                            .withListening(List.of(A, B), free)
                            .withRfc5780(true, taken)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("alt-listening-port")
                    .hasMessageContaining("127.0.0.2:" + taken);
        }
    }

    @Test
    void refusesToStartWithoutTwoListeningIpsOfOneFamily() throws Exception {
        for (List<InetAddress> ips : List.of(
                List.<InetAddress>of(), List.of(A), List.of(A, ip("::1")), List.of(A, A), List.of(ip("0.0.0.0"), A))) {
            assertThatThrownBy(() -> rfc5780Config(ips))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("rfc5780");
        }
        assertThatThrownBy(() -> rfc5780Config(List.of(A, B)).withTransports(false, true, IoTransport.AUTO))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rfc5780");
        assertThatThrownBy(() -> rfc5780Config(List.of(A, B))
                        .withListening(List.of(A, B), 4000)
                        .withRfc5780(true, 4000))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alt-listening-port");
    }

    private static int errorCode(StunMessage m) {
        assertThat(m.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
        return m.attribute(StunAttribute.ErrorCode.class).orElseThrow().code();
    }
}
