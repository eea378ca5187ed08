package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.transport.Exchange;
import io.tern.stun.channel.ChannelData;
import java.net.InetSocketAddress;

/**
 * Client → peer forwarding, shared by ChannelData (the fast path) and Send indications: checks
 * the allocation, the permission and the rate, then writes a retained slice of the client's
 * buffer to the relay socket. No copy, no lock; the only object per packet is Netty's datagram
 * envelope.
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
        InetSocketAddress peer = a.channels().peer(ChannelData.channel(message), now);
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
    void forward(Allocation a, InetSocketAddress peer, ByteBuf data, int index, int length, long now) {
        if (!a.permits(peer.getAddress(), now)) {
            a.dropped++;
            loop.metrics().relayDropped(RelayDrop.NO_PERMISSION);
            return;
        }
        // Before the rate limiter, so that a packet that cannot leave takes no bytes of the budget.
        RelaySocket relay = a.relayFor(peer.getAddress());
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
        Channel socket = relay.channel();
        socket.write(new DatagramPacket(data.retainedSlice(index, length), peer), socket.voidPromise());
        loop.flushes().add(socket);
    }
}
