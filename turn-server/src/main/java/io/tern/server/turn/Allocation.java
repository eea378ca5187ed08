package io.tern.server.turn;

import io.netty.channel.Channel;
import io.tern.stun.TransactionId;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One TURN allocation (RFC 8656 §2.2): a relay socket on the server, the client it belongs to,
 * and its permissions and channels. Every field is read and written by one event loop, the one
 * that owns the client socket and the relay socket, so there is no lock anywhere in here.
 */
public final class Allocation {
    private final ClientPath client;
    private final AllocationHome home;
    private final String username;
    private final Channel relay;
    private final InetSocketAddress relayedAddress;
    private final Runnable releasePort;
    private final TransactionId allocateTransaction;
    private final Permissions permissions = new Permissions();
    private final ChannelBindings channels = new ChannelBindings();
    private final RateLimiter toPeers;
    private final RateLimiter toClient;
    private final long createdAt;
    private long expiresAt;
    private boolean closed;

    long packetsToPeers;
    long bytesToPeers;
    long packetsToClient;
    long bytesToClient;
    long dropped;

    Allocation(
            ClientPath client,
            AllocationHome home,
            String username,
            Channel relay,
            InetSocketAddress relayedAddress,
            Runnable releasePort,
            TransactionId allocateTransaction,
            long maxBps,
            long createdAt,
            long expiresAt) {
        this.client = client;
        this.home = home;
        this.username = username;
        this.relay = relay;
        this.relayedAddress = relayedAddress;
        this.releasePort = releasePort;
        this.allocateTransaction = allocateTransaction;
        this.toPeers = maxBps > 0 ? new RateLimiter(maxBps) : RateLimiter.UNLIMITED;
        this.toClient = maxBps > 0 ? new RateLimiter(maxBps) : RateLimiter.UNLIMITED;
        this.expiresAt = expiresAt;
        this.createdAt = createdAt;
    }

    /** When it was made, on the loop's monotonic millisecond clock. */
    long createdAt() {
        return createdAt;
    }

    public ClientPath client() {
        return client;
    }

    public String username() {
        return username;
    }

    public Channel relay() {
        return relay;
    }

    /** The XOR-RELAYED-ADDRESS given to the client (the external address behind 1:1 NAT). */
    public InetSocketAddress relayedAddress() {
        return relayedAddress;
    }

    TransactionId allocateTransaction() {
        return allocateTransaction;
    }

    Permissions permissions() {
        return permissions;
    }

    ChannelBindings channels() {
        return channels;
    }

    /** coturn's max-bps applies to each direction separately; so does Tern's. */
    RateLimiter toPeersLimiter() {
        return toPeers;
    }

    RateLimiter toClientLimiter() {
        return toClient;
    }

    public long expiresAt() {
        return expiresAt;
    }

    void expiresAt(long when) {
        expiresAt = when;
    }

    boolean isExpired(long now) {
        return expiresAt <= now;
    }

    boolean isClosed() {
        return closed;
    }

    boolean permits(InetAddress peer, long now) {
        return permissions.allows(peer, now);
    }

    /** Closes the relay socket and gives the port back; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        home.remove(client.remote(), this);
        relay.close();
        releasePort.run();
    }

    @Override
    public String toString() {
        return "allocation " + relayedAddress + " for " + client.remote() + " (" + username + ")";
    }
}
