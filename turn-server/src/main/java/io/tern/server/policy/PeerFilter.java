package io.tern.server.policy;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Decides whether a TURN client may relay to a peer (RFC 8656 leaves the policy to the server;
 * this is Tern's, see design.md "Peer policy"). Consulted when a permission or channel is created.
 *
 * <p>In order, the first that applies decides:
 *
 * <ol>
 *   <li>the server's own listening transport address (IP and port) is always refused: relaying into
 *       it would let a client inject messages that appear to come from the relay;
 *   <li>an {@code allowed-peer-ip} match is allowed ("allowed wins", as in coturn);
 *   <li>a {@code denied-peer-ip} match is refused;
 *   <li>by default, the peer must be globally routable unicast ({@link SpecialPurpose}): loopback is
 *       refused unless {@code allowLoopback}, every other special-purpose block always.
 * </ol>
 *
 * <p>Canonicalisation first: an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, whether Java
 * hands it over as an {@code Inet4Address} or as a 16-byte {@code Inet6Address}) is judged as the
 * IPv4 address, because that is where a dual-stack socket sends it. An IPv6 address that embeds an
 * IPv4 address (IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}, 6to4 {@code
 * 2002:AABB:CCDD::/48}, Teredo {@code 2001::/32} with the client address inverted in the last 32
 * bits) must pass as itself and, if it does, its IPv4 address must pass too; those prefixes are
 * refused by default anyway, so this matters when an operator allows, say, 2002::/16.
 *
 * <p>Immutable and thread-safe. {@link #decide} and {@link #check} allocate nothing but the copy
 * {@link InetAddress#getAddress()} makes: every {@link PeerDecision} is built here.
 *
 * <p>Permissions are per IP (RFC 8656 section 9), but the server-address rule depends on the port:
 * check the port-carrying destinations (ChannelBind, and each Send indication, with {@link
 * #isServerTransportAddress}) too, not only the CreatePermission address.
 */
public final class PeerFilter {
    private static final PeerDecision ALLOWED = new PeerDecision(PeerVerdict.ALLOWED, "allowed");
    private static final PeerDecision SERVER_ADDRESS =
            new PeerDecision(PeerVerdict.DENIED_SERVER_ADDRESS, "the server's own listening transport address");
    private static final PeerDecision UNRESOLVED =
            new PeerDecision(PeerVerdict.DENIED_SPECIAL_PURPOSE, "unresolved address (no IP)");

    /** A judge result meaning "allowed"; other results index the decision tables. */
    private static final int ALLOW = -1;

    // How an IPv6 address embeds an IPv4 address (IPv4-mapped is turned into IPv4 before this).
    private static final int NOT_EMBEDDED = -1;
    private static final int COMPATIBLE = 0;
    private static final int NAT64 = 1;
    private static final int SIX_TO_FOUR = 2;
    private static final int TEREDO = 3;
    private static final String[] EMBEDDINGS = {
        "IPv4-compatible ::/96", "NAT64 64:ff9b::/96", "6to4 2002::/16", "Teredo 2001::/32"
    };

    private final List<IpRange> allowed;
    private final List<IpRange> denied;
    private final boolean allowLoopback;
    private final IpRange[] allowedV4;
    private final IpRange[] allowedV6;
    private final IpRange[] deniedV4;
    private final IpRange[] deniedV6;
    private final ServerEndpoints server;
    // Indexed by judgeV4 / judgeV6 results: special-purpose entries, then denied rules.
    private final PeerDecision[] v4Decisions;
    private final PeerDecision[] v6Decisions;
    // [embedding][judgeV4 result]
    private final PeerDecision[][] embeddedDecisions;

    private PeerFilter(
            Collection<IpRange> allowed,
            Collection<IpRange> denied,
            boolean allowLoopback,
            Collection<InetSocketAddress> serverAddresses,
            Collection<? extends InetAddress> localAddresses) {
        this.allowed = List.copyOf(allowed);
        this.denied = List.copyOf(denied);
        this.allowLoopback = allowLoopback;
        this.allowedV4 = family(this.allowed, false);
        this.allowedV6 = family(this.allowed, true);
        this.deniedV4 = family(this.denied, false);
        this.deniedV6 = family(this.denied, true);
        this.server = new ServerEndpoints(serverAddresses, localAddresses);

        SpecialPurpose.Entry[] v4 = SpecialPurpose.IPV4;
        v4Decisions = new PeerDecision[v4.length + deniedV4.length];
        for (int i = 0; i < v4.length; i++) {
            v4Decisions[i] = new PeerDecision(PeerVerdict.DENIED_SPECIAL_PURPOSE, v4[i].reason());
        }
        for (int j = 0; j < deniedV4.length; j++) {
            v4Decisions[v4.length + j] = new PeerDecision(PeerVerdict.DENIED_BY_RULE, "denied-peer-ip " + deniedV4[j]);
        }

        SpecialPurpose.Entry[] v6 = SpecialPurpose.IPV6;
        int v6Special = v6.length + 1; // + SpecialPurpose.NOT_GLOBAL_UNICAST
        v6Decisions = new PeerDecision[v6Special + deniedV6.length];
        for (int i = 0; i < v6.length; i++) {
            v6Decisions[i] = new PeerDecision(PeerVerdict.DENIED_SPECIAL_PURPOSE, v6[i].reason());
        }
        v6Decisions[SpecialPurpose.NOT_GLOBAL_UNICAST_INDEX] =
                new PeerDecision(PeerVerdict.DENIED_SPECIAL_PURPOSE, SpecialPurpose.NOT_GLOBAL_UNICAST);
        for (int j = 0; j < deniedV6.length; j++) {
            v6Decisions[v6Special + j] = new PeerDecision(PeerVerdict.DENIED_BY_RULE, "denied-peer-ip " + deniedV6[j]);
        }

        embeddedDecisions = new PeerDecision[EMBEDDINGS.length][v4Decisions.length];
        for (int k = 0; k < EMBEDDINGS.length; k++) {
            for (int c = 0; c < v4Decisions.length; c++) {
                PeerDecision inner = v4Decisions[c];
                embeddedDecisions[k][c] =
                        new PeerDecision(inner.verdict(), inner.reason() + ", embedded in " + EMBEDDINGS[k]);
            }
        }
    }

    /**
     * A filter for a server listening on {@code serverAddresses}. If one of them is a wildcard
     * ({@code 0.0.0.0:3478}, {@code [::]:3478}), the host's interface addresses are read once, now
     * ({@link #localInterfaceAddresses()}); rebuild the filter (e.g. on reload) when they change.
     *
     * @param allowed {@code allowed-peer-ip} ranges
     * @param denied {@code denied-peer-ip} ranges
     * @param allowLoopback {@code allow-loopback-peers}: let 127.0.0.0/8 and ::1 through (tests)
     * @param serverAddresses the bound listening transport addresses (actual ports, not 0)
     */
    public static PeerFilter create(
            Collection<IpRange> allowed,
            Collection<IpRange> denied,
            boolean allowLoopback,
            Collection<InetSocketAddress> serverAddresses) {
        boolean wildcard = serverAddresses.stream()
                .anyMatch(a -> a.getAddress() != null && a.getAddress().isAnyLocalAddress());
        List<InetAddress> local = wildcard ? localInterfaceAddresses() : List.of();
        return create(allowed, denied, allowLoopback, serverAddresses, local);
    }

    /**
     * As {@link #create(Collection, Collection, boolean, Collection)}, with the interface addresses a
     * wildcard listener stands for given instead of read from the host.
     */
    public static PeerFilter create(
            Collection<IpRange> allowed,
            Collection<IpRange> denied,
            boolean allowLoopback,
            Collection<InetSocketAddress> serverAddresses,
            Collection<? extends InetAddress> localInterfaceAddresses) {
        return new PeerFilter(allowed, denied, allowLoopback, serverAddresses, localInterfaceAddresses);
    }

    /** A snapshot of every address on every network interface of this host, up or down. */
    public static List<InetAddress> localInterfaceAddresses() {
        try {
            return NetworkInterface.networkInterfaces()
                    .flatMap(NetworkInterface::inetAddresses)
                    .collect(Collectors.toUnmodifiableList());
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot list the network interfaces", e);
        }
    }

    /** Whether a client may relay to {@code peer}. */
    public PeerVerdict check(InetSocketAddress peer) {
        return decide(peer).verdict();
    }

    /** The verdict for {@code peer} with its reason; the same instance for the same outcome. */
    public PeerDecision decide(InetSocketAddress peer) {
        InetAddress address = peer.getAddress();
        if (address == null) {
            return UNRESOLVED;
        }
        int port = peer.getPort();
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return decideV4(IpRange.v4(b), port);
        }
        long hi = IpRange.hi(b);
        long lo = IpRange.lo(b);
        if (IpLiterals.isMapped(hi, lo)) {
            return decideV4((int) lo, port);
        }
        return decideV6(hi, lo, port);
    }

    /**
     * Whether {@code destination} is one of the server's own listening transport addresses (in any
     * of its forms), the only port-dependent part of {@link #decide}. Cheap enough for each Send
     * indication.
     */
    public boolean isServerTransportAddress(InetSocketAddress destination) {
        InetAddress address = destination.getAddress();
        if (address == null) {
            return false;
        }
        int port = destination.getPort();
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return server.matchesV4(IpRange.v4(b), port);
        }
        return isServerTransportAddress(IpRange.hi(b), IpRange.lo(b), port);
    }

    /**
     * {@link #isServerTransportAddress(InetSocketAddress)} for an address given as the two halves
     * of its 16 bytes (an IPv4 address in its IPv4-mapped form) and a port; builds nothing.
     */
    public boolean isServerTransportAddress(long hi, long lo, int port) {
        if (IpLiterals.isMapped(hi, lo)) {
            return server.matchesV4((int) lo, port);
        }
        int kind = embedding(hi, lo);
        return server.matchesV6(hi, lo, port)
                || (kind != NOT_EMBEDDED && server.matchesV4(embeddedV4(kind, hi, lo), port));
    }

    public List<IpRange> allowedRanges() {
        return allowed;
    }

    public List<IpRange> deniedRanges() {
        return denied;
    }

    public boolean allowLoopback() {
        return allowLoopback;
    }

    @Override
    public String toString() {
        return "PeerFilter[allowed=" + allowed + ", denied=" + denied + ", allowLoopback=" + allowLoopback + "]";
    }

    private PeerDecision decideV4(int v4, int port) {
        if (server.matchesV4(v4, port)) {
            return SERVER_ADDRESS;
        }
        int result = judgeV4(v4);
        return result == ALLOW ? ALLOWED : v4Decisions[result];
    }

    private PeerDecision decideV6(long hi, long lo, int port) {
        int kind = embedding(hi, lo);
        int embedded = kind == NOT_EMBEDDED ? 0 : embeddedV4(kind, hi, lo);
        if (server.matchesV6(hi, lo, port) || (kind != NOT_EMBEDDED && server.matchesV4(embedded, port))) {
            return SERVER_ADDRESS;
        }
        int result = judgeV6(hi, lo);
        if (result != ALLOW) {
            return v6Decisions[result];
        }
        if (kind == NOT_EMBEDDED) {
            return ALLOWED;
        }
        int inner = judgeV4(embedded);
        return inner == ALLOW ? ALLOWED : embeddedDecisions[kind][inner];
    }

    /** Rules, then the default policy, for an IPv4 address: ALLOW or an index into v4Decisions. */
    private int judgeV4(int v4) {
        for (IpRange range : allowedV4) {
            if (range.containsV4(v4)) {
                return ALLOW;
            }
        }
        for (int j = 0; j < deniedV4.length; j++) {
            if (deniedV4[j].containsV4(v4)) {
                return SpecialPurpose.IPV4.length + j;
            }
        }
        int special = SpecialPurpose.indexV4(v4);
        if (special < 0 || (allowLoopback && SpecialPurpose.IPV4[special].loopback())) {
            return ALLOW;
        }
        return special;
    }

    /** Rules, then the default policy, for an IPv6 address: ALLOW or an index into v6Decisions. */
    private int judgeV6(long hi, long lo) {
        for (IpRange range : allowedV6) {
            if (range.containsV6(hi, lo)) {
                return ALLOW;
            }
        }
        for (int j = 0; j < deniedV6.length; j++) {
            if (deniedV6[j].containsV6(hi, lo)) {
                return SpecialPurpose.IPV6.length + 1 + j;
            }
        }
        int special = SpecialPurpose.indexV6(hi, lo);
        if (special < 0
                || (allowLoopback && special < SpecialPurpose.IPV6.length && SpecialPurpose.IPV6[special].loopback())) {
            return ALLOW;
        }
        return special;
    }

    /** How (hi, lo), not IPv4-mapped, embeds an IPv4 address, or NOT_EMBEDDED. */
    private static int embedding(long hi, long lo) {
        if (hi == 0) {
            // ::a.b.c.d, but not :: (unspecified) nor ::1 (loopback)
            return (lo >>> 32) == 0 && lo > 1 ? COMPATIBLE : NOT_EMBEDDED;
        }
        if (hi == 0x0064_ff9b_0000_0000L && (lo >>> 32) == 0) {
            return NAT64;
        }
        if ((hi >>> 48) == 0x2002) {
            return SIX_TO_FOUR;
        }
        if ((hi >>> 32) == 0x2001_0000L) {
            return TEREDO;
        }
        return NOT_EMBEDDED;
    }

    private static int embeddedV4(int kind, long hi, long lo) {
        return switch (kind) {
            case COMPATIBLE, NAT64 -> (int) lo;
            case SIX_TO_FOUR -> (int) (hi >>> 16); // 2002:AABB:CCDD::/48
            case TEREDO -> ~(int) lo; // the client address, obfuscated by inverting every bit
            default -> throw new IllegalArgumentException("embedding " + kind);
        };
    }

    private static IpRange[] family(List<IpRange> ranges, boolean ipv6) {
        return ranges.stream().filter(r -> r.isIpv6() == ipv6).toArray(IpRange[]::new);
    }

    /**
     * The server's listening transport addresses as numbers. A wildcard listener stands for its
     * port on every local interface address, on all of 127.0.0.0/8 and ::1 (a wildcard socket gets
     * those too), and on the unspecified address itself (a send to 0.0.0.0 or :: reaches this
     * host). Either wildcard family covers both families: {@code [::]} is dual-stack by default and
     * refusing one more (IP, port) pair on this host costs nothing.
     */
    private static final class ServerEndpoints {
        private final long[] v4; // ip << 16 | port
        private final long[] v6Hi;
        private final long[] v6Lo;
        private final int[] v6Port;
        private final int[] ports;
        private final int[] wildcardPorts;
        private final int[] localV4;
        private final long[] localV6Hi;
        private final long[] localV6Lo;

        ServerEndpoints(Collection<InetSocketAddress> listeners, Collection<? extends InetAddress> local) {
            List<Long> exactV4 = new ArrayList<>();
            List<long[]> exactV6 = new ArrayList<>();
            List<Integer> allPorts = new ArrayList<>();
            List<Integer> wildcards = new ArrayList<>();
            for (InetSocketAddress listener : listeners) {
                InetAddress address = listener.getAddress();
                if (address == null || listener.getPort() == 0) {
                    throw new IllegalArgumentException(
                            "server transport address " + listener + ": pass the bound address and port");
                }
                int port = listener.getPort();
                allPorts.add(port);
                long[] ip = canonical(address);
                if (ip.length == 1) {
                    if (ip[0] == 0) {
                        wildcards.add(port);
                    }
                    exactV4.add(ip[0] << 16 | port);
                } else {
                    if (ip[0] == 0 && ip[1] == 0) {
                        wildcards.add(port);
                    }
                    exactV6.add(new long[] {ip[0], ip[1], port});
                }
            }
            List<Long> localFour = new ArrayList<>();
            List<long[]> localSix = new ArrayList<>();
            for (InetAddress address : local) {
                long[] ip = canonical(Objects.requireNonNull(address, "local interface address"));
                if (ip.length == 1) {
                    localFour.add(ip[0]);
                } else {
                    localSix.add(ip);
                }
            }
            v4 = exactV4.stream().mapToLong(Long::longValue).toArray();
            v6Hi = exactV6.stream().mapToLong(a -> a[0]).toArray();
            v6Lo = exactV6.stream().mapToLong(a -> a[1]).toArray();
            v6Port = exactV6.stream().mapToInt(a -> (int) a[2]).toArray();
            ports = allPorts.stream().mapToInt(Integer::intValue).distinct().toArray();
            wildcardPorts =
                    wildcards.stream().mapToInt(Integer::intValue).distinct().toArray();
            localV4 = localFour.stream().mapToInt(Long::intValue).toArray();
            localV6Hi = localSix.stream().mapToLong(a -> a[0]).toArray();
            localV6Lo = localSix.stream().mapToLong(a -> a[1]).toArray();
        }

        /** {ipv4} or {hi, lo}; IPv4-mapped becomes IPv4. */
        private static long[] canonical(InetAddress address) {
            byte[] b = address.getAddress();
            if (b.length == 4) {
                return new long[] {IpRange.v4(b) & 0xFFFFFFFFL};
            }
            long hi = IpRange.hi(b);
            long lo = IpRange.lo(b);
            return IpLiterals.isMapped(hi, lo) ? new long[] {lo & 0xFFFFFFFFL} : new long[] {hi, lo};
        }

        boolean matchesV4(int ip, int port) {
            long key = (ip & 0xFFFFFFFFL) << 16 | port;
            for (long listener : v4) {
                if (listener == key) {
                    return true;
                }
            }
            if (ip == 0 && contains(ports, port)) {
                return true;
            }
            if (!contains(wildcardPorts, port)) {
                return false;
            }
            if ((ip >>> 24) == 127) {
                return true;
            }
            for (int address : localV4) {
                if (address == ip) {
                    return true;
                }
            }
            return false;
        }

        boolean matchesV6(long hi, long lo, int port) {
            for (int i = 0; i < v6Port.length; i++) {
                if (v6Hi[i] == hi && v6Lo[i] == lo && v6Port[i] == port) {
                    return true;
                }
            }
            if (hi == 0 && lo == 0 && contains(ports, port)) {
                return true;
            }
            if (!contains(wildcardPorts, port)) {
                return false;
            }
            if (hi == 0 && lo == 1) {
                return true;
            }
            for (int i = 0; i < localV6Hi.length; i++) {
                if (localV6Hi[i] == hi && localV6Lo[i] == lo) {
                    return true;
                }
            }
            return false;
        }

        private static boolean contains(int[] values, int value) {
            for (int v : values) {
                if (v == value) {
                    return true;
                }
            }
            return false;
        }
    }
}
