package io.tern.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The TURN part of the configuration. Option names follow coturn's.
 *
 * @param realm the REALM of the long-term credential mechanism
 * @param users static users, {@code name:password} or {@code name:0x<md5 key hex>}
 * @param staticAuthSecrets TURN REST secrets; several at once for rotation
 * @param relayIps addresses relay sockets bind to; empty picks one (see {@code RelayAddresses})
 * @param externalIps coturn's {@code public} or {@code public/private}: the address advertised in
 *     XOR-RELAYED-ADDRESS for a relay IP behind 1:1 NAT
 * @param minPort lowest relay port
 * @param maxPort highest relay port
 * @param defaultLifetimeSeconds allocation lifetime when the client asks for none (600)
 * @param maxLifetimeSeconds longest lifetime granted (3600)
 * @param allowLoopbackPeers let clients relay to 127.0.0.0/8 and ::1 (tests only)
 * @param allowedPeerIps ranges allowed although the default policy denies them
 * @param deniedPeerIps ranges denied although the default policy allows them
 * @param userQuota allocations per user at once; 0 is no limit
 * @param totalQuota allocations at once on this server; 0 is no limit
 * @param maxBps bytes per second per allocation and direction; 0 is no limit
 * @param alternateServers where a draining server sends new allocations (300 with ALTERNATE-SERVER)
 * @param tcpRelay whether clients may ask for TCP relays (RFC 6062); coturn's {@code no-tcp-relay}
 *     turns it off
 */
