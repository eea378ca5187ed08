package io.tern.server.policy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Test inputs built from IP literals, never from names: nothing here resolves or sends anything.
 *
 * <p>{@code mapped16:a.b.c.d} is ::ffff:a.b.c.d as a 16-byte {@link Inet6Address}, which {@link
 * InetAddress#getByName} would turn into an {@code Inet4Address}; {@code teredo:a.b.c.d} is a
 * Teredo address whose client is a.b.c.d.
 */
final class Addresses {
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private Addresses() {}

    static InetAddress ip(String text) {
        String t = text.strip();
        try {
            if (t.startsWith("mapped16:")) {
                byte[] v4 = literal(t.substring("mapped16:".length())).getAddress();
                byte[] b = new byte[16];
                b[10] = (byte) 0xFF;
                b[11] = (byte) 0xFF;
                System.arraycopy(v4, 0, b, 12, 4);
                return Inet6Address.getByAddress(null, b, (NetworkInterface) null);
            }
            if (t.startsWith("teredo:")) {
                byte[] client = literal(t.substring("teredo:".length())).getAddress();
                // 2001:0:4136:e378 (server 65.54.227.120), flags 8000, port 63bf obfuscated, client inverted
                byte[] b = literal("2001:0:4136:e378:8000:63bf::").getAddress();
                for (int k = 0; k < 4; k++) {
                    b[12 + k] = (byte) ~client[k];
                }
                return Inet6Address.getByAddress(null, b, (NetworkInterface) null);
            }
            return literal(t);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static InetAddress literal(String t) throws UnknownHostException {
        if (!LITERAL.matcher(t).matches()) {
            throw new IllegalArgumentException("not an IP literal (no name lookups in these tests): " + t);
        }
        return InetAddress.getByName(t); // a literal: parsed, never looked up
    }

    static InetSocketAddress peer(String text, int port) {
        return new InetSocketAddress(ip(text), port);
    }

    /** Ranges separated by ';' (none for a blank string). */
    static List<IpRange> ranges(String option, String texts) {
        if (texts == null || texts.isBlank()) {
            return List.of();
        }
        return Arrays.stream(texts.split(";"))
                .map(t -> IpRange.parse(option, t))
                .toList();
    }
}
