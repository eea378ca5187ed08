package io.tern.server.policy;

import io.tern.server.config.ConfigException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An inclusive range of IP addresses of one family, as written in {@code allowed-peer-ip} and
 * {@code denied-peer-ip}: coturn's forms (a single address {@code 203.0.113.5} / {@code 2001:db8::1},
 * or {@code first-last}) and, as a Tern extension, a CIDR block ({@code 192.0.2.0/24}, {@code
 * 2001:db8::/32}). IP literals only: a host name is an error, never a DNS query.
 *
 * <p>An IPv4-mapped IPv6 literal ({@code ::ffff:10.0.0.1}, or {@code ::ffff:10.0.0.0/104}) is the
 * IPv4 address it maps, as Java's own {@link InetAddress} treats it.
 *
 * <p>Addresses compare as unsigned big-endian numbers (IPv4 as 32 bits, IPv6 as two longs).
 * Immutable and thread-safe; {@link #contains} does not allocate beyond {@link
 * InetAddress#getAddress()}'s copy.
 */
public final class IpRange {
    private static final String FORMS = "write one address (203.0.113.5, 2001:db8::1),"
            + " a range first-last (10.0.0.0-10.255.255.255) or a CIDR block (192.0.2.0/24, 2001:db8::/32);"
            + " IP literals only, no host names";

    private final boolean ipv6;
    // IPv4: hi = 0, lo in [0, 2^32). IPv6: the 128 bits as two unsigned longs.
    private final long firstHi;
    private final long firstLo;
    private final long lastHi;
    private final long lastLo;

    private IpRange(boolean ipv6, long firstHi, long firstLo, long lastHi, long lastLo) {
        this.ipv6 = ipv6;
        this.firstHi = firstHi;
        this.firstLo = firstLo;
        this.lastHi = lastHi;
        this.lastLo = lastLo;
    }

    /**
     * Parses one value of a peer-address option.
     *
     * @param option the option's name, for the error message (e.g. {@code allowed-peer-ip})
     * @param text the value as the operator wrote it; surrounding blanks are ignored
     * @throws ConfigException naming the option, the value and the accepted forms
     */
    public static IpRange parse(String option, String text) {
        Objects.requireNonNull(option, "option");
        if (text == null || text.isBlank()) {
            throw new ConfigException(option, text == null ? "(none)" : "\"" + text + "\"", FORMS);
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        if (slash >= 0) {
            return parseCidr(option, text, t, slash);
        }
        int dash = t.indexOf('-');
        if (dash < 0) {
            Literal only = literal(option, text, t, true);
            return new IpRange(only.ipv6, only.hi, only.lo, only.hi, only.lo);
        }
        if (t.indexOf('-', dash + 1) >= 0) {
            throw new ConfigException(option, text, "a range has exactly one '-'; " + FORMS);
        }
        Literal first = literal(option, text, t.substring(0, dash).strip(), true);
        Literal last = literal(option, text, t.substring(dash + 1).strip(), true);
        if (first.ipv6 != last.ipv6) {
            throw new ConfigException(
                    option, text, "both ends of a range must be IPv4, or both IPv6; use two values for two families");
        }
        if (compare(first.hi, first.lo, last.hi, last.lo) > 0) {
            throw new ConfigException(
                    option,
                    text,
                    "the first address is above the last; write it lowest first: " + format(last.ipv6, last.hi, last.lo)
                            + "-" + format(first.ipv6, first.hi, first.lo));
        }
        return new IpRange(first.ipv6, first.hi, first.lo, last.hi, last.lo);
    }

    private static IpRange parseCidr(String option, String text, String t, int slash) {
        String lengthText = t.substring(slash + 1).strip();
        if (lengthText.isEmpty()
                || lengthText.length() > 3
                || !lengthText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ConfigException(
                    option, text, "a CIDR block is address/prefix-length, e.g. 192.0.2.0/24; " + FORMS);
        }
        int length = Integer.parseInt(lengthText);
        Literal base = literal(option, text, t.substring(0, slash).strip(), false);
        boolean ipv6 = base.ipv6;
        long hi = base.hi;
        long lo = base.lo;
        if (ipv6 && length >= 96 && IpLiterals.isMapped(hi, lo)) {
            ipv6 = false; // ::ffff:a.b.c.d/(96+n) is a.b.c.d/n
            length -= 96;
            hi = 0;
            lo &= 0xFFFFFFFFL;
        }
        int bits = ipv6 ? 128 : 32;
        if (length > bits) {
            throw new ConfigException(
                    option, text, "an " + (ipv6 ? "IPv6" : "IPv4") + " prefix length is 0 to " + bits + "; " + FORMS);
        }
        long maskHi;
        long maskLo;
        if (ipv6) {
            maskHi = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
            maskLo = length <= 64 ? 0 : -1L << (128 - length);
        } else {
            maskHi = 0;
            maskLo = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        }
        long hostHi = ipv6 ? ~maskHi : 0;
        long hostLo = ipv6 ? ~maskLo : ~maskLo & 0xFFFFFFFFL;
        if ((hi & hostHi) != 0 || (lo & hostLo) != 0) {
            String network = format(ipv6, hi & maskHi, lo & maskLo) + "/" + length;
            throw new ConfigException(
                    option,
                    text,
                    "the address has bits set after the prefix; write " + network + " for the whole block, or "
                            + format(ipv6, hi, lo) + " alone for one address");
        }
        return new IpRange(ipv6, hi, lo, hi | hostHi, lo | hostLo);
    }

    private record Literal(boolean ipv6, long hi, long lo) {}

    private static Literal literal(String option, String text, String s, boolean unmap) {
        if (s.indexOf(':') >= 0) {
            long[] v6 = new long[2];
            if (!IpLiterals.parseV6(s, v6)) {
                String fix = s.indexOf('%') >= 0 || s.indexOf('[') >= 0
                        ? "write the IPv6 address without a zone (%) or brackets; "
                        : "'" + s + "' is not an IPv6 address; ";
                throw new ConfigException(option, text, fix + FORMS);
            }
            if (unmap && IpLiterals.isMapped(v6[0], v6[1])) {
                return new Literal(false, 0, v6[1] & 0xFFFFFFFFL);
            }
            return new Literal(true, v6[0], v6[1]);
        }
        long v4 = IpLiterals.parseV4(s, 0, s.length());
        if (v4 < 0) {
            boolean name = s.chars().anyMatch(Character::isLetter);
            String fix = name
                    ? "host names are not accepted (they would need DNS); write the IP address. "
                    : "'" + s + "' is not an IPv4 address (four decimal octets 0-255, no leading zeros); ";
            throw new ConfigException(option, text, fix + FORMS);
        }
        return new Literal(false, 0, v4);
    }

    /** Whether {@code address} is in this range. An IPv4-mapped IPv6 address counts as its IPv4. */
    public boolean contains(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return containsV4(IpRange.v4(b));
        }
        long hi = IpRange.hi(b);
        long lo = IpRange.lo(b);
        if (IpLiterals.isMapped(hi, lo)) {
            return containsV4((int) lo);
        }
        return containsV6(hi, lo);
    }

    /** Whether the IPv4 address {@code v4} (32 bits, big-endian) is in this range. */
    boolean containsV4(int v4) {
        long x = v4 & 0xFFFFFFFFL;
        return !ipv6 && x >= firstLo && x <= lastLo;
    }

    /** Whether the IPv6 address (hi, lo) is in this range. */
    boolean containsV6(long hi, long lo) {
        return ipv6 && compare(hi, lo, firstHi, firstLo) >= 0 && compare(hi, lo, lastHi, lastLo) <= 0;
    }

    public boolean isIpv6() {
        return ipv6;
    }

    /** The lowest address in the range. */
    public InetAddress first() {
        return toInetAddress(firstHi, firstLo);
    }

    /** The highest address in the range. */
    public InetAddress last() {
        return toInetAddress(lastHi, lastLo);
    }

    private InetAddress toInetAddress(long hi, long lo) {
        byte[] b = new byte[ipv6 ? 16 : 4];
        if (ipv6) {
            for (int k = 0; k < 8; k++) {
                b[k] = (byte) (hi >>> (56 - 8 * k));
                b[k + 8] = (byte) (lo >>> (56 - 8 * k));
            }
        } else {
            for (int k = 0; k < 4; k++) {
                b[k] = (byte) (lo >>> (24 - 8 * k));
            }
        }
        try {
            // Inet6Address keeps 16 bytes even for ::ffff:a.b.c.d, so an IPv6 range stays IPv6.
            return ipv6 ? Inet6Address.getByAddress(null, b, (NetworkInterface) null) : InetAddress.getByAddress(b);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * The canonical text: one address, {@code network/length} when the range is exactly a CIDR
     * block, {@code first-last} otherwise. {@link #parse} reads it back to an equal range.
     */
    @Override
    public String toString() {
        if (firstHi == lastHi && firstLo == lastLo) {
            return format(ipv6, firstHi, firstLo);
        }
        long spanHi = firstHi ^ lastHi;
        long spanLo = firstLo ^ lastLo;
        boolean block = spanHi == 0 ? (spanLo & (spanLo + 1)) == 0 : spanLo == -1L && (spanHi & (spanHi + 1)) == 0;
        if (block && (firstHi & spanHi) == 0 && (firstLo & spanLo) == 0) {
            int length = (ipv6 ? 128 : 32) - Long.bitCount(spanHi) - Long.bitCount(spanLo);
            return format(ipv6, firstHi, firstLo) + "/" + length;
        }
        return format(ipv6, firstHi, firstLo) + "-" + format(ipv6, lastHi, lastLo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange r
                && r.ipv6 == ipv6
                && r.firstHi == firstHi
                && r.firstLo == firstLo
                && r.lastHi == lastHi
                && r.lastLo == lastLo;
    }

    @Override
    public int hashCode() {
        return Objects.hash(ipv6, firstHi, firstLo, lastHi, lastLo);
    }

    private static String format(boolean ipv6, long hi, long lo) {
        return ipv6 ? IpLiterals.formatV6(hi, lo) : IpLiterals.formatV4(lo);
    }

    static int compare(long hi1, long lo1, long hi2, long lo2) {
        int c = Long.compareUnsigned(hi1, hi2);
        return c != 0 ? c : Long.compareUnsigned(lo1, lo2);
    }

    static int v4(byte[] b) {
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    static long hi(byte[] b) {
        return bigEndianLong(b, 0);
    }

    static long lo(byte[] b) {
        return bigEndianLong(b, 8);
    }

    private static long bigEndianLong(byte[] b, int at) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (b[at + k] & 0xFF);
        }
        return v;
    }
}
