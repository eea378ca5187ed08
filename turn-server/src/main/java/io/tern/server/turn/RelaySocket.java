package io.tern.server.turn;

import io.netty.channel.Channel;
import io.tern.server.udp.UdpSocket;
import java.net.InetSocketAddress;

/**
 * One relayed transport address of an allocation (RFC 8656 §2): the relay socket, the address
 * given to the client, and its own lifetime. A dual allocation (RFC 8656 §7.2) has one per family,
 * which a Refresh with REQUESTED-ADDRESS-FAMILY refreshes or deletes alone (RFC 8656 §8). For a TCP
 * allocation (RFC 6062) the socket is the listener on the relayed address and there is no UDP
 * socket. Owned by the allocation's event loop.
 */
final class RelaySocket {
    private final UdpSocket udp;
    private final PeerHandler peers;
    private final Channel tcpListener;
    private final InetSocketAddress relayedAddress;
    private final Runnable releasePort;
    private long expiresAt;
    private boolean closed;

    private RelaySocket(
            UdpSocket udp,
            PeerHandler peers,
            Channel tcpListener,
            InetSocketAddress relayedAddress,
            Runnable releasePort) {
        this.udp = udp;
        this.peers = peers;
        this.tcpListener = tcpListener;
        this.relayedAddress = relayedAddress;
        this.releasePort = releasePort;
    }

    /** A UDP relayed address: peers' datagrams arrive on {@code udp}, the client's leave from it. */
    static RelaySocket udp(UdpSocket udp, PeerHandler peers, InetSocketAddress relayedAddress, Runnable releasePort) {
        return new RelaySocket(udp, peers, null, relayedAddress, releasePort);
    }

    /** A TCP relayed address (RFC 6062): peers connect to {@code listener}. */
    static RelaySocket tcp(Channel listener, InetSocketAddress relayedAddress, Runnable releasePort) {
        return new RelaySocket(null, null, listener, relayedAddress, releasePort);
    }

    /** The UDP socket; null for a TCP allocation's listener. */
    UdpSocket udp() {
        return udp;
    }

    /** What {@link #udp()} delivers to; null for a TCP allocation's listener. */
    PeerHandler peers() {
        return peers;
    }

    /** The XOR-RELAYED-ADDRESS given to the client (the external address behind 1:1 NAT). */
    InetSocketAddress relayedAddress() {
        return relayedAddress;
    }

    long expiresAt() {
        return expiresAt;
    }

    void expiresAt(long when) {
        expiresAt = when;
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes the socket and gives the port back; idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            if (udp != null) {
                udp.close();
            } else {
                tcpListener.close();
            }
            releasePort.run();
        }
    }
}
