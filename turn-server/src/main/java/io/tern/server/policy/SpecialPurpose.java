package io.tern.server.policy;

/**
 * The default policy: which addresses are not globally routable unicast, after the IANA IPv4 and
 * IPv6 Special-Purpose Address Registries (RFC 6890 and its updates), plus the multicast and
 * deprecated blocks that live in other registries, plus blocks that embed an IPv4 address (a
 * relay must not become a way to reach an IPv4 address it would refuse).
 *
 * <p>Deny-more where the registry says "globally reachable" for a few small blocks inside larger
 * special-purpose ones (192.0.0.9 and 192.0.0.10 in 192.0.0.0/24; the anycast, AMT, AS112,
 * ORCHIDv2 and DRIP blocks in 2001::/23): a TURN peer has no business there, and an operator who
 * needs one can list it in {@code allowed-peer-ip}.
 *
 * <p>IPv6 is an allow-list at heart: outside 2000::/3 (the only block IANA hands out as global
 * unicast) nothing is a valid peer, so a block IANA registers later is refused until we know what it
 * is. The named entries outside 2000::/3 are only there to give the log a precise reason.
 *
 * <p>The first matching entry wins, so more specific entries come first. IPv4-mapped IPv6
 * (::ffff:0:0/96) has no entry: {@link PeerFilter} judges it as the IPv4 address it maps, which is
 * where Java (and a dual-stack socket) sends it.
 */
final class SpecialPurpose {
    private SpecialPurpose() {}

    /** One special-purpose block and the reason a peer in it is refused. */
    record Entry(IpRange range, String reason, boolean loopback) {
        static Entry of(String cidr, String name) {
            return new Entry(IpRange.parse("special-purpose", cidr), name + " " + cidr, false);
        }

        static Entry loopback(String cidr) {
            return new Entry(IpRange.parse("special-purpose", cidr), "loopback " + cidr, true);
        }
    }

    static final Entry[] IPV4 = {
        Entry.of("0.0.0.0/8", "\"this network\""), // RFC 791, RFC 1122 3.2.1.3
        Entry.of("10.0.0.0/8", "private-use"), // RFC 1918
        Entry.of("100.64.0.0/10", "shared address space (CGN)"), // RFC 6598
        Entry.loopback("127.0.0.0/8"), // RFC 1122 3.2.1.3
        Entry.of("169.254.169.254/32", "cloud metadata service, link-local"), // inside 169.254/16
        Entry.of("169.254.0.0/16", "link-local"), // RFC 3927
        Entry.of("172.16.0.0/12", "private-use"), // RFC 1918
        Entry.of("192.0.0.0/24", "IETF protocol assignments"), // RFC 6890 (DS-Lite, NAT64 discovery, ...)
        Entry.of("192.0.2.0/24", "documentation (TEST-NET-1)"), // RFC 5737
        Entry.of("192.88.99.0/24", "6to4 relay anycast (deprecated)"), // RFC 3068, RFC 7526
        Entry.of("192.168.0.0/16", "private-use"), // RFC 1918
        Entry.of("198.18.0.0/15", "benchmarking"), // RFC 2544
        Entry.of("198.51.100.0/24", "documentation (TEST-NET-2)"), // RFC 5737
        Entry.of("203.0.113.0/24", "documentation (TEST-NET-3)"), // RFC 5737
        Entry.of("224.0.0.0/4", "multicast"), // RFC 5771
        Entry.of("255.255.255.255/32", "limited broadcast"), // RFC 919, RFC 8190
        Entry.of("240.0.0.0/4", "reserved"), // RFC 1112
    };

    static final Entry[] IPV6 = {
        Entry.of("::/128", "unspecified"), // RFC 4291
        Entry.loopback("::1/128"), // RFC 4291
        Entry.of("::/96", "IPv4-compatible (deprecated)"), // RFC 4291 2.5.5.1
        Entry.of("64:ff9b::/96", "NAT64 well-known prefix"), // RFC 6052 (registry: globally reachable)
        Entry.of("64:ff9b:1::/48", "NAT64 local-use"), // RFC 8215
        Entry.of("100::/64", "discard-only"), // RFC 6666
        Entry.of("100:0:0:1::/64", "dummy prefix"), // IANA registry, 2025
        Entry.of("2001::/32", "Teredo"), // RFC 4380
        Entry.of("2001:2::/48", "benchmarking"), // RFC 5180
        Entry.of("2001:10::/28", "ORCHID (deprecated)"), // RFC 4843
        Entry.of("2001:20::/28", "ORCHIDv2"), // RFC 7343
        Entry.of("2001::/23", "IETF protocol assignments"), // RFC 2928
        Entry.of("2001:db8::/32", "documentation"), // RFC 3849
        Entry.of("2002::/16", "6to4"), // RFC 3056
        Entry.of("3fff::/20", "documentation"), // RFC 9637
        Entry.of("5f00::/16", "SRv6 SIDs"), // RFC 9602
        Entry.of("fc00::/7", "unique-local"), // RFC 4193
        Entry.of("fe80::/10", "link-local"), // RFC 4291
        Entry.of("fec0::/10", "site-local (deprecated)"), // RFC 3879
        Entry.of("ff00::/8", "multicast"), // RFC 4291
    };

    /** The reason for an IPv6 address outside 2000::/3 that no named entry covers. */
    static final String NOT_GLOBAL_UNICAST = "not global unicast (outside 2000::/3)";

    /** The index into {@link #IPV6} reported for {@link #NOT_GLOBAL_UNICAST}. */
    static final int NOT_GLOBAL_UNICAST_INDEX = IPV6.length;

    /** The first {@link #IPV4} entry containing {@code v4}, or -1 if it is globally routable. */
    static int indexV4(int v4) {
        for (int i = 0; i < IPV4.length; i++) {
            if (IPV4[i].range().containsV4(v4)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The first {@link #IPV6} entry containing (hi, lo), {@link #NOT_GLOBAL_UNICAST_INDEX} for
     * another address outside 2000::/3, or -1 if it is globally routable. Call with IPv4-mapped
     * addresses already turned into IPv4.
     */
    static int indexV6(long hi, long lo) {
        for (int i = 0; i < IPV6.length; i++) {
            if (IPV6[i].range().containsV6(hi, lo)) {
                return i;
            }
        }
        return (hi >>> 61) == 1 ? -1 : NOT_GLOBAL_UNICAST_INDEX;
    }
}
