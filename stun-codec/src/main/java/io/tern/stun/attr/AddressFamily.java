package io.tern.stun.attr;

import java.net.Inet4Address;
import java.net.InetAddress;

/** The family octet of address attributes and of REQUESTED/ADDITIONAL-ADDRESS-FAMILY. */
public final class AddressFamily {
    public static final int IPV4 = 0x01;
    public static final int IPV6 = 0x02;

    private AddressFamily() {}

    public static int of(InetAddress address) {
        return address instanceof Inet4Address ? IPV4 : IPV6;
    }

    /** Address length in bytes for a family, or -1 when the family is not one of the two. */
    public static int addressLength(int family) {
        return switch (family) {
            case IPV4 -> 4;
            case IPV6 -> 16;
            default -> -1;
        };
    }

    public static String name(int family) {
        return switch (family) {
            case IPV4 -> "IPv4";
            case IPV6 -> "IPv6";
            default -> String.format("0x%02X", family);
        };
    }
}
