package io.tern.server.turn;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * One relayed transport address of an allocation (RFC 8656 §2): the relay socket, the address
 * given to the client, and its own lifetime. A dual allocation (RFC 8656 §7.2) has one per family,
 * which a Refresh with REQUESTED-ADDRESS-FAMILY refreshes or deletes alone (RFC 8656 §8). For a TCP
 * allocation (RFC 6062) the socket is the listener on the relayed address, with no {@link
 * PeerHandler}. Owned by the allocation's event loop.
 */
final class RelaySocket {
    private final Channel channel;
    private final InetSocketAddress relayedAddress;
    private final Runnable releasePort;
    private final PeerHandler peers;
    private long expiresAt;
    private boolean closed;

    RelaySocket(Channel channel, InetSocketAddress relayedAddress, Runnable releasePort, PeerHandler peers) {
        this.channel = channel;
        this.relayedAddress = relayedAddress;
        this.releasePort = releasePort;
        this.peers = peers;
    }

    Channel channel() {
        return channel;
    }

    /** The XOR-RELAYED-ADDRESS given to the client (the external address behind 1:1 NAT). */
    InetSocketAddress relayedAddress() {
        return relayedAddress;
    }

    /** Null for a TCP allocation's listener. */
    PeerHandler peers() {
        return peers;
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
            channel.close();
            releasePort.run();
        }
    }
}
