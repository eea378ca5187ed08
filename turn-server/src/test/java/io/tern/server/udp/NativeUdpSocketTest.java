package io.tern.server.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tern's own datagram path on real sockets and a real epoll loop, against the JDK's sockets: what
 * arrives, from where, in which order, how long, and what it costs the loop in heap.
 *
 * <p>Needs Java 22+ on Linux. Skipped elsewhere, unless {@code -Dtern.requireNativeUdp=true}
 * (which {@code run-tests} sets when it runs the suite on such a JDK) makes that a failure.
 */
class NativeUdpSocketTest {
    private static DatagramLoop loop;
    private static NativeUdp nativeUdp;

    @BeforeAll
    static void start() {
        String why = NativeUdp.unavailability();
        if (Boolean.getBoolean("tern.requireNativeUdp")) {
            assertThat(why).as("Tern's own datagram path must run here").isNull();
        }
        assumeTrue(why == null, () -> "native datagram path unavailable: " + why);
        nativeUdp = NativeUdp.load();
        assertThat(nativeUdp).isNotNull();
        loop = new DatagramLoop();
    }

    @AfterAll
    static void stop() throws Exception {
        if (loop != null) {
            loop.close();
        }
    }

    /** Sends each datagram back to its source, flushing at the end of every batch. */
    private static final class Echo implements UdpReceiver {
        UdpSocket socket;
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger longest = new AtomicInteger();
        final AtomicInteger sendFailures = new AtomicInteger();
        final List<String> sources = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void datagram(ByteBuf data, UdpSource from) {
            received.incrementAndGet();
            longest.accumulateAndGet(data.readableBytes(), Math::max);
            if (sources.size() < 4) {
                sources.add(from.isIpv4() + " " + from.toSocketAddress());
            }
            socket.send(data, data.readerIndex(), data.readableBytes(), from);
        }

        @Override
        public void batchEnd() {
            socket.flush();
        }

        @Override
        public void sendFailed() {
            sendFailures.incrementAndGet();
        }
    }

    private static <T> T onLoop(Callable<T> task) throws Exception {
        return loop.call(task);
    }

    private static UdpSocket open(String ip, int port, UdpReceiver receiver) throws Exception {
        return loop.open(nativeUdp, ip, port, receiver);
    }

    private static void close(UdpSocket socket) throws Exception {
        loop.close(socket);
    }

    private static byte[] payload(int length, int seed) {
        return DatagramLoop.payload(length, seed);
    }

