package io.tern.server.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.metrics.DtlsDrop;
import io.tern.server.metrics.DtlsHandshake;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.tls.ServerTls;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The cap on handshakes in progress, on a real UDP socket with the real session table: at the cap
 * a ClientHello evicts the oldest handshake still waiting for its cookie (so forged ClientHellos
 * cannot hold every slot), and only when every slot belongs to a client past the cookie is it
 * dropped without state and counted; freed slots take the next client.
 */
class DtlsHandshakeLimitTest {
    /** Echoes each message back through its session. */
    private static final class Echo implements DtlsApplication {
        @Override
        public void onMessage(ChannelHandlerContext listener, DtlsSession session, ByteBuf message) {
            session.seal(message.retainedDuplicate());
        }

        @Override
        public void onReadComplete() {}

        @Override
        public void onClosed(ChannelHandlerContext listener, DtlsSession session) {}
    }

    /** A DTLS listener on a real UDP socket with a cap of {@code cap} handshakes, run by {@code test}. */
    private static void withListener(int cap, ListenerTest test) throws Exception {
        ServerTls tls = ServerTls.create(TlsConfig.devSelfSigned(0));
        ServerDtls dtls = ServerDtls.create(tls, cap);
        ServerMetrics metrics = new ServerMetrics();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel socket = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .option(io.netty.channel.ChannelOption.SO_RCVBUF, 4 << 20)
                    .handler(new DtlsSessions(dtls, new Echo(), metrics, 2048, 300, 10))
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .sync()
                    .channel();
            test.run((InetSocketAddress) socket.localAddress(), tls, metrics);
            socket.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .sync();
        }
    }

    @FunctionalInterface
    private interface ListenerTest {
        void run(InetSocketAddress server, ServerTls tls, ServerMetrics metrics) throws Exception;
    }

    @Test
    void aClientHelloBeyondTheCapEvictsTheOldestHandshakeStillWaitingForItsCookie() throws Exception {
        withListener(2, (server, tls, metrics) -> {
            try (DtlsClient a = DtlsClient.open(server, tls.certificate());
                    DtlsClient b = DtlsClient.open(server, tls.certificate());
                    DtlsClient c = DtlsClient.open(server, tls.certificate())) {
                a.sendClientHelloOnly();
                assertThat(ServerHarness.receive(a.socket(), 2000))
                        .as("a's HelloVerifyRequest")
                        .isNotNull();
                b.sendClientHelloOnly();
                assertThat(ServerHarness.receive(b.socket(), 2000))
                        .as("b's HelloVerifyRequest")
                        .isNotNull();
                // Both slots wait for a cookie: c takes a's, the oldest, and is answered.
                c.sendClientHelloOnly();
                assertThat(ServerHarness.receive(c.socket(), 2000))
                        .as("c's HelloVerifyRequest")
                        .isNotNull();
                assertThat(metrics.dtlsHandshakeCount(DtlsHandshake.EVICTED)).isEqualTo(1);
                assertThat(metrics.dtlsDropCount(DtlsDrop.HANDSHAKE_LIMIT)).isZero();
                assertThat(metrics.dtlsHandshaking()).isEqualTo(2);
            }
        });
    }

    @Test
    void handshakesPastTheCookieAreNeverEvictedAndBeyondThemClientHellosAreDropped() throws Exception {
        withListener(2, (server, tls, metrics) -> {
            try (DtlsClient a = DtlsClient.open(server, tls.certificate());
                    DtlsClient b = DtlsClient.open(server, tls.certificate());
                    DtlsClient c = DtlsClient.open(server, tls.certificate())) {
                // a and b answer their cookies: their addresses are proven, their slots kept.
                a.helloWithCookie();
                b.helloWithCookie();
                assertThat(ServerHarness.receive(b.socket(), 2000))
                        .as("b's ServerHello flight")
                        .isNotNull();
                c.sendClientHelloOnly();
                assertThat(ServerHarness.receive(c.socket(), 500))
                        .as("c, over the cap")
                        .isNull();
                assertThat(metrics.dtlsDropCount(DtlsDrop.HANDSHAKE_LIMIT)).isEqualTo(1);
                assertThat(metrics.dtlsHandshakeCount(DtlsHandshake.EVICTED)).isZero();
                assertThat(metrics.dtlsHandshaking()).isEqualTo(2);

                // a completes its handshake on the slot it holds; its slot goes to the next client.
                a.handshake(5000);
                byte[] hello = "echo".getBytes(StandardCharsets.US_ASCII);
                a.send(hello);
                assertThat(a.receive(2000)).isEqualTo(hello);
                assertThat(metrics.dtlsHandshaking()).isEqualTo(1);
                try (DtlsClient d = DtlsClient.connect(server, tls.certificate())) {
                    d.send(hello);
                    assertThat(d.receive(2000)).isEqualTo(hello);
                }
                assertThat(metrics.dtlsDropCount(DtlsDrop.HANDSHAKE_LIMIT)).isEqualTo(1);
            }
        });
    }

    @Test
    void aFloodOfClientHellosThatNeverAnswerTheCookieDoesNotLockOutARealClient() throws Exception {
        withListener(4, (server, tls, metrics) -> {
            java.util.List<java.net.DatagramSocket> flood = new java.util.ArrayList<>();
            try {
                byte[] clientHello;
                try (DtlsClient template = DtlsClient.open(server, tls.certificate())) {
                    clientHello = template.clientHello();
                }
                // 40 sources, each one ClientHello and then silence: ten times the cap.
                for (int i = 0; i < 40; i++) {
                    java.net.DatagramSocket s = new java.net.DatagramSocket(0, server.getAddress());
                    flood.add(s);
                    s.send(new java.net.DatagramPacket(clientHello, clientHello.length, server));
                }
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
                while (metrics.dtlsHandshakeCount(DtlsHandshake.EVICTED) < 36 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(metrics.dtlsHandshakeCount(DtlsHandshake.EVICTED)).isEqualTo(36);
                assertThat(metrics.dtlsHandshaking()).isEqualTo(4);
                // Every slot is held by a forged-looking handshake, yet a real client completes.
                byte[] hello = "echo".getBytes(StandardCharsets.US_ASCII);
                try (DtlsClient real = DtlsClient.connect(server, tls.certificate())) {
                    real.send(hello);
                    assertThat(real.receive(2000)).isEqualTo(hello);
                }
                assertThat(metrics.dtlsDropCount(DtlsDrop.HANDSHAKE_LIMIT)).isZero();
                assertThat(metrics.dtlsHandshakeCount(DtlsHandshake.COMPLETED)).isEqualTo(1);
            } finally {
                flood.forEach(java.net.DatagramSocket::close);
            }
        });
    }

    @Test
    void clientHellosBeyondThePreCookieBudgetAreDroppedAndCountedAndRealClientsGetThroughAfter() throws Exception {
        withListener(4096, (server, tls, metrics) -> {
            java.util.List<java.net.DatagramSocket> flood = new java.util.ArrayList<>();
            try {
                byte[] clientHello;
                try (DtlsClient template = DtlsClient.open(server, tls.certificate())) {
                    clientHello = template.clientHello();
                }
                for (int i = 0; i < 1000; i++) {
                    flood.add(new java.net.DatagramSocket(0, server.getAddress()));
                }
                // 1,000 new sources in about half a second, paced so that the kernel drops none:
                // twice the budget's burst (2 x 250/s) and four times what it refills meanwhile.
                long sending = System.nanoTime();
                for (int i = 0; i < flood.size(); i++) {
                    flood.get(i).send(new java.net.DatagramPacket(clientHello, clientHello.length, server));
                    if (i % 2 == 1) {
                        Thread.sleep(1);
                    }
                }
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (started(metrics) + metrics.dtlsDropCount(DtlsDrop.HANDSHAKE_RATE) < 1000
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                // From the first ClientHello sent to the last one handled (within one 20 ms poll).
                double seconds = (System.nanoTime() - sending) / 1e9;
                long started = started(metrics);
                long dropped = metrics.dtlsDropCount(DtlsDrop.HANDSHAKE_RATE);
                System.out.printf(
                        "pre-cookie budget: 1000 ClientHellos handled in %.2f s, %d handshakes started, %d dropped%n",
                        seconds, started, dropped);
                assertThat(started + dropped)
                        .as("every ClientHello reached the listener")
                        .isEqualTo(1000);
                // At most the burst and what refilled meanwhile can have been taken.
                long allowed = 500 + (long) Math.ceil(250 * seconds);
                assumeTrue(allowed < 900, "it took " + seconds + " s: too slow a machine to overrun the budget");
                assertThat(started).isLessThanOrEqualTo(allowed);
                assertThat(dropped).isGreaterThanOrEqualTo(1000 - allowed);
            } finally {
                flood.forEach(java.net.DatagramSocket::close);
            }
            // The budget refills at 250 a second: a real client connects once it has.
            Thread.sleep(1000);
            byte[] hello = "echo".getBytes(StandardCharsets.US_ASCII);
            try (DtlsClient real = DtlsClient.connect(server, tls.certificate())) {
                real.send(hello);
                assertThat(real.receive(2000)).isEqualTo(hello);
            }
        });
    }

    /** Handshakes begun: those in progress and those that ended, however. */
    private static long started(ServerMetrics metrics) {
        long n = metrics.dtlsHandshaking();
        for (DtlsHandshake outcome : DtlsHandshake.values()) {
            n += metrics.dtlsHandshakeCount(outcome);
        }
        return n;
    }
}
