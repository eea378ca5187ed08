package io.tern.server.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Segmented sends (UDP GSO) on Tern's own datagram path, on real sockets: which queued datagrams
 * leave as one send, that a plain socket and a socket of Tern's own still get them one by one and
 * byte-exact, and that a socket whose segmented send the kernel refuses falls back without losing
 * a datagram.
 *
 * <p>Compiled and run only on Java 22+ (the build's {@code native-datagrams} profile), where the
 * path's classes exist; the kernel here (Linux 4.18+ for GSO) is assumed.
 */
class UdpOffloadTest {
    private static final int SOL_SOCKET = 1;
    /** Turns UDP checksums off on send, which the kernel cannot combine with segmentation (EINVAL). */
    private static final int SO_NO_CHECK = 11;

    private static DatagramLoop loop;

    @BeforeAll
    static void start() {
        assertThat(NativeUdp.unavailability()).isNull();
        loop = new DatagramLoop();
    }

    @AfterAll
    static void stop() throws Exception {
        loop.close();
    }

    /** Keeps a copy of every datagram handed on, and counts failed sends. */
    private static final class Recorder implements UdpReceiver {
        final List<byte[]> datagrams = new CopyOnWriteArrayList<>();
        final List<String> sources = new CopyOnWriteArrayList<>();
        final AtomicInteger sendFailures = new AtomicInteger();

        @Override
        public void datagram(ByteBuf data, UdpSource from) {
            datagrams.add(ByteBufUtil.getBytes(data));
            sources.add(from.toSocketAddress().toString());
        }

        @Override
        public void batchEnd() {}

        @Override
        public void sendFailed() {
            sendFailures.incrementAndGet();
        }
    }

    private static <T> T onLoop(Callable<T> task) throws Exception {
        return loop.call(task);
    }

    private static UdpSocket open(UdpReceiver receiver) throws Exception {
        return loop.open(new FfmUdp(), "127.0.0.1", 0, receiver);
    }

    private static void close(UdpSocket socket) throws Exception {
        loop.close(socket);
    }

    private static byte[] payload(int length, int seed) {
        return DatagramLoop.payload(length, seed);
    }

    /** Queues each payload to its destination in order, then flushes once: one sendmmsg. */
    private static void sendAll(UdpSocket socket, List<byte[]> payloads, List<UdpAddress> to) throws Exception {
        sendAll(loop, socket, payloads, to);
    }

    private static void sendAll(DatagramLoop on, UdpSocket socket, List<byte[]> payloads, List<UdpAddress> to)
            throws Exception {
        on.call(() -> {
            for (int i = 0; i < payloads.size(); i++) {
                socket.beginSend().writeBytes(payloads.get(i));
                socket.commitSend(to.get(i));
            }
            socket.flush();
            return null;
        });
    }

    private static long segmentedSent(UdpSocket socket) throws Exception {
        return onLoop(socket::segmentedSent);
    }

    /** Sends 12 datagrams of 900 bytes to {@code to} in one flush and checks that all arrive. */
    private static void sendTwelve(DatagramLoop on, UdpSocket socket, DatagramSocket to, int seed) throws Exception {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            payloads.add(payload(900, seed + i));
        }
        UdpAddress address = UdpAddress.of((InetSocketAddress) to.getLocalSocketAddress());
        sendAll(on, socket, payloads, java.util.Collections.nCopies(payloads.size(), address));
        for (int i = 0; i < payloads.size(); i++) {
            assertThat(receive(to)).as("datagram %d of seed %d", i, seed).isEqualTo(payloads.get(i));
        }
    }

    private static byte[] receive(DatagramSocket socket) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing arrived within 2 s", e);
        }
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static DatagramSocket plainSocket() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        s.setSoTimeout(2000);
        s.setReceiveBufferSize(4 << 20);
        return s;
    }

    @Test
    void runsToOneDestinationLeaveAsSegmentedSendsAndArriveOneByOneAtAPlainSocket() throws Exception {
        UdpSocket socket = open(new Recorder());
        try (DatagramSocket a = plainSocket();
                DatagramSocket b = plainSocket()) {
            UdpAddress toA = UdpAddress.of((InetSocketAddress) a.getLocalSocketAddress());
            UdpAddress toB = UdpAddress.of((InetSocketAddress) b.getLocalSocketAddress());
            int[] sizes = {
                // run of 10 to A
                1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000,
                // to B: ends the run
                1000,
                // 5 to A and a shorter last: a run of 6
                1000, 1000, 1000, 1000, 1000, 400,
                // after a shorter datagram a new run starts: 2 of 1200
                1200, 1200,
                // longer than a segment may be: one by one
                1500, 1500,
                // a longer datagram cannot follow a shorter one in a run: 300, then a run of 2
                300, 600, 600
            };
            List<byte[]> payloads = new ArrayList<>();
            List<UdpAddress> to = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                payloads.add(payload(sizes[i], i));
                to.add(i == 10 ? toB : toA);
            }
            sendAll(socket, payloads, to);

            for (int i = 0; i < sizes.length; i++) {
                if (i != 10) {
                    assertThat(receive(a)).as("datagram %d at A", i).isEqualTo(payloads.get(i));
                }
            }
            assertThat(receive(b)).isEqualTo(payloads.get(10));
            assertThat(segmentedSent(socket)).as("datagrams sent as segments").isEqualTo(10 + 6 + 2 + 2);
        } finally {
            close(socket);
        }
    }

    @Test
    void aRunLongerThanTheKernelTakesIsSplitAcrossSegmentedSends() throws Exception {
        UdpSocket socket = open(new Recorder());
        try (DatagramSocket a = plainSocket()) {
            UdpAddress toA = UdpAddress.of((InetSocketAddress) a.getLocalSocketAddress());
            List<byte[]> payloads = new ArrayList<>();
            List<UdpAddress> to = new ArrayList<>();
            // 150 of 1,400 bytes: 64 segments would be 89,600 bytes, over a send's 65,000.
            for (int i = 0; i < 150; i++) {
                payloads.add(payload(1400, i));
                to.add(toA);
            }
            sendAll(socket, payloads, to);
            for (int i = 0; i < payloads.size(); i++) {
                assertThat(receive(a)).as("datagram %d", i).isEqualTo(payloads.get(i));
            }
            assertThat(segmentedSent(socket)).isEqualTo(150);
        } finally {
            close(socket);
        }
    }

    @Test
    void aSegmentedSendReachesASocketOfTernsOwnAsSingleDatagrams() throws Exception {
        Recorder recorder = new Recorder();
        UdpSocket receiver = open(recorder);
        UdpSocket sender = open(new Recorder());
        try {
            UdpAddress to = UdpAddress.of(receiver.localAddress());
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                payloads.add(payload(1200, i));
            }
            payloads.add(payload(333, 99));
            sendAll(sender, payloads, java.util.Collections.nCopies(payloads.size(), to));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (recorder.datagrams.size() < payloads.size() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(recorder.datagrams).hasSize(payloads.size());
            for (int i = 0; i < payloads.size(); i++) {
                assertThat(recorder.datagrams.get(i)).as("datagram %d", i).isEqualTo(payloads.get(i));
            }
            assertThat(recorder.sources).containsOnly(sender.localAddress().toString());
            assertThat(segmentedSent(sender)).isEqualTo(payloads.size());
        } finally {
            close(sender);
            close(receiver);
        }
    }

    /**
     * With SO_NO_CHECK the kernel refuses UDP_SEGMENT (EINVAL): the run goes again one by one, the
     * socket segments no more, and neither does the next socket its loop opens (the device or route
     * that refused serves them too); another loop's sockets still segment.
     */
    @Test
    void aSocketWhoseSegmentedSendIsRefusedSendsOneByOneAndLosesNothing() throws Throwable {
        Recorder recorder = new Recorder();
        try (DatagramLoop own = new DatagramLoop();
                DatagramSocket a = plainSocket();
                Arena arena = Arena.ofConfined()) {
            UdpSocket socket = own.open(new FfmUdp(), "127.0.0.1", 0, recorder);
            int fd = ((io.netty.channel.epoll.EpollIoHandle) socket).fd().intValue();
            MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            MemorySegment state = arena.allocate(LibC.CALL_STATE);
            assertThat((int) LibC.SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_NO_CHECK, one, 4))
                    .isZero();

            sendTwelve(own, socket, a, 0);
            sendTwelve(own, socket, a, 100);
            assertThat(own.call(socket::segmentedSent)).isZero();
            assertThat(recorder.sendFailures).hasValue(0);

            UdpSocket next = own.open(new FfmUdp(), "127.0.0.1", 0, recorder);
            sendTwelve(own, next, a, 200);
            assertThat(own.call(next::segmentedSent)).isZero();
            own.close(next);
            own.close(socket);
        }
        UdpSocket elsewhere = open(new Recorder());
        try (DatagramSocket b = plainSocket()) {
            sendTwelve(loop, elsewhere, b, 300);
            assertThat(segmentedSent(elsewhere)).isEqualTo(12);
        } finally {
            close(elsewhere);
        }
    }
}
