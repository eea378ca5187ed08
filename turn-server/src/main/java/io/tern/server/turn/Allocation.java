package io.tern.server.turn;

import io.tern.server.udp.UdpEndpoint;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AddressFamily;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One TURN allocation (RFC 8656 §2.2): one relayed transport address per address family it was
 * granted (two for a dual allocation, RFC 8656 §7.2), the client it belongs to, and its
 * permissions and channels, shared by both families. Every field is read and written by one event
 * loop, the one that owns the client socket and the relay sockets, so there is no lock anywhere in
 * here.
 */
public final class Allocation {
    private final ClientPath client;
    private final AllocationHome home;
    private final String username;
    /** The IPv4 and IPv6 relayed addresses; either may be null (never both). */
    private final RelaySocket ipv4;

    private final RelaySocket ipv6;
    /** The ADDRESS-ERROR-CODE for IPv6 when a dual allocation got IPv4 only (440, 508); else 0. */
    private final int ipv6Refused;

    private final TransactionId allocateTransaction;
    /** The peer connections of a TCP allocation (RFC 6062); null for a UDP one. */
    private TcpRelay tcp;

    private final Permissions permissions = new Permissions();
    private final ChannelBindings channels = new ChannelBindings();
    private final RateLimiter toPeers;
    private final RateLimiter toClient;
    private final long createdAt;
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
            RelaySocket ipv4,
            RelaySocket ipv6,
            int ipv6Refused,
            TransactionId allocateTransaction,
            long maxBps,
            long createdAt,
            long expiresAt) {
        this.client = client;
        this.home = home;
        this.username = username;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.ipv6Refused = ipv6Refused;
        this.allocateTransaction = allocateTransaction;
        this.toPeers = maxBps > 0 ? new RateLimiter(maxBps) : RateLimiter.UNLIMITED;
        this.toClient = maxBps > 0 ? new RateLimiter(maxBps) : RateLimiter.UNLIMITED;
        this.createdAt = createdAt;
        for (RelaySocket r : new RelaySocket[] {ipv4, ipv6}) {
            if (r != null) {
                r.expiresAt(expiresAt);
                if (r.peers() != null) {
                    r.peers().attach(this);
                }
            }
        }
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

    /**
     * The open relayed address of the peer's family, or null when the allocation has none (RFC
     * 8656 §7.2: data for such a peer is refused, 443 for requests). Allocates nothing.
     */
    RelaySocket relayFor(InetAddress peer) {
        return open(peer instanceof Inet4Address ? ipv4 : ipv6);
    }

    /** {@link #relayFor(InetAddress)} for a peer given as numbers. */
    RelaySocket relayFor(UdpEndpoint peer) {
        return open(peer.isIpv4() ? ipv4 : ipv6);
    }

    private static RelaySocket open(RelaySocket r) {
        return r == null || r.isClosed() ? null : r;
    }

    /** The relayed address of an {@link io.tern.stun.attr.AddressFamily} value, if open; else null. */
    RelaySocket relayOfFamily(int family) {
        RelaySocket r = family == AddressFamily.IPV4 ? ipv4 : family == AddressFamily.IPV6 ? ipv6 : null;
        return r == null || r.isClosed() ? null : r;
    }

    /** The open relayed addresses, IPv4 first: what XOR-RELAYED-ADDRESS lists. */
    List<RelaySocket> relays() {
        List<RelaySocket> out = new ArrayList<>(2);
        if (ipv4 != null && !ipv4.isClosed()) {
            out.add(ipv4);
        }
        if (ipv6 != null && !ipv6.isClosed()) {
            out.add(ipv6);
        }
        return out;
    }

    /** Makes this a TCP allocation (RFC 6062) whose relayed address is {@code relay}'s listener. */
    void attachTcp(TcpRelay relay) {
        this.tcp = relay;
        relay.attach(this);
    }

    /** The peer connections of a TCP allocation; null for a UDP allocation. */
    TcpRelay tcp() {
        return tcp;
    }

    int ipv6Refused() {
        return ipv6Refused;
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

    /** When the last of its relayed addresses expires. */
    public long expiresAt() {
        long latest = Long.MIN_VALUE;
        if (ipv4 != null && !ipv4.isClosed()) {
            latest = ipv4.expiresAt();
        }
        if (ipv6 != null && !ipv6.isClosed()) {
            latest = Math.max(latest, ipv6.expiresAt());
        }
        return latest;
    }

    /** Sets the lifetime of every open relayed address (a Refresh without REQUESTED-ADDRESS-FAMILY). */
    void expiresAt(long when) {
        if (ipv4 != null && !ipv4.isClosed()) {
            ipv4.expiresAt(when);
        }
        if (ipv6 != null && !ipv6.isClosed()) {
            ipv6.expiresAt(when);
        }
    }

    /**
     * Closes the relayed addresses whose lifetime is over; true when none is left, and the
     * allocation must end.
     */
    boolean expire(long now) {
        boolean open4 = expire(ipv4, now);
        boolean open6 = expire(ipv6, now);
        return !open4 && !open6;
    }

    /** Closes {@code r} if its lifetime is over; whether it is still open. */
    private static boolean expire(RelaySocket r, long now) {
        if (r == null || r.isClosed()) {
            return false;
        }
        if (r.expiresAt() <= now) {
            r.close();
            return false;
        }
        return true;
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether {@code peer}'s IP has a permission in force (RFC 8656 §9). Allocates nothing. */
    boolean permits(UdpEndpoint peer, long now) {
        return permissions.allows(peer, now);
    }

    /** Closes the relay sockets and gives the ports back; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        home.remove(client.address(), this);
        if (tcp != null) {
            tcp.close();
        }
        if (ipv4 != null) {
            ipv4.close();
        }
        if (ipv6 != null) {
            ipv6.close();
        }
    }

    @Override
    public String toString() {
        StringBuilder relayed = new StringBuilder();
        for (RelaySocket r : new RelaySocket[] {ipv4, ipv6}) {
            if (r != null) {
                relayed.append(relayed.length() == 0 ? "" : " + ").append(r.relayedAddress());
            }
        }
        return "allocation " + relayed + " for " + client.remote() + " over "
                + client.transport().name().toLowerCase(java.util.Locale.ROOT) + " (" + username + ")";
    }
}
