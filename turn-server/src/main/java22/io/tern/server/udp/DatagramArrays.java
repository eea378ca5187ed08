package io.tern.server.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The native memory one event loop's sockets receive into and send from, made once per loop
 * thread: every socket of the loop is read to the end of a batch before another is read, so they
 * can share it, and a relay socket costs no native memory of its own.
 *
 * <pre>
 *  receive: RECEIVE_SLOTS × (mmsghdr → sockaddr slot, iovec → READ_SLOT bytes)      one recvmmsg
 *  send:    SEND_SLOTS slots of SEND_CAPACITY bytes, each with its sockaddr; one slot of 64 KiB
 *           at flush a socket's queued slots are laid into the mmsghdr vector in order, an iovec
 *           each; a run of datagrams to one destination, all of one size but a shorter last,
 *           becomes one mmsghdr over the run's iovecs with a UDP_SEGMENT cmsg (GSO): one sendmmsg
 * </pre>
 *
 * Confined to its loop's thread; nothing here is thread-safe.
 */
final class DatagramArrays {
    /** Datagrams per recvmmsg: a 2 KiB slot each, 128 KiB per loop however many sockets it has. */
    static final int RECEIVE_SLOTS = 64;
    /**
     * One byte more than the largest datagram relayed, so a longer one shows as too long. (Slots
     * large enough for UDP_GRO's coalesced arrivals, 64 KiB each, were measured at 4 MiB of
     * resident memory per loop, the arena zeroing them, for no CPU saved on loopback: GRO stays off.)
     */
    static final int READ_SLOT = UdpSocket.MAX_DATAGRAM + 1;
    /** Datagrams queued on all sockets of the loop before they are flushed early. */
    static final int SEND_SLOTS = 256;
    /**
     * The slot after the pool: room for the largest UDP payload, for the rare datagram longer than
     * {@link UdpSocket#SEND_CAPACITY} (a stream client may send ChannelData of up to 65,535 bytes),
     * sent on its own at once.
     */
    static final int LARGE_SLOT = SEND_SLOTS;
    /** Datagrams in one segmented send: the kernel's UDP_MAX_SEGMENTS before Linux 6.9 raised it. */
    static final int MAX_SEGMENTS = 64;
    /**
     * The largest datagram sent as a segment: one that fits a 1,500-byte MTU under IPv6's and UDP's
     * 48 bytes of headers. The kernel refuses (EINVAL) a segment longer than the route's MTU allows
     * rather than fragment it; longer datagrams go one by one and are fragmented as before.
     */
    static final int MAX_SEGMENT_SIZE = 1_452;
    /** Bytes in one segmented send: under the 65,507-byte UDP payload limit of IPv4. */
    static final int MAX_SEGMENTED_BYTES = 65_000;

    private static final int LARGE_CAPACITY = 65_535;

    private static final ValueLayout.OfShort PORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt IPV4 = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong IPV6_HALF = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final ThreadLocal<DatagramArrays> PER_THREAD = ThreadLocal.withInitial(DatagramArrays::new);

    /** The arrays of the calling loop thread. */
    static DatagramArrays current() {
        return PER_THREAD.get();
    }

    /** Where each call's errno is captured. */
    final MemorySegment callState;

    /** Set when the kernel refused a segmented send from one of the loop's sockets. */
    boolean segmentationRefused;

    private final MemorySegment receiveVector;
    private final long receiveVectorAddress;
    private final MemorySegment receiveNames;
    private final SlotBuf[] receiveBuffers = new SlotBuf[RECEIVE_SLOTS];
    /** Entries whose {@code msg_namelen} the last recvmmsg overwrote. */
    private int receiveUsed = RECEIVE_SLOTS;

    private final MemorySegment sendVector;
    private final long sendVectorAddress;
    private final MemorySegment sendNames;
    /** The iovecs of one flush, in queue order, so that a run's are contiguous. */
    private final MemorySegment flushIovecs;

