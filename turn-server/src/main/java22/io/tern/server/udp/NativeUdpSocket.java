package io.tern.server.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.unix.FileDescriptor;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP socket read and written with {@code recvmmsg}/{@code sendmmsg} on its loop's {@link
 * DatagramArrays}, registered on Netty's epoll loop (level-triggered: what one turn leaves unread
 * is reported again on the next). Nothing is allocated per datagram either way.
 *
 * <p>Where the kernel offers it, datagrams to one destination that leave back to back go as one
 * segmented send (UDP_SEGMENT): the kernel then walks its stack once per run instead of once per
 * datagram, and the receiver still gets them one by one. A socket whose segmented send
 * the kernel refuses (EIO where the device cannot checksum it, EINVAL where the route's MTU is too
 * small) sends that run and everything after it one datagram at a time, and so do the sockets
 * its loop opens after that.
 */
final class NativeUdpSocket implements UdpSocket, EpollIoHandle {
    private static final Logger log = LoggerFactory.getLogger(NativeUdpSocket.class);

    /** recvmmsg calls per readiness event, so one busy socket cannot starve the loop's others. */
    private static final int READS_PER_EVENT = 16;

    private final EventLoop loop;
    private final DatagramArrays arrays;
    private final int fd;
    private final int receiveBufferSize;
    private final FileDescriptor descriptor;
    private final boolean ipv6;
    private final InetSocketAddress local;
    private final UdpReceiver receiver;
    private final UdpSource source = new UdpSource();
    private final MemorySegment callState;
    /** Whether runs to one destination go as one segmented send. */
    private boolean segmentation;

    private long segmentedSent;

    private IoRegistration registration;
    private int[] queued = new int[8];
    private int queuedCount;
    /** The slot handed out by {@link #beginSend()} and not yet committed, or -1. */
    private int begun = -1;
    /** Whether the loop's arrays list this socket as having queued datagrams. */
    private boolean listed;

    private boolean closed;

    NativeUdpSocket(
            EventLoop loop,
            DatagramArrays arrays,
            int fd,
            boolean ipv6,
            InetSocketAddress local,
            int receiveBufferSize,
            boolean segmentation,
            UdpReceiver receiver) {
        this.loop = loop;
        this.arrays = arrays;
        this.fd = fd;
        this.receiveBufferSize = receiveBufferSize;
        this.descriptor = new FileDescriptor(fd);
        this.ipv6 = ipv6;
        this.local = local;
        this.receiver = receiver;
        this.segmentation = segmentation && !arrays.segmentationRefused;
        this.callState = arrays.callState;
    }

    void registered(IoRegistration registration) {
        this.registration = registration;
    }

