package io.tern.load.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.TurnAllocation;
import io.tern.server.TernServer;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.TurnConfig;
import io.tern.stun.StunClass;
import io.tern.stun.StunMethod;
import io.tern.stun.StunWriter;
import io.tern.stun.attr.AttributeType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One relayed round trip through a real Tern server on loopback, over real UDP sockets: the client
 * sends ChannelData, Tern forwards the data from the relay socket to the peer, the peer echoes it,
 * and Tern wraps it in ChannelData back to the client. One op is two packets through the server in
 * each direction of the data path. {@link #indicationRoundTrip} does the same with a Send
 * indication out and a Data indication back.
 *
 * <p>The client and peer are connected NIO channels reading into direct buffers, so they allocate
 * nothing themselves: with {@code -prof gc}, whose allocation count covers every thread of the
 * JVM, B/op is what the server's event loop allocates per round trip (Netty's datagram envelopes
 * and sender addresses where its datagram channels carry the packets, and anything of Tern's). Reads spin with a deadline instead of blocking, so
 * a lost packet fails the run rather than hanging it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xmx512m", "--enable-native-access=ALL-UNNAMED"})
public class RelayPathBenchmark {
    private static final int CHANNEL = 0x4000;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Payload bytes per packet: a typical audio frame and a full video packet. */
    @Param({"160", "1200"})
    int payload;

    /**
     * The server's {@code --io-transport}: AUTO takes Tern's own datagram path for relay sockets
     * on Java 22+ (Netty's elsewhere), EPOLL keeps Netty's for every socket.
     */
    @Param({"AUTO", "EPOLL"})
    String io;

    private TernServer server;
    private DatagramChannel client;
    private DatagramChannel peer;
    /** A second peer with a permission and no channel: its data comes back as Data indications. */
    private DatagramChannel indicationPeer;

    private ByteBuffer sendToIndicationPeer;
    private ByteBuffer toRelay;
    private ByteBuffer atPeer;
    private ByteBuffer atClient;

    @Setup(Level.Trial)
    public void start() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        TurnConfig turn = TurnConfig.defaults()
                .withRealm("bench")
                .withCredentials(List.of("bench:bench"), List.of())
                .withRelays(List.of(loopback), List.of())
                .withPorts(20000, 20999)
                .withPeerPolicy(true, List.of(), List.of());
        // One event loop: the round trip is sequential, and the other core runs this thread.
        server = TernServer.start(ServerConfig.defaults()
                .withListening(List.of(loopback), 0)
                .withThreads(1)
                .withTransports(true, true, ServerConfig.IoTransport.valueOf(io))
                .withTurn(turn)
                .withHttp(null));
        InetSocketAddress serverAddress = server.udpAddresses().get(0);

        peer = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        indicationPeer = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        InetSocketAddress clientAddress = freeLocalAddress(loopback);
        InetSocketAddress relayed;
        try (StunClient turnClient = StunClient.builder(serverAddress)
                .localAddress(clientAddress)
                .credentials(new Credentials("bench", "bench"))
                .connect()
                .get(5, TimeUnit.SECONDS)) {
            TurnAllocation allocation = turnClient.allocate().get(5, TimeUnit.SECONDS);
            relayed = allocation.relayedAddress();
            turnClient
                    .channelBind(CHANNEL, (InetSocketAddress) peer.getLocalAddress())
                    .get(5, TimeUnit.SECONDS);
            turnClient
                    .createPermission((InetSocketAddress) indicationPeer.getLocalAddress())
                    .get(5, TimeUnit.SECONDS);
        }
        // The allocation belongs to the client's 5-tuple, so keep sending from the same address.
        client = DatagramChannel.open()
                .setOption(StandardSocketOptions.SO_REUSEADDR, true)
                .bind(clientAddress)
                .connect(serverAddress);
        client.configureBlocking(false);
        peer.connect(relayed);
        peer.configureBlocking(false);
        indicationPeer.connect(relayed);
        indicationPeer.configureBlocking(false);

        byte[] data = new byte[payload];
        for (int i = 0; i < payload; i++) {
            data[i] = (byte) i;
        }
        ByteBuf send = Unpooled.buffer();
        new StunWriter()
                .begin(send, StunClass.INDICATION.messageType(StunMethod.SEND), 1, 2)
                .address(AttributeType.XOR_PEER_ADDRESS, (InetSocketAddress) indicationPeer.getLocalAddress())
                .attribute(AttributeType.DATA, Unpooled.wrappedBuffer(data), 0, payload)
                .finish();
        sendToIndicationPeer = ByteBuffer.allocateDirect(send.readableBytes());
        sendToIndicationPeer.put(send.nioBuffer());
        send.release();

        toRelay = ByteBuffer.allocateDirect(4 + payload);
        toRelay.putShort((short) CHANNEL).putShort((short) payload);
        for (int i = 0; i < payload; i++) {
            toRelay.put((byte) i);
        }
        atPeer = ByteBuffer.allocateDirect(4096);
        atClient = ByteBuffer.allocateDirect(4096);
    }

    @Benchmark
    public int channelDataRoundTrip() throws IOException {
        toRelay.rewind();
        client.write(toRelay);
        atPeer.clear();
        receive(peer, atPeer);
        atPeer.flip();
        peer.write(atPeer);
        atClient.clear();
        receive(client, atClient);
        if (atClient.position() != 4 + payload) {
            throw new IllegalStateException("relayed " + atClient.position() + " bytes, expected " + (4 + payload));
        }
        return atClient.position();
    }

    /**
     * The same round trip with STUN around the data both ways: a Send indication to a peer that has
     * a permission and no channel, and the peer's answer back as a Data indication.
     */
    @Benchmark
    public int indicationRoundTrip() throws IOException {
        sendToIndicationPeer.rewind();
        client.write(sendToIndicationPeer);
        atPeer.clear();
        receive(indicationPeer, atPeer);
        if (atPeer.position() != payload) {
            throw new IllegalStateException("relayed " + atPeer.position() + " bytes, expected " + payload);
        }
        atPeer.flip();
        indicationPeer.write(atPeer);
        atClient.clear();
        receive(client, atClient);
        // 20 header + 12 (IPv4 XOR-PEER-ADDRESS) + 4 DATA header + padded data.
        if (atClient.position() != 36 + ((payload + 3) & ~3)) {
            throw new IllegalStateException("a Data indication of " + atClient.position() + " bytes");
        }
        return atClient.position();
    }

    private static void receive(DatagramChannel channel, ByteBuffer into) throws IOException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (channel.read(into) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no datagram within 2 s: the relay lost one");
            }
            Thread.onSpinWait();
        }
    }

    private static InetSocketAddress freeLocalAddress(InetAddress ip) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress(ip, 0))) {
            return (InetSocketAddress) probe.getLocalAddress();
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        client.close();
        peer.close();
        indicationPeer.close();
        server.close();
    }
}
