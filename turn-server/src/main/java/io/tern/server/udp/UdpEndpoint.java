package io.tern.server.udp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A UDP transport address as numbers, so that the datagram path can compare and hash addresses
 * without building objects: the 16 bytes of an IPv6 address as two longs (an IPv4 address in its
 * IPv4-mapped form {@code ::ffff:a.b.c.d}, as a dual-stack socket reports it) and a port.
 *
 * <pre>
 *   hi: bytes 0-7 of the address      lo: bytes 8-15        port: 0-65535
 *   IPv4 a.b.c.d →  hi = 0              lo = 0x0000_ffff_aabb_ccdd
 * </pre>
 */
public abstract sealed class UdpEndpoint permits UdpAddress, UdpSource {
    private static final long MAPPED_PREFIX = 0xffffL << 32;

    long hi;
    long lo;
    int port;

    UdpEndpoint() {}

    UdpEndpoint(long hi, long lo, int port) {
        this.hi = hi;
        this.lo = lo;
        this.port = port;
    }

    public final long hi() {
        return hi;
    }

    public final long lo() {
        return lo;
    }

    public final int port() {
        return port;
    }

    public final boolean isIpv4() {
        return isMapped(hi, lo);
    }

    private static boolean isMapped(long hi, long lo) {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == MAPPED_PREFIX;
    }

    /** The IPv4 address as a big-endian int; only meaningful when {@link #isIpv4()}. */
    public final int ipv4() {
        return (int) lo;
    }

    /** Same IP address and port. */
    public final boolean sameAs(UdpEndpoint other) {
        return hi == other.hi && lo == other.lo && port == other.port;
    }

    /** A hash of address and port, stable across both subclasses. */
    public final int hash() {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL ^ port;
        return (int) (h ^ (h >>> 32));
    }

    /** The address as the JDK's type; cached by {@link UdpAddress}, built anew by {@link UdpSource}. */
    public abstract InetSocketAddress toSocketAddress();

    static long hiOf(InetAddress ip) {
        return ip instanceof Inet4Address ? 0 : longAt(ip.getAddress(), 0);
    }

    static long loOf(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            return mappedIpv4((int) (longAt(b, 0) >>> 32));
        }
        return longAt(b, 8);
    }

    /** The IPv4-mapped form of an IPv4 address, as {@link #lo()}. */
    public static long mappedIpv4(int ipv4) {
        return MAPPED_PREFIX | (ipv4 & 0xffff_ffffL);
    }

    static InetSocketAddress socketAddress(long hi, long lo, int port) {
        byte[] b;
        if (isMapped(hi, lo)) {
            b = new byte[4];
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) (lo >>> (24 - 8 * i));
            }
        } else {
            b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4 or 16 byte address is always valid", e);
        }
    }

    /** Up to 8 bytes from {@code from}, big-endian, as the high bytes of a long. */
    private static long longAt(byte[] b, int from) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (from + i < b.length ? b[from + i] & 0xff : 0);
        }
        return v;
    }

    @Override
    public String toString() {
        return toSocketAddress().toString();
    }
}