    private final MemorySegment sendControl;
    private final SlotBuf[] sendBuffers = new SlotBuf[SEND_SLOTS + 1];
    private final int[] sendNameLength = new int[SEND_SLOTS + 1];
    private final int[] sendLength = new int[SEND_SLOTS + 1];
    private final long[] sendHi = new long[SEND_SLOTS + 1];
    private final long[] sendLo = new long[SEND_SLOTS + 1];
    private final int[] sendPort = new int[SEND_SLOTS + 1];
    /** Datagrams carried by each message of the last {@link #layOut}. */
    private final int[] messageDatagrams = new int[SEND_SLOTS];

    private final int[] freeSend = new int[SEND_SLOTS];
    private int freeCount;

    private NativeUdpSocket[] dirty = new NativeUdpSocket[16];
    private int dirtyCount;

    private DatagramArrays() {
        // Freed when the loop thread and its sockets are gone.
        Arena arena = Arena.ofAuto();
        callState = arena.allocate(LibC.CALL_STATE);

        receiveVector = arena.allocate((long) RECEIVE_SLOTS * LibC.MMSGHDR, 64);
        receiveVectorAddress = receiveVector.address();
        receiveNames = arena.allocate((long) RECEIVE_SLOTS * LibC.SOCKADDR_SLOT, 8);
        MemorySegment receiveIovecs = arena.allocate((long) RECEIVE_SLOTS * LibC.IOVEC, 8);
        MemorySegment receiveData = arena.allocate((long) RECEIVE_SLOTS * READ_SLOT, 64);
        for (int i = 0; i < RECEIVE_SLOTS; i++) {
            MemorySegment data = receiveData.asSlice((long) i * READ_SLOT, READ_SLOT);
            receiveBuffers[i] = new SlotBuf(data);
            long iov = (long) i * LibC.IOVEC;
            receiveIovecs.set(ADDRESS, iov, data);
            receiveIovecs.set(JAVA_LONG, iov + 8, READ_SLOT);
            long m = (long) i * LibC.MMSGHDR;
            receiveVector.set(ADDRESS, m + LibC.MSG_NAME, receiveNames.asSlice((long) i * LibC.SOCKADDR_SLOT));
            receiveVector.set(ADDRESS, m + LibC.MSG_IOV, receiveIovecs.asSlice(iov));
            receiveVector.set(JAVA_LONG, m + LibC.MSG_IOVLEN, 1);
        }

        sendVector = arena.allocate((long) SEND_SLOTS * LibC.MMSGHDR, 64);
        sendVectorAddress = sendVector.address();
        sendNames = arena.allocate((long) (SEND_SLOTS + 1) * LibC.SOCKADDR_SLOT, 8);
        flushIovecs = arena.allocate((long) (SEND_SLOTS + 1) * LibC.IOVEC, 8);
        sendControl = arena.allocate((long) SEND_SLOTS * LibC.CMSG_SPACE_U16, 8);
        for (int i = 0; i < SEND_SLOTS; i++) {
            long c = (long) i * LibC.CMSG_SPACE_U16;
            sendControl.set(JAVA_LONG, c + LibC.CMSG_LEN, LibC.CMSG_DATA + 2);
            sendControl.set(JAVA_INT, c + LibC.CMSG_LEVEL, LibC.SOL_UDP);
            sendControl.set(JAVA_INT, c + LibC.CMSG_TYPE, LibC.UDP_SEGMENT);
        }
        MemorySegment sendData = arena.allocate((long) SEND_SLOTS * UdpSocket.SEND_CAPACITY, 64);
        for (int i = 0; i < SEND_SLOTS; i++) {
            sendBuffers[i] = new SlotBuf(sendData.asSlice((long) i * UdpSocket.SEND_CAPACITY, UdpSocket.SEND_CAPACITY));
            freeSend[i] = SEND_SLOTS - 1 - i;
        }
        freeCount = SEND_SLOTS;
        sendBuffers[LARGE_SLOT] = new SlotBuf(arena.allocate(LARGE_CAPACITY, 64));
    }