    @Test
    void echoesDatagramsByteExactToTheirSourceOverIpv4() throws Exception {
        Echo echo = new Echo();
        echo.socket = open("127.0.0.1", 0, echo);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(2000);
            InetSocketAddress server = echo.socket.localAddress();
            assertThat(server.getPort()).isPositive();
            for (int i = 0; i < 200; i++) {
                byte[] sent = payload(1 + (i * 37) % 2048, i);
                client.send(new DatagramPacket(sent, sent.length, server));
                DatagramPacket back = new DatagramPacket(new byte[4096], 4096);
                client.receive(back);
                assertThat(Arrays.copyOf(back.getData(), back.getLength())).isEqualTo(sent);
                assertThat(back.getSocketAddress()).isEqualTo(server);
            }
            assertThat(echo.sources.get(0)).isEqualTo("true " + client.getLocalSocketAddress());
        } finally {
            close(echo.socket);
        }
        assertThat(echo.sendFailures).hasValue(0);
    }

    @Test
    void aWildcardIpv6SocketReportsIpv4SourcesAsIpv4AndAnswersThem() throws Exception {
        Echo echo = new Echo();
        echo.socket = open("::", 0, echo);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(2000);
            byte[] sent = payload(100, 7);
            client.send(new DatagramPacket(
                    sent,
                    sent.length,
                    new InetSocketAddress(
                            "127.0.0.1", echo.socket.localAddress().getPort())));
            DatagramPacket back = new DatagramPacket(new byte[256], 256);
            client.receive(back);
            assertThat(Arrays.copyOf(back.getData(), back.getLength())).isEqualTo(sent);
            assertThat(echo.sources.get(0)).isEqualTo("true " + client.getLocalSocketAddress());
        } finally {
            close(echo.socket);
        }
    }

    @Test
    void echoesOverIpv6() throws Exception {
        Echo echo = new Echo();
        try {
            echo.socket = open("::1", 0, echo);
        } catch (java.util.concurrent.ExecutionException e) {
            assumeTrue(false, "no ::1 here: " + e.getCause());
        }
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            client.setSoTimeout(2000);
            byte[] sent = payload(1200, 3);
            client.send(new DatagramPacket(sent, sent.length, echo.socket.localAddress()));
            DatagramPacket back = new DatagramPacket(new byte[2048], 2048);
            client.receive(back);
            assertThat(Arrays.copyOf(back.getData(), back.getLength())).isEqualTo(sent);
            assertThat(echo.sources.get(0)).isEqualTo("false " + client.getLocalSocketAddress());
        } finally {
            close(echo.socket);
        }
    }

    @Test
    void aDatagramLongerThanTernTakesArrivesMarkedTooLong() throws Exception {
        Echo echo = new Echo();
        echo.socket = open("127.0.0.1", 0, echo);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] sent = payload(3000, 1);
            client.send(new DatagramPacket(sent, sent.length, echo.socket.localAddress()));
            awaitValue(echo.received, 1);
            // One byte more than the largest datagram relayed: the receiver can tell it was cut.
            assertThat(echo.longest).hasValue(2049);
        } finally {
            close(echo.socket);
        }
    }

    @Test
    void sendsADatagramLongerThanAPoolSlotWhole() throws Exception {
        UdpSocket socket = open("127.0.0.1", 0, new Echo());
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(2000);
            UdpAddress to = UdpAddress.of((InetSocketAddress) peer.getLocalSocketAddress());
            byte[] small = payload(10, 1);
            byte[] large = payload(4000, 2);
            onLoop(() -> {
                socket.send(io.netty.buffer.Unpooled.wrappedBuffer(small), 0, small.length, to);
                socket.send(io.netty.buffer.Unpooled.wrappedBuffer(large), 0, large.length, to);
                socket.flush();
                return null;
            });
            assertThat(receive(peer)).isEqualTo(small);
            assertThat(receive(peer)).isEqualTo(large);
        } finally {
            close(socket);
        }
    }

    @Test
    void moreQueuedDatagramsThanThePoolHoldsAllLeaveInOrder() throws Exception {
        UdpSocket socket = open("127.0.0.1", 0, new Echo());
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(2000);
            peer.setReceiveBufferSize(1 << 20);
            UdpAddress to = UdpAddress.of((InetSocketAddress) peer.getLocalSocketAddress());
            int count = 600;
            onLoop(() -> {
                for (int i = 0; i < count; i++) {
                    ByteBuf out = socket.beginSend();
                    out.writeInt(i);
                    socket.commitSend(to);
                }
                socket.flush();
                return null;
            });
            for (int i = 0; i < count; i++) {
                assertThat(java.nio.ByteBuffer.wrap(receive(peer)).getInt()).isEqualTo(i);
            }
        } finally {
            close(socket);
        }
    }

    @Test
    void anIpv6DestinationFromAnIpv4SocketIsCountedAsAFailedSend() throws Exception {
        Echo receiver = new Echo();
        UdpSocket socket = open("127.0.0.1", 0, receiver);
        try {
            UdpAddress v6 = UdpAddress.of(new InetSocketAddress("2001:db8::1", 9));
            onLoop(() -> {
                socket.send(io.netty.buffer.Unpooled.wrappedBuffer(new byte[4]), 0, 4, v6);
                socket.flush();
                return null;
            });
            assertThat(receiver.sendFailures).hasValue(1);
        } finally {
            close(socket);
        }
    }

    @Test
    void aTakenPortIsABindExceptionAndAClosedSocketGivesItsPortBack() throws Exception {
        UdpSocket first = open("127.0.0.1", 0, new Echo());
        int port = first.localAddress().getPort();
        assertThatThrownBy(() -> open("127.0.0.1", port, new Echo()))
                .hasCauseInstanceOf(BindException.class)
                .hasMessageContaining(String.valueOf(port));
        close(first);
        UdpSocket again = open("127.0.0.1", port, new Echo());
        assertThat(again.localAddress().getPort()).isEqualTo(port);
        close(again);
        // Closed twice: nothing happens.
        close(again);
    }

    /**
     * The claim the path exists for: at steady state, echoing datagrams costs the loop thread no
     * heap. Netty's datagram channel allocates about 90 bytes per datagram received and sent. The
     * JIT may still swap compiled code in the first windows (interpreted and C1 code allocates what
     * C2 scalar-replaces), so the claim is that some window of 10,000 echoes after warm-up stays
     * under 1 byte per datagram; a real allocation per datagram fails every window.
     */
    @Test
    void echoingAllocatesNothingPerDatagram() throws Exception {
        Echo echo = new Echo();
        echo.socket = open("127.0.0.1", 0, echo);
        long loopThread = onLoop(() -> Thread.currentThread().getId());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(2000);
            client.setReceiveBufferSize(1 << 20);
            InetSocketAddress server = echo.socket.localAddress();
            byte[] sent = payload(160, 5);
            DatagramPacket out = new DatagramPacket(sent, sent.length, server);
            DatagramPacket back = new DatagramPacket(new byte[512], 512);
            int window = 10_000;
            for (int i = 0; i < 20_000; i++) {
                client.send(out);
                client.receive(back);
            }
            List<Double> perDatagram = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                long before = threads.getThreadAllocatedBytes(loopThread);
                for (int i = 0; i < window; i++) {
                    client.send(out);
                    client.receive(back);
                }
                perDatagram.add((double) (threads.getThreadAllocatedBytes(loopThread) - before) / window);
                if (perDatagram.get(w) < 1.0) {
                    break;
                }
            }
            assertThat(perDatagram)
                    .as("bytes allocated on the loop per echoed datagram, per window of %d", window)
                    .anySatisfy(bytes -> assertThat(bytes).isLessThan(1.0));
        } finally {
            close(echo.socket);
        }
    }

    private static byte[] receive(DatagramSocket socket) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing arrived within 2 s", e);
        }
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static void awaitValue(AtomicInteger value, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (value.get() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(value.get()).isGreaterThanOrEqualTo(atLeast);
    }
}
