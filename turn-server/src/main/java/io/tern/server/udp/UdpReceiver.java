package io.tern.server.udp;

import io.netty.buffer.ByteBuf;

/** What a {@link UdpSocket} delivers to, on its event loop. */
public interface UdpReceiver {
    /**
     * One datagram. {@code data} and {@code from} are only valid during the call: neither may be
     * retained or released.
     */
    void datagram(ByteBuf data, UdpSource from);

    /** The end of a batch of datagrams: the moment to flush what the batch queued. */
    void batchEnd();

    /** A datagram the socket could not send (ICMP error reported, no route, buffer full). */
    void sendFailed();
}