    // ---- receiving ----

    /** Readies the receive vector and returns its address for recvmmsg. */
    long receiveVector() {
        for (int i = 0; i < receiveUsed; i++) {
            receiveVector.set(JAVA_INT, (long) i * LibC.MMSGHDR + LibC.MSG_NAMELEN, LibC.SOCKADDR_IN6);
        }
        receiveUsed = RECEIVE_SLOTS;
        return receiveVectorAddress;
    }

    /** After recvmmsg returned {@code n}: only those entries need resetting next time. */
    void received(int n) {
        receiveUsed = n;
    }

    /**
     * Datagram {@code i} of the last recvmmsg: its bytes as a buffer (a length above
     * {@code READ_SLOT - 1} means it was cut short) and its source written into {@code from}.
     */
    SlotBuf datagram(int i, UdpSource from) {
        long m = (long) i * LibC.MMSGHDR;
        int length = receiveVector.get(JAVA_INT, m + LibC.MSG_LEN);
        if ((receiveVector.get(JAVA_INT, m + LibC.MSG_FLAGS) & LibC.MSG_TRUNC) != 0) {
            length = READ_SLOT;
        }
        long name = (long) i * LibC.SOCKADDR_SLOT;
        int port = Short.toUnsignedInt(receiveNames.get(PORT, name + 2));
        if (receiveNames.get(JAVA_SHORT, name) == LibC.AF_INET6) {
            from.set(receiveNames.get(IPV6_HALF, name + 8), receiveNames.get(IPV6_HALF, name + 16), port);
        } else {
            from.set(0, UdpEndpoint.mappedIpv4(receiveNames.get(IPV4, name + 4)), port);
        }
        SlotBuf buffer = receiveBuffers[i];
        buffer.setIndex(0, length);
        return buffer;
    }

    // ---- sending ----

    /** A free send slot, flushing every socket of the loop first when none is left. */
    int takeSendSlot() {
        if (freeCount == 0) {
            flushAll();
        }
        return freeSend[--freeCount];
    }

    SlotBuf sendBuffer(int slot) {
        return sendBuffers[slot];
    }

    /**
     * Fixes slot {@code slot} as a datagram of its buffer's bytes to {@code to}, in the form the
     * socket's family takes; false when an IPv4 socket is asked to reach an IPv6 address.
     */
    boolean address(int slot, UdpEndpoint to, boolean ipv6Socket) {
        long name = (long) slot * LibC.SOCKADDR_SLOT;
        if (ipv6Socket) {
            sendNames.set(JAVA_SHORT, name, (short) LibC.AF_INET6);
            sendNames.set(PORT, name + 2, (short) to.port());
            sendNames.set(JAVA_INT, name + 4, 0);
            sendNames.set(IPV6_HALF, name + 8, to.hi());
            sendNames.set(IPV6_HALF, name + 16, to.lo());
            sendNames.set(JAVA_INT, name + 24, 0);
            sendNameLength[slot] = LibC.SOCKADDR_IN6;
        } else {
            if (!to.isIpv4()) {
                return false;
            }
            sendNames.set(JAVA_SHORT, name, (short) LibC.AF_INET);
            sendNames.set(PORT, name + 2, (short) to.port());
            sendNames.set(IPV4, name + 4, to.ipv4());
            sendNames.set(JAVA_LONG, name + 8, 0);
            sendNameLength[slot] = LibC.SOCKADDR_IN;
        }
        sendHi[slot] = to.hi();
        sendLo[slot] = to.lo();
        sendPort[slot] = to.port();
        sendLength[slot] = sendBuffers[slot].writerIndex();
        return true;
    }

