package io.tern.server.turn;

import static io.tern.server.ServerHarness.decode;
import static io.tern.server.ServerHarness.readStunFrame;
import static io.tern.server.turn.TurnTesting.ALICE;
import static io.tern.server.turn.TurnTesting.code;
import static io.tern.server.turn.TurnTesting.signed;
import static io.tern.server.turn.TurnTesting.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.server.ServerHarness;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.turn.TurnTesting.Challenge;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * RFC 6062 TCP allocations over real TCP connections: Connect to a peer, a peer connecting to the
 * relayed address (ConnectionAttempt), ConnectionBind on a second connection, raw bytes both ways,
 * and the error answers. The client side is plain JDK sockets with hand-signed requests, because a
 * data connection stops speaking STUN after its ConnectionBind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpRelayTest {
    private static final StunAttribute TCP = new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.TCP);

    private ServerHarness server;

    @BeforeAll
    void start() throws Exception {
        server = ServerHarness.startTurn();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A client connection speaking STUN over TCP (or TLS), signing once it has a challenge. */
    private final class Control implements AutoCloseable {
        final Socket socket;
        final Credentials credentials;
        Challenge challenge;

        Control() throws IOException {
            this(server, ALICE);
        }

        Control(ServerHarness to, Credentials credentials) throws IOException {
            this(new Socket(), credentials);
            socket.connect(to.tcp(), 2000);
        }

        Control(Socket connected, Credentials credentials) {
            this.socket = connected;
            this.credentials = credentials;
        }

        StunMessage request(int method, StunAttribute... attributes) throws Exception {
            if (challenge == null) {
                var b = StunMessage.builder(StunClass.REQUEST, method, TransactionId.random());
                send(ServerHarness.bytes(b.fingerprint().encode(ByteBufAllocator.DEFAULT)));
                StunMessage answer = next();
                assertThat(code(answer)).isEqualTo(401);
                challenge = new Challenge(text(answer, AttributeType.REALM), text(answer, AttributeType.NONCE));
            }
            send(signed(method, TransactionId.random(), credentials, challenge, PasswordAlgorithm.SHA_256, attributes));
            return next();
        }

        void send(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        StunMessage next() throws Exception {
            return decode(readStunFrame(socket));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static InetSocketAddress address(StunMessage m, int type) {
        return TurnTesting.address(m, type);
    }

    private static int connectionId(StunMessage m) {
        return (int) m.attribute(StunAttribute.ConnectionId.class).orElseThrow().id();
    }

    private static byte[] readExactly(Socket s, int n) throws IOException {
        s.setSoTimeout(3000);
        byte[] out = s.getInputStream().readNBytes(n);
        assertThat(out).hasSize(n);
        return out;
    }

    private static void assertPipes(Socket client, Socket peer) throws IOException {
        byte[] up = TurnTesting.payload(1000);
        client.getOutputStream().write(up);
        assertThat(readExactly(peer, up.length)).isEqualTo(up);
        byte[] down = TurnTesting.payload(3001);
        peer.getOutputStream().write(down);
        assertThat(readExactly(client, down.length)).isEqualTo(down);
    }

    private static boolean closedWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        InputStream in = s.getInputStream();
        try {
            return in.read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Binds a new data connection to a peer connection; returns it ready for raw bytes. */
    private Socket bind(Control control, int connectionId) throws Exception {
        return bind(server, control, connectionId);
    }

    private Socket bind(ServerHarness to, Control control, int connectionId) throws Exception {
        Control data = new Control(to, ALICE);
        data.challenge = control.challenge;
        StunMessage bound = data.request(StunMethod.CONNECTION_BIND, new StunAttribute.ConnectionId(connectionId));
        assertThat(code(bound)).as("%s", bound).isZero();
        return data.socket;
    }

    @Test
    void connectsToAPeerAndRelaysRawBytesBothWays() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"));
                Control control = new Control()) {
            StunMessage allocated = control.request(StunMethod.ALLOCATE, TCP);
            assertThat(code(allocated)).as("%s", allocated).isZero();
            InetSocketAddress relayed = address(allocated, AttributeType.XOR_RELAYED_ADDRESS);
            assertThat(relayed.getAddress().getHostAddress()).isEqualTo("127.0.0.1");

            InetSocketAddress peerAddress = (InetSocketAddress) listening.getLocalSocketAddress();
            StunMessage connected = control.request(
                    StunMethod.CONNECT, new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peerAddress));
            assertThat(code(connected)).as("%s", connected).isZero();
            listening.setSoTimeout(3000);
            try (Socket peer = listening.accept();
                    Socket data = bind(control, connectionId(connected))) {
                assertThat(peer.getInetAddress()).isEqualTo(relayed.getAddress());
                assertPipes(data, peer);

                // One connection per peer address (RFC 6062 §5.2).
                StunMessage again = control.request(
                        StunMethod.CONNECT, new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peerAddress));
                assertThat(code(again)).isEqualTo(446);

                // The peer hangs up: so does the data connection.
                peer.close();
                assertThat(closedWithin(data, 3000)).isTrue();
            }
        }
    }

    @Test
    void announcesAPermittedPeerWithConnectionAttemptAndRefusesOthers() throws Exception {
        try (Control control = new Control()) {
            InetSocketAddress relayed =
                    address(control.request(StunMethod.ALLOCATE, TCP), AttributeType.XOR_RELAYED_ADDRESS);
            // No permission yet: the connection is closed at once.
            try (Socket stranger = new Socket()) {
                stranger.bind(new InetSocketAddress("127.0.0.2", 0));
                stranger.connect(relayed, 2000);
                assertThat(closedWithin(stranger, 3000)).isTrue();
            }
            StunMessage permitted = control.request(
                    StunMethod.CREATE_PERMISSION,
                    new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.3", 1)));
            assertThat(code(permitted)).isZero();
            try (Socket peer = new Socket()) {
                peer.bind(new InetSocketAddress("127.0.0.3", 0));
                peer.connect(relayed, 2000);
                StunMessage attempt = control.next();
                assertThat(attempt.messageClass()).isEqualTo(StunClass.INDICATION);
                assertThat(attempt.method()).isEqualTo(StunMethod.CONNECTION_ATTEMPT);
                assertThat(address(attempt, AttributeType.XOR_PEER_ADDRESS)).isEqualTo(peer.getLocalSocketAddress());
                try (Socket data = bind(control, connectionId(attempt))) {
                    assertPipes(data, peer);
                    // The control connection closes: the allocation ends, and its connections with it.
                    control.close();
                    assertThat(closedWithin(peer, 3000)).isTrue();
                    assertThat(closedWithin(data, 3000)).isTrue();
                }
            }
        }
    }

    @Test
    void answersTheRfc6062Errors() throws Exception {
        try (Control control = new Control()) {
            // ConnectionBind naming no waiting connection.
            assertThat(code(control.request(StunMethod.CONNECTION_BIND, new StunAttribute.ConnectionId(12345))))
                    .isEqualTo(400);
            // Connect without a TCP allocation.
            StunMessage noAllocation = control.request(
                    StunMethod.CONNECT,
                    new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 9)));
            assertThat(code(noAllocation)).isEqualTo(437);
            assertThat(code(control.request(StunMethod.ALLOCATE, TCP))).isZero();
            // A peer that refuses the connection (nothing listens on port 9): 447.
            StunMessage refused = control.request(
                    StunMethod.CONNECT,
                    new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 9)));
            assertThat(code(refused)).isEqualTo(447);
            // No channels on a TCP allocation.
            StunMessage channel = control.request(
                    StunMethod.CHANNEL_BIND,
                    new StunAttribute.ChannelNumber(0x4001),
                    new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 9)));
            assertThat(code(channel)).isEqualTo(400);
            // The data connection of a ConnectionBind must not have an allocation itself.
            assertThat(code(control.request(StunMethod.CONNECTION_BIND, new StunAttribute.ConnectionId(1))))
                    .isEqualTo(400);
        }
        // Over UDP a TCP relay is 400 (RFC 6062 §5.1).
        try (StunClient udp = TurnTesting.client(server, TransportProtocol.UDP, PasswordAlgorithm.MD5)) {
            assertThat(TurnTesting.errorCode(udp.allocate(TCP))).isEqualTo(400);
        }
        // A UDP allocation takes no Connect.
        try (StunClient tcp = TurnTesting.client(server, TransportProtocol.TCP, PasswordAlgorithm.MD5)) {
            TurnTesting.await(tcp.allocate());
            StunMessage connect = TurnTesting.await(tcp.authenticatedRequest(
                    StunMethod.CONNECT,
                    new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 9))));
            assertThat(code(connect)).isEqualTo(400);
        }
    }

    /** The same over TLS: control and data connections keep their TLS layer under the raw bytes. */
    @Test
    void relaysOverTlsControlAndDataConnections() throws Exception {
        try (ServerHarness tls = ServerHarness.startTls(io.tern.server.config.TlsConfig.devSelfSigned(0));
                ServerSocket listening = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"));
                Control control = new Control(tls.connectTls("TLSv1.3"), ALICE)) {
            assertThat(code(control.request(StunMethod.ALLOCATE, TCP))).isZero();
            StunMessage connected = control.request(
                    StunMethod.CONNECT, new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress)
                            listening.getLocalSocketAddress()));
            assertThat(code(connected)).as("%s", connected).isZero();
            listening.setSoTimeout(3000);
            Control data = new Control(tls.connectTls("TLSv1.2"), ALICE);
            data.challenge = control.challenge;
            try (Socket peer = listening.accept();
                    Socket dataSocket = data.socket) {
                StunMessage bound = data.request(
                        StunMethod.CONNECTION_BIND, new StunAttribute.ConnectionId(connectionId(connected)));
                assertThat(code(bound)).as("%s", bound).isZero();
                assertPipes(dataSocket, peer);
            }
        }
    }

    @Test
    void closesAPeerConnectionThatNoConnectionBindClaims() throws Exception {
        try (ServerHarness quick = ServerHarness.startTurn();
                ServerSocket listening = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"));
                Control control = new Control(quick, ALICE)) {
            quick.server().turn().tcpBindTimeoutMillis(500);
            assertThat(code(control.request(StunMethod.ALLOCATE, TCP))).isZero();
            StunMessage connected = control.request(
                    StunMethod.CONNECT, new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress)
                            listening.getLocalSocketAddress()));
            assertThat(code(connected)).isZero();
            listening.setSoTimeout(3000);
            try (Socket peer = listening.accept()) {
                assertThat(closedWithin(peer, 3000))
                        .as("closed after the bind timeout")
                        .isTrue();
            }
            Control late = new Control(quick, ALICE);
            late.challenge = control.challenge;
            try (late) {
                StunMessage bound = late.request(
                        StunMethod.CONNECTION_BIND, new StunAttribute.ConnectionId(connectionId(connected)));
                assertThat(code(bound)).isEqualTo(400);
            }
        }
    }

    /** A peer connection from {@code ip} to the relayed address. */
    private static Socket peerFrom(String ip, InetSocketAddress relayed) throws IOException {
        Socket peer = new Socket();
        peer.bind(new InetSocketAddress(ip, 0));
        peer.connect(relayed, 2000);
        return peer;
    }

    /** A TCP allocation with a permission for 127.0.0.3; its relayed address. */
    private static InetSocketAddress allocateWithPermission(Control control) throws Exception {
        InetSocketAddress relayed =
                address(control.request(StunMethod.ALLOCATE, TCP), AttributeType.XOR_RELAYED_ADDRESS);
        StunMessage permitted = control.request(
                StunMethod.CREATE_PERMISSION,
                new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.3", 1)));
        assertThat(code(permitted)).isZero();
        return relayed;
    }

    /** The next ConnectionAttempt on the control connection: its CONNECTION-ID. */
    private static int nextAttempt(Control control, Socket peer) throws Exception {
        StunMessage attempt = control.next();
        assertThat(attempt.method()).isEqualTo(StunMethod.CONNECTION_ATTEMPT);
        assertThat(address(attempt, AttributeType.XOR_PEER_ADDRESS)).isEqualTo(peer.getLocalSocketAddress());
        return connectionId(attempt);
    }

    @Test
    void peerConnectionsBeyondThePendingCapAreClosedAndTheWaitingOnesCanStillBeBound() throws Exception {
        int cap = TcpRelay.MAX_PENDING_PEER_CONNECTIONS;
        java.util.List<Socket> peers = new java.util.ArrayList<>();
        try (Control control = new Control()) {
            InetSocketAddress relayed = allocateWithPermission(control);
            int[] ids = new int[cap];
            for (int i = 0; i < cap; i++) {
                peers.add(peerFrom("127.0.0.3", relayed));
                ids[i] = nextAttempt(control, peers.get(i));
            }
            long before = server.server().metrics().relayDropCount(RelayDrop.PENDING_LIMIT);
            try (Socket extra = peerFrom("127.0.0.3", relayed)) {
                assertThat(closedWithin(extra, 3000))
                        .as("a peer connection over the cap")
                        .isTrue();
            }
            assertThat(server.server().metrics().relayDropCount(RelayDrop.PENDING_LIMIT))
                    .isEqualTo(before + 1);

            // The first and the last waiting connections still bind and relay.
            try (Socket first = bind(control, ids[0]);
                    Socket last = bind(control, ids[cap - 1])) {
                assertPipes(first, peers.get(0));
                assertPipes(last, peers.get(cap - 1));
                // Bound connections no longer count: two new peers are announced again.
                for (int i = 0; i < 2; i++) {
                    peers.add(peerFrom("127.0.0.3", relayed));
                    nextAttempt(control, peers.get(peers.size() - 1));
                }
                try (Socket extra = peerFrom("127.0.0.3", relayed)) {
                    assertThat(closedWithin(extra, 3000))
                            .as("the cap holds again")
                            .isTrue();
                }
                assertThat(server.server().metrics().relayDropCount(RelayDrop.PENDING_LIMIT))
                        .isEqualTo(before + 2);
            }
        } finally {
            for (Socket p : peers) {
                p.close();
            }
        }
    }

    @Test
    void anAcceptedPeerConnectionThatNoConnectionBindClaimsIsClosedAndFreesItsPlace() throws Exception {
        int cap = TcpRelay.MAX_PENDING_PEER_CONNECTIONS;
        java.util.List<Socket> peers = new java.util.ArrayList<>();
        try (ServerHarness quick = ServerHarness.startTurn();
                Control control = new Control(quick, ALICE)) {
            quick.server().turn().tcpBindTimeoutMillis(1500);
            InetSocketAddress relayed = allocateWithPermission(control);
            int firstId = 0;
            for (int i = 0; i < cap; i++) {
                peers.add(peerFrom("127.0.0.3", relayed));
                int id = nextAttempt(control, peers.get(i));
                if (i == 0) {
                    firstId = id;
                }
            }
            for (Socket p : peers) {
                assertThat(closedWithin(p, 5000))
                        .as("closed after the bind timeout")
                        .isTrue();
            }
            Control late = new Control(quick, ALICE);
            late.challenge = control.challenge;
            try (late) {
                StunMessage bound = late.request(StunMethod.CONNECTION_BIND, new StunAttribute.ConnectionId(firstId));
                assertThat(code(bound)).isEqualTo(400);
            }
            // The timed-out connections no longer count against the cap.
            try (Socket again = peerFrom("127.0.0.3", relayed)) {
                int id = nextAttempt(control, again);
                try (Socket data = bind(quick, control, id)) {
                    assertPipes(data, again);
                }
            }
            assertThat(quick.server().metrics().relayDropCount(RelayDrop.PENDING_LIMIT))
                    .isZero();
        } finally {
            for (Socket p : peers) {
                p.close();
            }
        }
    }

    @Test
    void thePeerFilterAppliesToTcpPeers() throws Exception {
        var strict = ServerHarness.turnConfig().withPeerPolicy(false, java.util.List.of(), java.util.List.of());
        try (ServerSocket listening = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"));
                ServerHarness safe = ServerHarness.startTurn(strict);
                Control control = new Control(safe, ALICE)) {
            assertThat(code(control.request(StunMethod.ALLOCATE, TCP))).isZero();
            StunMessage refused = control.request(
                    StunMethod.CONNECT, new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress)
                            listening.getLocalSocketAddress()));
            assertThat(code(refused)).isEqualTo(403);
            // Nor can a loopback peer get in: it can have no permission.
            StunMessage permission = control.request(
                    StunMethod.CREATE_PERMISSION,
                    new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 1)));
            assertThat(code(permission)).isEqualTo(403);
        }
    }

    @Test
    void noTcpRelayRefusesTcpAllocationsWith442() throws Exception {
        try (ServerHarness udpOnly =
                        ServerHarness.startTurn(ServerHarness.turnConfig().withTcpRelay(false));
                StunClient client = TurnTesting.client(
                        udpOnly,
                        TransportProtocol.TCP,
                        PasswordAlgorithm.MD5,
                        ALICE,
                        io.tern.client.InboundListener.IGNORE)) {
            assertThat(TurnTesting.errorCode(client.allocate(TCP))).isEqualTo(442);
        }
    }

    @Test
    void anotherUsersConnectionBindIs441() throws Exception {
        var both = ServerHarness.turnConfig()
                .withCredentials(java.util.List.of("alice:secret", "bob:pw"), java.util.List.of());
        try (ServerSocket listening = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"));
                ServerHarness two = ServerHarness.startTurn(both);
                Control alice = new Control(two, ALICE);
                Control bob = new Control(two, new Credentials("bob", "pw"))) {
            assertThat(code(alice.request(StunMethod.ALLOCATE, TCP))).isZero();
            StunMessage connected = alice.request(
                    StunMethod.CONNECT, new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress)
                            listening.getLocalSocketAddress()));
            assertThat(code(connected)).isZero();
            StunMessage stolen =
                    bob.request(StunMethod.CONNECTION_BIND, new StunAttribute.ConnectionId(connectionId(connected)));
            assertThat(code(stolen)).isEqualTo(441);
        }
    }
}