    @Override
    public FileDescriptor fd() {
        return descriptor;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        for (int round = 0; round < READS_PER_EVENT && !closed; round++) {
            int n = receive();
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n && !closed; i++) {
                try {
                    receiver.datagram(arrays.datagram(i, source), source);
                } catch (RuntimeException e) {
                    // A bug in handling one datagram must not cost the rest of the batch, nor the
                    // socket, which serves every client of the loop.
                    log.warn("{}: a datagram from {} could not be handled", this, source, e);
                }
            }
            receiver.batchEnd();
            if (n < DatagramArrays.RECEIVE_SLOTS) {
                break;
            }
        }
        // Whatever the batches queued on sockets the receiver did not flush leaves now: queued
        // datagrams must not wait for the next readiness event of some socket.
        arrays.flushAll();
    }

    private int receive() {
        try {
            while (true) {
                int n = (int) LibC.RECVMMSG.invokeExact(
                        callState, fd, arrays.receiveVector(), DatagramArrays.RECEIVE_SLOTS, LibC.MSG_DONTWAIT, 0L);
                if (n >= 0) {
                    arrays.received(n);
                    return n;
                }
                arrays.received(0);
                if (LibC.errno(callState) != LibC.EINTR) {
                    // EAGAIN: drained. Anything else (a queued socket error) is consumed by the call.
                    return 0;
                }
            }
        } catch (Throwable t) {
            throw new AssertionError("recvmmsg downcall failed", t);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    @Override
    public ByteBuf beginSend() {
        if (begun < 0) {
            begun = arrays.takeSendSlot();
        }
        return arrays.sendBuffer(begun).clear();
    }

    @Override
    public void commitSend(UdpEndpoint to) {
        int slot = begun;
        begun = -1;
        if (closed || !arrays.address(slot, to, ipv6)) {
            arrays.release(slot);
            if (!closed) {
                receiver.sendFailed();
            }
            return;
        }
        if (queuedCount == queued.length) {
            queued = Arrays.copyOf(queued, queuedCount * 2);
        }
        queued[queuedCount++] = slot;
        if (!listed) {
            listed = true;
            arrays.dirty(this);
        }
    }

    @Override
    public void send(ByteBuf data, int index, int length, UdpEndpoint to) {
        if (length <= SEND_CAPACITY) {
            UdpSocket.super.send(data, index, length, to);
            return;
        }
        // Longer than a pool slot: after what is queued, on its own, now.
        flush();
        if (closed) {
            return;
        }
        SlotBuf large = arrays.sendBuffer(DatagramArrays.LARGE_SLOT);
        large.clear().writeBytes(data, index, length);
        if (!arrays.address(DatagramArrays.LARGE_SLOT, to, ipv6)) {
            receiver.sendFailed();
            return;
        }
        queued[0] = DatagramArrays.LARGE_SLOT;
        queuedCount = 1;
        send();
    }

    @Override
    public void flush() {
        if (queuedCount > 0) {
            send();
        }
    }

    /** Called by the arrays' flush of every listed socket. */
    void flushQueued() {
        listed = false;
        flush();
    }

    private void send() {
        int n = queuedCount;
        int done = 0;
        int failed = 0;
        try {
            layOut:
            while (done < n) {
                int messages = arrays.layOut(queued, done, n, segmentation);
                long vector = arrays.sendVector();
                int m = 0;
                while (m < messages) {
                    int r = (int) LibC.SENDMMSG.invokeExact(
                            callState, fd, vector + (long) m * LibC.MMSGHDR, messages - m, LibC.MSG_DONTWAIT);
                    if (r > 0) {
                        for (int k = 0; k < r; k++, m++) {
                            int datagrams = arrays.datagrams(m);
                            done += datagrams;
                            if (datagrams > 1) {
                                segmentedSent += datagrams;
                            }
                        }
                        continue;
                    }
                    int errno = r < 0 ? LibC.errno(callState) : LibC.EAGAIN;
                    if (errno == LibC.EINTR) {
                        continue;
                    }
                    if (errno == LibC.EAGAIN) {
                        // The send buffer is full: media is better late-dropped than queued.
                        failed += n - done;
                        done = n;
                        break;
                    }
                    int datagrams = arrays.datagrams(m);
                    if (datagrams > 1 && (errno == LibC.EIO || errno == LibC.EINVAL)) {
                        // The kernel cannot segment here: this run again, and from now on, one by one.
                        segmentation = false;
                        if (!arrays.segmentationRefused) {
                            // The device or route that refused serves the loop's other sockets too.
                            arrays.segmentationRefused = true;
                            log.info(
                                    "{}: segmented sends (UDP GSO) refused, errno {}; datagrams go one by one from now on",
                                    this,
                                    errno);
                        }
                        continue layOut;
                    }
                    // The message at m cannot go (no route, EPERM from a firewall...): skip it.
                    failed += datagrams;
                    done += datagrams;
                    m++;
                }
            }
        } catch (Throwable t) {
            throw new AssertionError("sendmmsg downcall failed", t);
        } finally {
            for (int i = 0; i < n; i++) {
                arrays.release(queued[i]);
            }
            queuedCount = 0;
        }
        for (int i = 0; i < failed; i++) {
            receiver.sendFailed();
        }
    }

    @Override
    public long segmentedSent() {
        return segmentedSent;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < queuedCount; i++) {
            arrays.release(queued[i]);
        }
        queuedCount = 0;
        if (begun >= 0) {
            arrays.release(begun);
            begun = -1;
        }
        if (registration != null) {
            registration.cancel();
        }
        try {
            int ignored = (int) LibC.CLOSE.invokeExact(callState, fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall failed", t);
        }
    }

    @Override
    public String toString() {
        return "udp " + local + (closed ? " (closed)" : "");
    }
}