    /**
     * Lays the datagrams in {@code slots[from, to)} into the send vector, in order, and returns
     * how many messages they make ({@link #sendVector()} for sendmmsg). With {@code segment}, each
     * run of consecutive datagrams to one destination that can go as one GSO send (all of one size
     * up to {@link #MAX_SEGMENT_SIZE} but a shorter last, at most {@link #MAX_SEGMENTS}) is one
     * message; otherwise every datagram is. {@link #datagrams} tells how many each message holds.
     */
    int layOut(int[] slots, int from, int to, boolean segment) {
        long names = sendNames.address();
        long iovecs = flushIovecs.address();
        long controls = sendControl.address();
        int messages = 0;
        int i = from;
        while (i < to) {
            int first = slots[i];
            int size = sendLength[first];
            int count = 1;
            if (segment && size <= MAX_SEGMENT_SIZE) {
                int total = size;
                while (i + count < to && count < MAX_SEGMENTS) {
                    int next = slots[i + count];
                    int length = sendLength[next];
                    if (length > size
                            || total + length > MAX_SEGMENTED_BYTES
                            || sendPort[next] != sendPort[first]
                            || sendLo[next] != sendLo[first]
                            || sendHi[next] != sendHi[first]) {
                        break;
                    }
                    count++;
                    total += length;
                    if (length < size) {
                        break;
                    }
                }
            }
            for (int k = i; k < i + count; k++) {
                int slot = slots[k];
                long iov = (long) k * LibC.IOVEC;
                flushIovecs.set(JAVA_LONG, iov, sendBuffers[slot].address(0));
                flushIovecs.set(JAVA_LONG, iov + 8, sendLength[slot]);
            }
            long m = (long) messages * LibC.MMSGHDR;
            sendVector.set(JAVA_LONG, m + LibC.MSG_NAME, names + (long) first * LibC.SOCKADDR_SLOT);
            sendVector.set(JAVA_INT, m + LibC.MSG_NAMELEN, sendNameLength[first]);
            sendVector.set(JAVA_LONG, m + LibC.MSG_IOV, iovecs + (long) i * LibC.IOVEC);
            sendVector.set(JAVA_LONG, m + LibC.MSG_IOVLEN, count);
            if (count > 1) {
                long c = (long) messages * LibC.CMSG_SPACE_U16;
                sendControl.set(JAVA_SHORT, c + LibC.CMSG_DATA, (short) size);
                sendVector.set(JAVA_LONG, m + LibC.MSG_CONTROL, controls + c);
                sendVector.set(JAVA_LONG, m + LibC.MSG_CONTROLLEN, LibC.CMSG_SPACE_U16);
            } else {
                sendVector.set(JAVA_LONG, m + LibC.MSG_CONTROL, 0);
                sendVector.set(JAVA_LONG, m + LibC.MSG_CONTROLLEN, 0);
            }
            messageDatagrams[messages++] = count;
            i += count;
        }
        return messages;
    }

    /** The send vector's address, as the last {@link #layOut} left it. */
    long sendVector() {
        return sendVectorAddress;
    }

    /** Datagrams in message {@code message} of the last {@link #layOut}. */
    int datagrams(int message) {
        return messageDatagrams[message];
    }

    void release(int slot) {
        if (slot != LARGE_SLOT) {
            freeSend[freeCount++] = slot;
        }
    }

    /** Remembers a socket with queued datagrams, so that a full pool can flush it. */
    void dirty(NativeUdpSocket socket) {
        if (dirtyCount == dirty.length) {
            dirty = java.util.Arrays.copyOf(dirty, dirtyCount * 2);
        }
        dirty[dirtyCount++] = socket;
    }

    /** Flushes every socket of the loop with queued datagrams. */
    void flushAll() {
        for (int i = 0; i < dirtyCount; i++) {
            NativeUdpSocket socket = dirty[i];
            dirty[i] = null;
            socket.flushQueued();
        }
        dirtyCount = 0;
    }
}
