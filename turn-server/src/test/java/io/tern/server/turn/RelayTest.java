package io.tern.server.turn;

import static io.tern.server.ServerHarness.bytes;
import static io.tern.server.ServerHarness.decode;
import static io.tern.server.ServerHarness.readStunFrame;
import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.buf;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.code;
import static io.tern.server.turn.TurnTesting.eventually;
import static io.tern.server.turn.TurnTesting.payload;
import static io.tern.server.turn.TurnTesting.signed;
import static io.tern.server.turn.TurnTesting.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.turn.TurnTesting.Challenge;
import io.tern.server.turn.TurnTesting.Inbound;
import io.tern.server.turn.TurnTesting.Inbox;
import io.tern.server.turn.TurnTesting.Peer;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The data path (RFC 8656 §9-12) through a real server: Send and Data indications, ChannelData in
 * both directions (padded over TCP), and permissions, with a plain JDK UDP socket as the peer.
 * Every payload is random bytes of an awkward length, compared byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayTest {
    /** Lengths around the 4-byte padding boundary, and a datagram of typical media size. */
    private static final int[] LENGTHS = {1, 2, 3, 4, 5, 6, 7, 8, 13, 160, 1201};

    private ServerHarness server;

    @BeforeAll
    void start() throws Exception {
        server = ServerHarness.startTurn();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private ServerMetrics metrics() {
        return server.server().metrics();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void sendAndDataIndicationsCarryExactBytesBothWays(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer = Peer.v4();
                StunClient client = client(server, transport, algorithm, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate());
            await(client.createPermission(peer.address()));

            for (int length : LENGTHS) {
                byte[] out = payload(length);
                await(client.send(peer.address(), buf(out)));
                Peer.Datagram received = peer.receive();
                assertThat(received.from()).isEqualTo(a.relayedAddress());
                assertThat(received.data()).isEqualTo(out);

                byte[] back = payload(length);
                peer.send(a.relayedAddress(), back);
                Inbound in = inbox.next();
                assertThat(in.channel()).isEqualTo(Inbound.NO_CHANNEL);
                assertThat(in.peer()).isEqualTo(peer.address());
                assertThat(in.data()).isEqualTo(back);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.tern.server.turn.TurnTesting#modes")
    void channelDataCarriesExactBytesBothWays(TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer = Peer.v4();
                StunClient client = client(server, transport, algorithm, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate());
            await(client.channelBind(0x4000, peer.address())); // installs the permission too

            for (int length : LENGTHS) {
                byte[] out = payload(length);
                await(client.sendChannelData(0x4000, buf(out)));
                Peer.Datagram received = peer.receive();
                assertThat(received.from()).isEqualTo(a.relayedAddress());
                assertThat(received.data()).isEqualTo(out);
            }
            // Over TCP every message above was padded; the framing still holds if this works.
            assertThat(await(client.refresh(java.time.Duration.ofSeconds(600))))
                    .isEqualTo(java.time.Duration.ofSeconds(600));

            for (int length : LENGTHS) {
                byte[] back = payload(length);
                peer.send(a.relayedAddress(), back);
                Inbound in = inbox.next();
                assertThat(in.channel()).isEqualTo(0x4000);
                assertThat(in.data()).isEqualTo(back);
            }
            // And in this direction: a misplaced pad would have broken the stream before this.
            await(client.createPermission(peer.address()));
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aPeerKeepsUsingDataIndicationsFromAnotherPortThanItsChannel(TransportProtocol transport) throws Exception {
        Inbox inbox = new Inbox();
        try (Peer bound = Peer.v4();
                Peer other = Peer.v4();
                StunClient client = client(server, transport, PasswordAlgorithm.SHA_256, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate());
            await(client.channelBind(0x4001, bound.address()));

            // The permission is for the IP, any port; the channel is for one transport address.
            byte[] data = payload(9);
            other.send(a.relayedAddress(), data);
            Inbound in = inbox.next();
            assertThat(in.channel()).isEqualTo(Inbound.NO_CHANNEL);
            assertThat(in.peer()).isEqualTo(other.address());
            assertThat(in.data()).isEqualTo(data);
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void dataFromAPeerWithoutPermissionIsDroppedAndCounted(TransportProtocol transport) throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer = Peer.v4();
                Peer stranger = new Peer("127.0.0.2");
                StunClient client = client(server, transport, PasswordAlgorithm.MD5, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate());
            long dropped = metrics().relayDropCount(RelayDrop.NO_PERMISSION);

            peer.send(a.relayedAddress(), payload(10)); // before any permission
            eventually(
                    "the first datagram is counted",
                    () -> metrics().relayDropCount(RelayDrop.NO_PERMISSION) == dropped + 1);

            await(client.createPermission(peer.address()));
            stranger.send(a.relayedAddress(), payload(11)); // another IP: still none
            eventually(
                    "the stranger's datagram is counted",
                    () -> metrics().relayDropCount(RelayDrop.NO_PERMISSION) == dropped + 2);

            byte[] welcome = payload(12);
            peer.send(a.relayedAddress(), welcome);
            Inbound first = inbox.next();
            assertThat(first.data()).as("the first thing relayed to the client").isEqualTo(welcome);
            inbox.assertNothingArrives();
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aSendIndicationToAPeerWithoutPermissionIsNotRelayed(TransportProtocol transport) throws Exception {
        try (Peer peer = Peer.v4();
                Peer stranger = new Peer("127.0.0.2");
                StunClient client = client(server, transport, PasswordAlgorithm.SHA_256)) {
            await(client.allocate());
            await(client.createPermission(peer.address()));
            long dropped = metrics().relayDropCount(RelayDrop.NO_PERMISSION);

            await(client.send(stranger.address(), buf(payload(20))));
            await(client.sendChannelData(0x4002, buf(payload(20)))); // an unbound channel

            eventually(
                    "the Send indication is counted",
                    () -> metrics().relayDropCount(RelayDrop.NO_PERMISSION) == dropped + 1);
            stranger.assertNothingArrives();
            peer.assertNothingArrives();
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aSendThatFailsIsCountedAndTheAllocationLivesOn(TransportProtocol transport) throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer = Peer.v4();
                StunClient client = client(server, transport, PasswordAlgorithm.SHA_256, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate());
            await(client.createPermission(peer.address()));
            long failed = metrics().relayDropCount(RelayDrop.SEND_FAILED);

            // Port 0 passes the permission (it is per IP) and the kernel refuses the send (EINVAL).
            await(client.send(new InetSocketAddress(peer.address().getAddress(), 0), buf(payload(10))));
            eventually("the failed send is counted", () -> metrics().relayDropCount(RelayDrop.SEND_FAILED) > failed);

            byte[] out = payload(11);
            await(client.send(peer.address(), buf(out)));
            assertThat(peer.receive().data()).isEqualTo(out);
            byte[] back = payload(12);
            peer.send(a.relayedAddress(), back);
            assertThat(inbox.next().data()).isEqualTo(back);
        }
    }

    /**
     * UDP datagrams can be far larger than an Ethernet MTU (loopback's is 64 KiB). Whether Tern
     * relays them or drops them, it must never pass on part of one as if it were the whole.
     */
    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void largeDatagramsFromAPeerAreRelayedWholeOrNotAtAll(TransportProtocol transport) throws Exception {
        Inbox inbox = new Inbox();
        try (Peer peer = Peer.v4();
                StunClient client = client(server, transport, PasswordAlgorithm.SHA_256, ALICE, inbox)) {
            TurnAllocation a = await(client.allocate());
            await(client.createPermission(peer.address()));
            byte[] marker = payload(7);

            for (boolean channel : new boolean[] {false, true}) {
                if (channel) {
                    await(client.channelBind(0x4444, peer.address()));
                }
                byte[] large = payload(4000);
                peer.send(a.relayedAddress(), large);
                peer.send(a.relayedAddress(), marker);
                Inbound first = inbox.next();
                if (first.data().length != marker.length) {
                    assertThat(first.data())
                            .as("%s", first)
                            .hasSize(large.length)
                            .isEqualTo(large);
                    assertThat(inbox.next().data()).isEqualTo(marker);
                } else {
                    assertThat(first.data()).isEqualTo(marker);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void largeDatagramsFromTheClientAreRelayedWholeOrNotAtAll(TransportProtocol transport) throws Exception {
        try (Peer peer = Peer.v4();
                StunClient client = client(server, transport, PasswordAlgorithm.SHA_256)) {
            await(client.allocate());
            await(client.channelBind(0x4444, peer.address()));
            byte[] marker = payload(7);

            for (boolean channel : new boolean[] {false, true}) {
                byte[] large = payload(3000);
                if (channel) {
                    await(client.sendChannelData(0x4444, buf(large)));
                    await(client.sendChannelData(0x4444, buf(marker)));
                } else {
                    await(client.send(peer.address(), buf(large)));
                    await(client.send(peer.address(), buf(marker)));
                }
                byte[] received = peer.receive().data();
                if (received.length != marker.length) {
                    assertThat(received).hasSize(large.length).isEqualTo(large);
                    assertThat(peer.receive().data()).isEqualTo(marker);
                } else {
                    // Over UDP the listener reads 2048 bytes at most, so the message is dropped.
                    assertThat(transport).isEqualTo(TransportProtocol.UDP);
                    assertThat(received).isEqualTo(marker);
                }
            }
        }
    }

    /**
     * The bytes on the wire over TCP, read from a raw socket: ChannelData to the client is padded to
     * a multiple of 4 with zeros (RFC 8656 §12.5), and the client's padded ChannelData is accepted.
     */
    @Test
    void channelDataOverTcpIsPaddedWithZerosOnTheWire() throws Exception {
        try (Peer peer = Peer.v4();
                Socket socket = new Socket()) {
            socket.bind(TurnTesting.freshSource());
            socket.connect(server.tcp());
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());

            out.write(bytes(StunMessage.builder(StunClass.REQUEST, StunMethod.ALLOCATE, TransactionId.random())
                    .add(new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP))
                    .fingerprint()
                    .encode(ByteBufAllocator.DEFAULT)));
            StunMessage unauthorized = decode(readStunFrame(socket));
            assertThat(code(unauthorized)).isEqualTo(401);
            Challenge challenge =
                    new Challenge(text(unauthorized, AttributeType.REALM), text(unauthorized, AttributeType.NONCE));

            out.write(signed(
                    StunMethod.ALLOCATE,
                    TransactionId.random(),
                    ALICE,
                    challenge,
                    PasswordAlgorithm.SHA_256,
                    new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP)));
            StunMessage allocated = decode(readStunFrame(socket));
            assertThat(code(allocated)).isZero();
            InetSocketAddress relayed = TurnTesting.address(allocated, AttributeType.XOR_RELAYED_ADDRESS);

            out.write(signed(
                    StunMethod.CHANNEL_BIND,
                    TransactionId.random(),
                    ALICE,
                    challenge,
                    PasswordAlgorithm.SHA_256,
                    new StunAttribute.ChannelNumber(0x4ABC),
                    new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer.address())));
            assertThat(code(decode(readStunFrame(socket)))).isZero();

            socket.setSoTimeout((int) TurnTesting.WAIT.toMillis());
            for (int length : new int[] {5, 8, 1, 2, 3}) {
                byte[] data = payload(length);
                peer.send(relayed, data);
                int padded = (length + 3) & ~3;
                byte[] frame = new byte[4 + padded];
                in.readFully(frame);
                assertThat(Arrays.copyOfRange(frame, 0, 4))
                        .as("header for %d bytes", length)
                        .containsExactly(0x4A, 0xBC - 256, 0, length);
                assertThat(Arrays.copyOfRange(frame, 4, 4 + length)).isEqualTo(data);
                assertThat(Arrays.copyOfRange(frame, 4 + length, frame.length))
                        .as("padding after %d bytes", length)
                        .isEqualTo(new byte[padded - length]);
            }

            // The other way: 6 bytes padded to 8, then 4 unpadded, back to back in one write.
            byte[] six = payload(6);
            byte[] four = payload(4);
            byte[] stream = new byte[4 + 8 + 4 + 4];
            stream[0] = 0x4A;
            stream[1] = (byte) 0xBC;
            stream[3] = 6;
            System.arraycopy(six, 0, stream, 4, 6);
            stream[12] = 0x4A;
            stream[13] = (byte) 0xBC;
            stream[15] = 4;
            System.arraycopy(four, 0, stream, 16, 4);
            out.write(stream);
            assertThat(peer.receive().data()).isEqualTo(six);
            assertThat(peer.receive().data()).isEqualTo(four);
        }
    }
}