public record TurnConfig(
        String realm,
        List<String> users,
        List<String> staticAuthSecrets,
        List<InetAddress> relayIps,
        List<String> externalIps,
        int minPort,
        int maxPort,
        int defaultLifetimeSeconds,
        int maxLifetimeSeconds,
        boolean allowLoopbackPeers,
        List<String> allowedPeerIps,
        List<String> deniedPeerIps,
        int userQuota,
        int totalQuota,
        long maxBps,
        List<InetSocketAddress> alternateServers,
        boolean tcpRelay) {

    public TurnConfig {
        Objects.requireNonNull(realm, "realm");
        users = List.copyOf(users);
        staticAuthSecrets = List.copyOf(staticAuthSecrets);
        relayIps = List.copyOf(relayIps);
        externalIps = List.copyOf(externalIps);
        allowedPeerIps = List.copyOf(allowedPeerIps);
        deniedPeerIps = List.copyOf(deniedPeerIps);
        alternateServers = List.copyOf(alternateServers);
        if (realm.isEmpty() || realm.length() > 127) {
            throw new ConfigException("realm", "\"" + realm + "\"", "use 1 to 127 characters, e.g. your domain name");
        }
        if (minPort < 1 || minPort > 65535) {
            throw new ConfigException("min-port", String.valueOf(minPort), "use a port from 1 to 65535");
        }
        if (maxPort < minPort || maxPort > 65535) {
            throw new ConfigException(
                    "max-port", String.valueOf(maxPort), "use a port from min-port (" + minPort + ") to 65535");
        }
        if (defaultLifetimeSeconds < 1 || defaultLifetimeSeconds > maxLifetimeSeconds) {
            throw new ConfigException(
                    "lifetime",
                    String.valueOf(defaultLifetimeSeconds),
                    "use 1 to max-allocate-lifetime (" + maxLifetimeSeconds + ") seconds");
        }
        if (userQuota < 0) {
            throw new ConfigException("user-quota", String.valueOf(userQuota), "use 0 (no limit) or a positive count");
        }
        if (totalQuota < 0) {
            throw new ConfigException(
                    "total-quota", String.valueOf(totalQuota), "use 0 (no limit) or a positive count");
        }
        if (maxBps < 0) {
            throw new ConfigException("max-bps", String.valueOf(maxBps), "use 0 (no limit) or bytes per second");
        }
    }

    /** coturn's defaults where they are sound: ports 49152-65535, lifetimes 600/3600 s. */
    public static TurnConfig defaults() {
        return new TurnConfig(
                "tern", List.of(), List.of(), List.of(), List.of(), 49152, 65535, 600, 3600, false, List.of(),
                List.of(), 0, 0, 0, List.of(), true);
    }

    /** Never shows a password or secret: records print every component by default. */
    @Override
    public String toString() {
        return "TurnConfig[realm=" + realm + ", users="
                + users.stream()
                        .map(u -> u.contains(":") ? u.substring(0, u.indexOf(':')) + ":(hidden)" : "(hidden)")
                        .toList()
                + ", staticAuthSecrets=" + staticAuthSecrets.size() + " (hidden)"
                + ", relayIps=" + relayIps + ", externalIps=" + externalIps + ", ports=" + minPort + "-" + maxPort
                + ", lifetime=" + defaultLifetimeSeconds + "/" + maxLifetimeSeconds
                + "s, allowLoopbackPeers=" + allowLoopbackPeers + ", allowedPeerIps=" + allowedPeerIps
                + ", deniedPeerIps=" + deniedPeerIps + ", userQuota=" + userQuota + ", totalQuota=" + totalQuota
                + ", maxBps=" + maxBps + ", alternateServers=" + alternateServers + ", tcpRelay=" + tcpRelay + "]";
    }

    /** Whether any credential is configured; without one, TURN requests can only get 401. */
    public boolean hasCredentials() {
        return !users.isEmpty() || !staticAuthSecrets.isEmpty();
    }

    public TurnConfig withRealm(String value) {
        return edit(c -> c.realm = value);
    }

    public TurnConfig withCredentials(List<String> staticUsers, List<String> restSecrets) {
        return edit(c -> {
            c.users = staticUsers;
            c.staticAuthSecrets = restSecrets;
        });
    }

    public TurnConfig withRelays(List<InetAddress> ips, List<String> external) {
        return edit(c -> {
            c.relayIps = ips;
            c.externalIps = external;
        });
    }

    public TurnConfig withPorts(int min, int max) {
        return edit(c -> {
            c.minPort = min;
            c.maxPort = max;
        });
    }

    public TurnConfig withLifetimes(int defaultSeconds, int maxSeconds) {
        return edit(c -> {
            c.defaultLifetimeSeconds = defaultSeconds;
            c.maxLifetimeSeconds = maxSeconds;
        });
    }

    public TurnConfig withPeerPolicy(boolean allowLoopback, List<String> allowed, List<String> denied) {
        return edit(c -> {
            c.allowLoopbackPeers = allowLoopback;
            c.allowedPeerIps = allowed;
            c.deniedPeerIps = denied;
        });
    }

    public TurnConfig withQuotas(int perUser, int total, long bytesPerSecond) {
        return edit(c -> {
            c.userQuota = perUser;
            c.totalQuota = total;
            c.maxBps = bytesPerSecond;
        });
    }

    public TurnConfig withAlternateServers(List<InetSocketAddress> servers) {
        return edit(c -> c.alternateServers = servers);
    }

    /** TCP relays (RFC 6062) allowed or not. */
    public TurnConfig withTcpRelay(boolean allowed) {
        return edit(c -> c.tcpRelay = allowed);
    }

    /** A copy with some components changed; validated again by the canonical constructor. */
    private TurnConfig edit(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new TurnConfig(
                c.realm,
                c.users,
                c.staticAuthSecrets,
                c.relayIps,
                c.externalIps,
                c.minPort,
                c.maxPort,
                c.defaultLifetimeSeconds,
                c.maxLifetimeSeconds,
                c.allowLoopbackPeers,
                c.allowedPeerIps,
                c.deniedPeerIps,
                c.userQuota,
                c.totalQuota,
                c.maxBps,
                c.alternateServers,
                c.tcpRelay);
    }

    /** The mutable copy {@link #edit} changes: one place that lists every component. */
    private static final class Copy {
        String realm;
        List<String> users;
        List<String> staticAuthSecrets;
        List<InetAddress> relayIps;
        List<String> externalIps;
        int minPort;
        int maxPort;
        int defaultLifetimeSeconds;
        int maxLifetimeSeconds;
        boolean allowLoopbackPeers;
        List<String> allowedPeerIps;
        List<String> deniedPeerIps;
        int userQuota;
        int totalQuota;
        long maxBps;
        List<InetSocketAddress> alternateServers;
        boolean tcpRelay;

        Copy(TurnConfig t) {
            realm = t.realm;
            users = t.users;
            staticAuthSecrets = t.staticAuthSecrets;
            relayIps = t.relayIps;
            externalIps = t.externalIps;
            minPort = t.minPort;
            maxPort = t.maxPort;
            defaultLifetimeSeconds = t.defaultLifetimeSeconds;
            maxLifetimeSeconds = t.maxLifetimeSeconds;
            allowLoopbackPeers = t.allowLoopbackPeers;
            allowedPeerIps = t.allowedPeerIps;
            deniedPeerIps = t.deniedPeerIps;
            userQuota = t.userQuota;
            totalQuota = t.totalQuota;
            maxBps = t.maxBps;
            alternateServers = t.alternateServers;
            tcpRelay = t.tcpRelay;
        }
    }
}
