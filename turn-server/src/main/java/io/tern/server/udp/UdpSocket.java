package io.tern.server.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * A bound UDP socket owned by one event loop: a listening socket, or an allocation's relay socket. Sends are queued
 * and leave together when the owner calls {@link #flush()} at the end of its read batch (one
 * {@code sendmmsg} per socket). Every method runs on the owning loop.
 *
 * <p>Two implementations: {@code NativeUdpSocket} (JDK 22+ on Linux: {@code recvmmsg}/{@code
 * sendmmsg} through the FFM API, nothing allocated per datagram) and {@link NettyUdpSocket}
 * (Netty's epoll or NIO datagram channel, everywhere else).
 */
public interface UdpSocket {
    /**
     * The largest datagram Tern takes in (client messages and peer data). Reads have room for one
     * byte more, so a datagram that filled it was cut short by the kernel and can be dropped
     * instead of passed on.
     */
    int MAX_DATAGRAM = 2048;

    /**
     * The largest datagram {@link #beginSend()} has room for: a relayed payload of {@link
     * #MAX_DATAGRAM} bytes plus the largest header Tern puts in front of it (a Data indication's).
     */
    int SEND_CAPACITY = MAX_DATAGRAM + 64;

    InetSocketAddress localAddress();

    /** The loop that owns the socket. */
    EventLoop eventLoop();

    /** SO_RCVBUF as the kernel reports it (Linux reports twice what it grants). */
    int receiveBufferSize();

    /**
     * An empty buffer to write the next datagram into, with room for {@link #SEND_CAPACITY}
     * bytes; {@link #commitSend} queues it. Owned by the socket: never retain or release it.
     */
    ByteBuf beginSend();

    /** Queues what was written since {@link #beginSend()} as one datagram to {@code to}. */
    void commitSend(UdpEndpoint to);

    /**
     * Queues {@code data[index, index+length)} as one datagram to {@code to}: copied, or retained
     * until sent. The caller keeps its own reference to {@code data}.
     */
    default void send(ByteBuf data, int index, int length, UdpEndpoint to) {
        beginSend().writeBytes(data, index, length);
        commitSend(to);
    }

    /** Sends what is queued. */
    void flush();

    /**
     * Datagrams this socket sent as segments of a larger send (UDP GSO); 0 on a path without it.
     * Read on the owning loop.
     */
    default long segmentedSent() {
        return 0;
    }

    /** Closes the socket; idempotent. Queued datagrams are dropped. */
    void close();
}
