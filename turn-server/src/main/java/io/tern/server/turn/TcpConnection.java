package io.tern.server.turn;

import io.netty.channel.Channel;
import io.tern.server.metrics.ServerMetrics;
import java.net.InetSocketAddress;

/**
 * One peer TCP connection of a TCP allocation (RFC 6062 §2): made by a Connect or accepted on the
 * relayed address, named by its CONNECTION-ID, and joined to a client data connection by
 * ConnectionBind. Until then the peer connection does not read (what the peer sends waits in the
 * kernel), and it is closed when no ConnectionBind comes within {@link TcpRelay#BIND_TIMEOUT_SECONDS}.
 */
final class TcpConnection {
    private final int id;
    private final TcpRelay relay;
    private final Channel peer;
    private final InetSocketAddress peerAddress;
    private final boolean accepted;
    private volatile Channel data;

    /** {@code accepted}: the peer connected to the relayed address (rather than by Connect). */
    TcpConnection(int id, TcpRelay relay, Channel peer, InetSocketAddress peerAddress, boolean accepted) {
        this.id = id;
        this.relay = relay;
        this.peer = peer;
        this.peerAddress = peerAddress;
        this.accepted = accepted;
    }

    int id() {
        return id;
    }

    TcpRelay relay() {
        return relay;
    }

    InetSocketAddress peerAddress() {
        return peerAddress;
    }

    /** Whether the peer connected to the relayed address (counted against the pending cap). */
    boolean accepted() {
        return accepted;
    }

    boolean isOpen() {
        return peer.isOpen();
    }

    /**
     * Joins the client's data connection to the peer connection (RFC 6062 §5.4): each side's bytes
     * go to the other from now on. Runs on the data connection's loop; the peer's pipeline is
     * changed through Netty's thread-safe pipeline, its handler runs on the peer's loop.
     */
    TcpPipe bind(Channel dataChannel, ServerMetrics metrics, int transport) {
        data = dataChannel;
        peer.pipeline().addLast(new TcpPipe(dataChannel, false, metrics, transport));
        peer.config().setAutoRead(true);
        if (!peer.isActive()) {
            dataChannel.close();
        }
        return new TcpPipe(peer, true, metrics, transport);
    }

    /** Closes the peer connection and the data connection, if any. */
    void close() {
        peer.close();
        Channel d = data;
        if (d != null) {
            d.close();
        }
    }
}
