package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.transport.Exchange;
import io.tern.server.udp.UdpEndpoint;
import io.tern.server.udp.UdpSocket;
import io.tern.stun.channel.ChannelData;

/**
 * Client → peer forwarding, shared by ChannelData (the fast path) and Send indications: checks
 * the allocation, the permission and the rate, then queues the data on the relay socket, which
 * sends it with the rest of the read batch. No lock; no object per packet on the native datagram
 * path (Netty's builds a datagram envelope).
 */
public final class ClientRelay {
    private final RelayLoop loop;

    public ClientRelay(RelayLoop loop) {
        this.loop = loop;
    }

    /** ChannelData from a client (RFC 8656 §12.5). Never retains {@code message} itself. */
    public void onChannelData(Exchange exchange, ByteBuf message) {
        Allocation a = exchange.allocation();
        if (a == null) {
            loop.metrics().relayDropped(RelayDrop.NO_ALLOCATION);
            return;
        }
        if (ChannelData.validate(message, true) != null) {
            loop.metrics().relayDropped(RelayDrop.MALFORMED);
            return;
        }
        long now = loop.now();
        UdpEndpoint peer = a.channels().peer(ChannelData.channel(message), now);
        if (peer == null) {
            a.dropped++;
            loop.metrics().relayDropped(RelayDrop.UNBOUND_CHANNEL);
            return;
        }
        forward(
                a,
                peer,
                message,
                message.readerIndex() + ChannelData.HEADER_LENGTH,
                ChannelData.dataLength(message),
                now);
    }

    /**
     * Sends {@code data[index, index+length)} to a peer from the allocation's relay socket of the
     * peer's family (RFC 8656 §7.2: a dual allocation relays each family through its own address).
     */
    void forward(Allocation a, UdpEndpoint peer, ByteBuf data, int index, int length, long now) {
        if (!a.permits(peer, now)) {
            a.dropped++;
            loop.metrics().relayDropped(RelayDrop.NO_PERMISSION);
            return;
        }
        // Before the rate limiter, so that a packet that cannot leave takes no bytes of the budget.
        RelaySocket relay = a.relayFor(peer);
        if (relay == null || a.tcp() != null) {
            // No relay of the peer's family; or a TCP allocation, whose data only flows on its
            // peer connections (RFC 6062 §5.1: no Send, no ChannelData).
            a.dropped++;
            loop.metrics().relayDropped(RelayDrop.NO_RELAY_FOR_FAMILY);
            return;
        }
        if (!a.toPeersLimiter().tryAcquire(length, now)) {
            a.dropped++;
            loop.metrics().relayDropped(RelayDrop.RATE_LIMITED);
            return;
        }
        a.packetsToPeers++;
        a.bytesToPeers += length;
        loop.metrics().relayedToPeers(a.client().transport().ordinal(), length);
        UdpSocket socket = relay.udp();
        socket.send(data, index, length, peer);
        loop.flushes().add(socket);
    }
}
