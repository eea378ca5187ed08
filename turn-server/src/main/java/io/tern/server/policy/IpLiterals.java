package io.tern.server.policy;

/**
 * Strict IP literal parsing and formatting, with no name resolution ever. IPv4 is the dotted quad
 * that {@code inet_pton(3)} accepts (four decimal octets, no leading zeros, so {@code 010.0.0.1}
 * cannot mean 8.0.0.1 to one program and 10.0.0.1 to another); IPv6 is RFC 4291 text, with an
 * optional dotted-quad tail and no zone or brackets.
 *
 * <p>Addresses are numbers here: IPv4 as a value in [0, 2^32) held in a long, IPv6 as two longs
 * (high and low 64 bits), both big-endian and compared unsigned.
 */
final class IpLiterals {
    private IpLiterals() {}

    /** Whether an IPv6 address given as (hi, lo) is IPv4-mapped, ::ffff:0:0/96. */
    static boolean isMapped(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xFFFFL;
    }

    /** Parses {@code s[from, to)} as a dotted quad: the value, or -1 if it is not one. */
    static long parseV4(String s, int from, int to) {
        long value = 0;
        int parts = 0;
        int i = from;
        while (true) {
            int start = i;
            int octet = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return -1;
                }
            }
            int length = i - start;
            if (length == 0 || (length > 1 && s.charAt(start) == '0') || octet > 255) {
                return -1;
            }
            value = (value << 8) | octet;
            parts++;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return -1;
            }
            i++;
        }
        return parts == 4 ? value : -1;
    }

    /**
     * Parses an IPv6 literal into {@code out[0]} (high 64 bits) and {@code out[1]} (low 64 bits).
     *
     * @return false if {@code s} is not an IPv6 literal
     */
    static boolean parseV6(String s, long[] out) {
        if (s.indexOf(':') < 0) {
            return false;
        }
        int[] groups = new int[8];
        int gap = s.indexOf("::");
        if (gap < 0) {
            if (parseGroups(s, 0, s.length(), groups, 0, true) != 8) {
                return false;
            }
        } else {
            if (s.indexOf("::", gap + 1) >= 0) {
                return false;
            }
            int left = gap == 0 ? 0 : parseGroups(s, 0, gap, groups, 0, false);
            if (left < 0) {
                return false;
            }
            int[] tail = new int[8];
            int right = gap + 2 == s.length() ? 0 : parseGroups(s, gap + 2, s.length(), tail, 0, true);
            if (right < 0 || left + right > 7) {
                return false;
            }
            System.arraycopy(tail, 0, groups, 8 - right, right);
        }
        long hi = 0;
        long lo = 0;
        for (int g = 0; g < 4; g++) {
            hi = (hi << 16) | groups[g];
            lo = (lo << 16) | groups[g + 4];
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }

    /**
     * Parses colon-separated hex groups in {@code s[from, to)} into {@code dst}; a dotted quad may
     * end the run when {@code v4Tail} (it fills two groups).
     *
     * @return the number of groups written, or -1 if the text is malformed or too long
     */
    private static int parseGroups(String s, int from, int to, int[] dst, int at, boolean v4Tail) {
        int n = at;
        int i = from;
        while (true) {
            int end = s.indexOf(':', i);
            if (end < 0 || end > to) {
                end = to;
            }
            if (end == i) {
                return -1; // empty group: a stray single colon
            }
            if (end == to && v4Tail && s.lastIndexOf('.', to - 1) >= i) {
                long v4 = parseV4(s, i, to);
                if (v4 < 0 || n + 2 > dst.length) {
                    return -1;
                }
                dst[n++] = (int) (v4 >>> 16);
                dst[n++] = (int) (v4 & 0xFFFF);
                return n - at;
            }
            if (end - i > 4 || n == dst.length) {
                return -1;
            }
            int group = 0;
            for (int k = i; k < end; k++) {
                int digit = Character.digit(s.charAt(k), 16);
                if (digit < 0 || s.charAt(k) > 'f') {
                    return -1; // Character.digit also takes non-ASCII digits
                }
                group = (group << 4) | digit;
            }
            dst[n++] = group;
            if (end == to) {
                return n - at;
            }
            i = end + 1;
        }
    }

    static String formatV4(long v) {
        return ((v >>> 24) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
    }

    /** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
    static String formatV6(long hi, long lo) {
        int[] groups = new int[8];
        for (int g = 0; g < 4; g++) {
            groups[g] = (int) (hi >>> (48 - 16 * g)) & 0xFFFF;
            groups[g + 4] = (int) (lo >>> (48 - 16 * g)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < 8; ) {
            if (groups[g] != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && groups[g] == 0) {
                g++;
            }
            if (g - start > bestLength) {
                bestStart = start;
                bestLength = g - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                text.append("::");
                g += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[g]));
        }
        return text.toString();
    }
}
