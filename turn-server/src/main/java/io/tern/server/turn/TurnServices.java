package io.tern.server.turn;

import io.tern.server.config.TurnConfig;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.policy.PeerFilter;
import io.tern.server.transport.IoTransports;
import io.tern.stun.attr.AddressFamily;
import java.util.List;

/**
 * What every event loop's TURN stack shares: configuration, relay endpoints and their port ranges,
 * the peer filter, quotas and metrics. All of it is immutable or thread-safe, and none of it is
 * touched per relayed packet except the metrics' lock-free counters.
 */
public final class TurnServices {
    private volatile TurnConfig config;
    private final List<RelayEndpoint> relays;
    private volatile PeerFilter peerFilter;
    private volatile boolean draining;
    private final java.util.concurrent.atomic.AtomicInteger nextAlternate =
            new java.util.concurrent.atomic.AtomicInteger();
    private final Quotas quotas;
    private final ServerMetrics metrics;
    private final IoTransports io;
    /**
     * RFC 6062 peer connections waiting for their ConnectionBind, by CONNECTION-ID. Shared: the
     * data connection that binds one may land on any event loop.
     */
    private final java.util.concurrent.ConcurrentHashMap<Integer, TcpConnection> pendingTcp =
            new java.util.concurrent.ConcurrentHashMap<>();

    public TurnServices(
            TurnConfig config,
            List<RelayEndpoint> relays,
            PeerFilter peerFilter,
            ServerMetrics metrics,
            IoTransports io) {
        this.config = config;
        this.relays = List.copyOf(relays);
        this.peerFilter = peerFilter;
        this.quotas = new Quotas(config.userQuota(), config.totalQuota());
        this.metrics = metrics;
        this.io = io;
    }

    public TurnConfig config() {
        return config;
    }

    public List<RelayEndpoint> relays() {
        return relays;
    }

    /** The first relay endpoint of a family ({@link AddressFamily}), or null when there is none. */
    public RelayEndpoint relayFor(int family) {
        for (RelayEndpoint r : relays) {
            if ((family == AddressFamily.IPV4) == r.isIpv4()) {
                return r;
            }
        }
        return null;
    }

    public PeerFilter peerFilter() {
        return peerFilter;
    }

    /**
     * Takes the reloadable settings of {@code next} for new requests: lifetimes, quotas, max-bps
     * and alternate servers. Relay addresses and ports stay as they were bound at start-up.
     */
    public void reconfigure(TurnConfig next) {
        this.config = next;
        quotas.limits(next.userQuota(), next.totalQuota());
    }

    /**
     * Swaps the peer filter (immutable, so a plain volatile swap is enough): once the listeners
     * are bound and their real ports known, and on configuration reload.
     */
    public void peerFilter(PeerFilter filter) {
        this.peerFilter = filter;
    }

    /**
     * Draining: new allocations are sent elsewhere (300 with ALTERNATE-SERVER, or 508 when no
     * alternate is configured) while existing ones keep relaying.
     */
    public void drain() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }

    /** The alternate server for the next refused Allocate, round robin; null when none. */
    public java.net.InetSocketAddress nextAlternate() {
        var servers = config.alternateServers();
        return servers.isEmpty() ? null : servers.get(Math.floorMod(nextAlternate.getAndIncrement(), servers.size()));
    }

    public Quotas quotas() {
        return quotas;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public IoTransports io() {
        return io;
    }

    /** RFC 6062 §5.2 and §5.3: how long a peer connection waits for its ConnectionBind. */
    private volatile long tcpBindTimeoutMillis = TcpRelay.BIND_TIMEOUT_SECONDS * 1000;

    long tcpBindTimeoutMillis() {
        return tcpBindTimeoutMillis;
    }

    /** Shortens the ConnectionBind wait, so a test need not sit through 30 s. */
    void tcpBindTimeoutMillis(long millis) {
        tcpBindTimeoutMillis = millis;
    }

    /** RFC 6062 peer connections not yet bound to a data connection, by CONNECTION-ID. */
    java.util.concurrent.ConcurrentHashMap<Integer, TcpConnection> pendingTcp() {
        return pendingTcp;
    }

    /**
     * RFC 8656 §7.2: the lesser of what the client asked for and the maximum, but never less than
     * the default; the default when the client did not ask.
     */
    public long grantedLifetimeSeconds(long requested) {
        if (requested < 0) {
            return config.defaultLifetimeSeconds();
        }
        return Math.max(config.defaultLifetimeSeconds(), Math.min(requested, config.maxLifetimeSeconds()));
    }
}
