package io.tern.server.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tern.client.Credentials;
import io.tern.client.InboundListener;
import io.tern.client.RetransmissionPolicy;
import io.tern.client.StunClient;
import io.tern.client.StunErrorResponseException;
import io.tern.client.TransportProtocol;
import io.tern.server.ServerHarness;
import io.tern.server.config.TurnConfig;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMessageBuilder;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.provider.Arguments;

/**
 * What the TURN integration tests share: clients of the real {@code turn-client} against a real
 * server on loopback, a plain JDK {@link DatagramSocket} as the peer, an {@link InboundListener}
 * that queues what arrives, and hand-built signed requests for the cases the client would never
 * send (retransmissions, made-up nonces, another user on the same 5-tuple).
 */
final class TurnTesting {
    /** Far more than anything takes on loopback; only reached when an answer is missing. */
    static final Duration WAIT = Duration.ofSeconds(3);

    /** How long "nothing arrives" is watched for. Loopback delivers in well under a millisecond. */
    static final Duration SILENCE = Duration.ofMillis(250);

    static final Credentials ALICE = new Credentials("alice", "secret");

    /** Tern's PASSWORD-ALGORITHMS offer, which a signed request must echo byte for byte. */
    static final StunAttribute.PasswordAlgorithms TERN_OFFER = new StunAttribute.PasswordAlgorithms(List.of(
            new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.MD5.code()),
            new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.SHA_256.code())));

    /** UDP retransmission fast enough that a lost datagram costs little, and few enough to end soon. */
    private static final RetransmissionPolicy QUICK = RetransmissionPolicy.withRto(Duration.ofMillis(100));

    private static final AtomicInteger SOURCES = new AtomicInteger();

    private TurnTesting() {}

    /** Every transport with every integrity algorithm: the four ways a client talks to Tern. */
    static Stream<Arguments> modes() {
        return Stream.of(TransportProtocol.values())
                .flatMap(t -> Stream.of(PasswordAlgorithm.values()).map(a -> Arguments.of(t, a)));
    }

    static InetSocketAddress serverAddress(ServerHarness server, TransportProtocol transport) {
        return transport == TransportProtocol.UDP ? server.udp() : server.tcp();
    }

    /** Alice's client, forced to one password algorithm. */
    static StunClient client(ServerHarness server, TransportProtocol transport, PasswordAlgorithm algorithm)
            throws Exception {
        return client(server, transport, algorithm, ALICE, InboundListener.IGNORE);
    }

    static StunClient client(
            ServerHarness server,
            TransportProtocol transport,
            PasswordAlgorithm algorithm,
            Credentials credentials,
            InboundListener listener)
            throws Exception {
        return builder(serverAddress(server, transport), transport)
                .passwordAlgorithms(algorithm)
                .credentials(credentials)
                .inboundListener(listener)
                .connect()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A client builder with short timeouts (a missing answer fails within {@link #WAIT}) and, to an
     * IPv4 server, a loopback source IP of its own ({@link #freshSource}).
     */
    static StunClient.Builder builder(InetSocketAddress server, TransportProtocol transport) throws Exception {
        StunClient.Builder b = StunClient.builder(server)
                .protocol(transport)
                .retransmission(QUICK)
                .timeout(WAIT)
                .connectTimeout(WAIT);
        return server.getAddress() instanceof Inet4Address ? b.localAddress(freshSource()) : b;
    }

    /**
     * A loopback address no other client of this run has used, 127.1.x.y. Tern limits the
     * unauthenticated answers (401, 438) per source IP to a burst of 20 and 10 a second, and every
     * client starts with a 401; clients that all came from 127.0.0.1 would run into that limit and
     * wait for retransmissions (UDP) or time out (TCP). The limit itself is tested on its own.
     */
    static InetSocketAddress freshSource() throws Exception {
        int n = SOURCES.getAndIncrement() % 60_000;
        byte[] ip = {127, 1, (byte) (n / 250), (byte) (n % 250 + 1)};
        return new InetSocketAddress(InetAddress.getByAddress(ip), 0);
    }

    /** Asserts a LIFETIME the server granted (see {@code AllocateTest#reportsTheGrantedLifetimeExactly}). */
    static void assertLifetime(Duration actual, int seconds) {
        // Allocate answers with the time left, rounded up, so a fresh grant reads exactly.
        assertThat(actual.toSeconds()).isEqualTo(seconds);
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(WAIT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        }
    }

    /** The error code an operation failed with; fails the test if it succeeded. */
    static StunErrorResponseException errorOf(CompletableFuture<?> future) throws Exception {
        try {
            Object value = future.get(WAIT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            throw new AssertionError("expected an error response, got " + value);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StunErrorResponseException error) {
                return error;
            }
            throw new AssertionError("expected an error response, got " + e.getCause(), e.getCause());
        }
    }

    static int errorCode(CompletableFuture<?> future) throws Exception {
        return errorOf(future).code();
    }

    /** The ERROR-CODE of a response; 0 for a success. */
    static int code(StunMessage response) {
        if (response.messageClass() == StunClass.SUCCESS_RESPONSE) {
            return 0;
        }
        return response.attribute(StunAttribute.ErrorCode.class)
                .map(StunAttribute.ErrorCode::code)
                .orElseThrow(() -> new AssertionError("error response without ERROR-CODE: " + response));
    }

    static String text(StunMessage message, int type) {
        return message.attribute(type)
                .map(a -> ((StunAttribute.Text) a).value())
                .orElse(null);
    }

    static InetSocketAddress address(StunMessage message, int type) {
        return message.attribute(type)
                .map(a -> ((StunAttribute.Address) a).address())
                .orElse(null);
    }

    /** Asserts that the response is signed with the integrity attribute of the algorithm, only. */
    static void assertSignedWith(StunMessage response, PasswordAlgorithm algorithm) {
        boolean sha256 =
                response.attribute(StunAttribute.MessageIntegritySha256.class).isPresent();
        boolean sha1 = response.attribute(StunAttribute.MessageIntegrity.class).isPresent();
        assertThat(sha256)
                .as("MESSAGE-INTEGRITY-SHA256 in %s", response)
                .isEqualTo(algorithm == PasswordAlgorithm.SHA_256);
        assertThat(sha1).as("MESSAGE-INTEGRITY in %s", response).isEqualTo(algorithm == PasswordAlgorithm.MD5);
    }

    /** Polls until the condition holds; fails with {@code what} after {@link #WAIT}. */
    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(2);
        }
    }

    static byte[] payload(int length) {
        byte[] b = new byte[length];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    static ByteBuf buf(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes.clone());
    }

    // ---- configuration variants ----

    /** The harness defaults with other quotas. */
    static TurnConfig withQuotas(int userQuota, int totalQuota) throws Exception {
        TurnConfig t = ServerHarness.turnConfig();
        return t.withQuotas(userQuota, totalQuota, t.maxBps());
    }

    /** The harness defaults with another relay port range. */
    static TurnConfig withPorts(int min, int max) throws Exception {
        return ServerHarness.turnConfig().withPorts(min, max);
    }

    /** The harness defaults relaying on other IPs. */
    static TurnConfig withRelayIps(String... ips) throws Exception {
        List<InetAddress> relays = new java.util.ArrayList<>();
        for (String ip : ips) {
            relays.add(InetAddress.getByName(ip));
        }
        TurnConfig t = ServerHarness.turnConfig();
        return t.withRelays(relays, t.externalIps());
    }

    // ---- TURN REST credentials ----

    /** A TURN REST credential under the harness secret, expiring {@code secondsFromNow} from now. */
    static Credentials rest(String user, long secondsFromNow) throws Exception {
        String username = (System.currentTimeMillis() / 1000 + secondsFromNow) + ":" + user;
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(ServerHarness.REST_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String password = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        return new Credentials(username, password);
    }

    // ---- hand-built signed requests ----

    /** What a 401 teaches: realm and nonce. */
    record Challenge(String realm, String nonce) {}

    /** Sends an unauthenticated Refresh, which every TURN server answers with 401 and a challenge. */
    static Challenge challenge(StunClient client) throws Exception {
        StunMessage answer = await(client.request(StunMethod.REFRESH));
        assertThat(code(answer)).isEqualTo(401);
        return new Challenge(text(answer, AttributeType.REALM), text(answer, AttributeType.NONCE));
    }

    /**
     * A request signed as RFC 8489 says, the way {@code turn-client} would sign it: USERNAME, REALM,
     * NONCE, PASSWORD-ALGORITHMS (Tern's offer, echoed) and PASSWORD-ALGORITHM, then
     * MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256, then FINGERPRINT. Returned as bytes, so it can
     * be sent twice.
     */
    static byte[] signed(
            int method,
            TransactionId id,
            Credentials credentials,
            Challenge challenge,
            PasswordAlgorithm algorithm,
            StunAttribute... attributes) {
        StunMessageBuilder.Attributes b = StunMessage.builder(StunClass.REQUEST, method, id);
        for (StunAttribute a : attributes) {
            b.add(a);
        }
        b.add(new StunAttribute.Text(AttributeType.USERNAME, credentials.username()))
                .add(new StunAttribute.Text(AttributeType.REALM, challenge.realm()))
                .add(new StunAttribute.Text(AttributeType.NONCE, challenge.nonce()))
                .add(TERN_OFFER)
                .add(new StunAttribute.PasswordAlgorithm(algorithm.code()));
        byte[] key = LongTermKey.derive(algorithm, credentials.username(), challenge.realm(), credentials.password());
        StunMessageBuilder.Integrity signed =
                algorithm == PasswordAlgorithm.SHA_256 ? b.integritySha256(key) : b.integrity(key);
        ByteBuf encoded = signed.fingerprint().encode(Unpooled.buffer());
        try {
            return ByteBufUtil.getBytes(encoded);
        } finally {
            encoded.release();
        }
    }

    /** Sends encoded request bytes through the client's transaction layer (no integrity check). */
    static StunMessage exchange(StunClient client, byte[] request) throws Exception {
        return await(client.request(Unpooled.wrappedBuffer(request.clone())));
    }

    // ---- the client's inbox and the peer ----

    /** What the client received from peers, in order: a Data indication or a ChannelData message. */
    record Inbound(InetSocketAddress peer, int channel, byte[] data) {
        static final int NO_CHANNEL = -1;

        @Override
        public String toString() {
            return (channel == NO_CHANNEL ? "Data from " + peer : "ChannelData 0x" + Integer.toHexString(channel))
                    + " (" + data.length + " bytes)";
        }
    }

    /** Queues relayed data as it arrives on the client's event loop, copied out of the borrowed buffer. */
    static final class Inbox implements InboundListener {
        private final BlockingQueue<Inbound> queue = new LinkedBlockingQueue<>();

        @Override
        public void onData(InetSocketAddress peer, ByteBuf data) {
            queue.add(new Inbound(peer, Inbound.NO_CHANNEL, ByteBufUtil.getBytes(data)));
        }

        @Override
        public void onChannelData(int channel, ByteBuf data) {
            queue.add(new Inbound(null, channel, ByteBufUtil.getBytes(data)));
        }

        Inbound next() throws InterruptedException {
            Inbound in = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (in == null) {
                fail("nothing relayed to the client within " + WAIT);
            }
            return in;
        }

        void assertNothingArrives() throws InterruptedException {
            Inbound in = queue.poll(SILENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(in).as("relayed to the client").isNull();
        }
    }

    /** A peer: a plain JDK UDP socket, knowing nothing of TURN. */
    static final class Peer implements AutoCloseable {
        private final DatagramSocket socket;

        Peer(String ip) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), 0));
        }

        static Peer v4() throws IOException {
            return new Peer("127.0.0.1");
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(InetSocketAddress to, byte[] data) throws IOException {
            socket.send(new DatagramPacket(data, data.length, to));
        }

        record Datagram(InetSocketAddress from, byte[] data) {}

        Datagram receive() throws IOException {
            Datagram d = receive(WAIT);
            if (d == null) {
                fail("the peer received nothing within " + WAIT);
            }
            return d;
        }

        /** The next datagram, or null when none arrives within {@code millis}. */
        Datagram receiveWithin(int millis) throws IOException {
            return receive(Duration.ofMillis(millis));
        }

        void assertNothingArrives() throws IOException {
            Datagram d = receive(SILENCE);
            assertThat(d).as("received by the peer").isNull();
        }

        private Datagram receive(Duration wait) throws IOException {
            byte[] buffer = new byte[65_535];
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            socket.setSoTimeout((int) wait.toMillis());
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return new Datagram((InetSocketAddress) p.getSocketAddress(), Arrays.copyOf(buffer, p.getLength()));
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
