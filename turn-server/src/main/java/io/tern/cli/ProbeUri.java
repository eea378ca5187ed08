package io.tern.cli;

import io.tern.client.TransportProtocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A {@code turn:}/{@code turns:} (RFC 7065) or {@code stun:}/{@code stuns:} (RFC 7064) URI as {@code
 * tern probe} takes it: {@code turn:HOST[:PORT][?transport=udp|tcp]}, {@code
 * turns:HOST[:PORT][?transport=tcp|udp]} (TLS over TCP, or DTLS over UDP as RFC 7350 has it),
 * {@code stun:HOST[:PORT]} or {@code stuns:HOST[:PORT]}, HOST an IPv4 address, an IPv6 address in
 * brackets, or a DNS name. The port defaults to 3478 (5349 with TLS or DTLS) and the transport to
 * UDP (TCP with TLS), as the RFCs say.
 *
 * @param turn true for {@code turn:}/{@code turns:}, false for {@code stun:}/{@code stuns:}
 * @param host the host as written, without brackets
 * @param literal the address when the host is an IP literal; null for a name, resolved later
 * @param tls whether the connection is secured ({@code turns:}, {@code stuns:}): TLS over TCP, DTLS
 *     over UDP
 */
record ProbeUri(boolean turn, String host, InetAddress literal, int port, TransportProtocol transport, boolean tls) {
    static final int DEFAULT_PORT = 3478;

    static final int DEFAULT_TLS_PORT = 5349;

    static final String FORMS = "use turn:HOST[:PORT][?transport=udp|tcp], turns:HOST[:PORT][?transport=tcp|udp]"
            + " or stun:HOST[:PORT],"
            + " HOST an IP address ([brackets] for IPv6) or a DNS name, e.g. turn:turn.example.org:3478?transport=udp";

    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    /** What {@code tern probe} cannot take; the message names the URI and the fix. */
    static final class InvalidUri extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidUri(String message) {
            super(message);
        }
    }

    static ProbeUri parse(String uri) throws InvalidUri {
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "turn", "stun", "turns", "stuns" -> {}
            default ->
                // Not shown: a word in the URI's place that is no URI may be a misplaced password.
                throw new InvalidUri("invalid URI (not shown: it does not start with turn: or stun:): " + FORMS);
        }
        if (uri.chars().anyMatch(c -> c <= ' ' || c >= 0x7F)) {
            throw new InvalidUri("invalid URI " + printable(uri) + ": spaces, control characters and non-ASCII"
                    + " characters have no place in it; " + FORMS);
        }
        boolean turn = scheme.startsWith("turn");
        boolean tls = scheme.endsWith("s");
        String rest = uri.substring(colon + 1);
        if (rest.startsWith("//")) {
            throw new InvalidUri("invalid URI " + uri + ": a " + scheme + ": URI has no // (write " + scheme + ":"
                    + rest.substring(2) + ")");
        }
        TransportProtocol transport = tls ? TransportProtocol.TCP : TransportProtocol.UDP;
        int query = rest.indexOf('?');
        if (query >= 0) {
            String q = rest.substring(query + 1);
            rest = rest.substring(0, query);
            if (!turn) {
                throw new InvalidUri(
                        "invalid URI " + uri + ": a " + scheme + ": URI takes no ?query (RFC 7064); probe it"
                                + " over UDP as stun:HOST:PORT, or use turn:...?transport=tcp");
            }
            transport = switch (q.toLowerCase(Locale.ROOT)) {
                case "transport=udp" -> TransportProtocol.UDP; // with turns: that is DTLS
                case "transport=tcp" -> TransportProtocol.TCP;
                default ->
                    throw new InvalidUri(
                            "invalid URI " + uri + ": the query may only be ?transport=udp or" + " ?transport=tcp");
            };
        }
        String host;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new InvalidUri("invalid URI " + uri + ": the IPv6 address has no closing ]");
            }
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new InvalidUri("invalid URI " + uri + ": expected :PORT after the ]");
                }
                portText = after.substring(1);
            }
        } else {
            int portColon = rest.indexOf(':');
            if (portColon >= 0 && rest.indexOf(':', portColon + 1) >= 0) {
                throw new InvalidUri("invalid URI " + uri + ": put an IPv6 address in brackets, e.g. " + scheme
                        + ":[2001:db8::1]:3478");
            }
            host = portColon < 0 ? rest : rest.substring(0, portColon);
            portText = portColon < 0 ? null : rest.substring(portColon + 1);
        }
        int port = tls ? DEFAULT_TLS_PORT : DEFAULT_PORT;
        if (portText != null) {
            port = PORT.matcher(portText).matches() ? Integer.parseInt(portText) : -1;
            if (port < 1 || port > 65535) {
                throw new InvalidUri("invalid URI " + uri + ": the port must be a number from 1 to 65535");
            }
        }
        InetAddress literal = literal(uri, host, rest.startsWith("["));
        return new ProbeUri(turn, host, literal, port, transport, tls);
    }

    /** The address of an IP literal, null for a valid DNS name; anything else is refused. */
    private static InetAddress literal(String uri, String host, boolean bracketed) throws InvalidUri {
        if (host.isEmpty()) {
            throw new InvalidUri("invalid URI " + uri + ": no host; " + FORMS);
        }
        if (bracketed) {
            if (host.indexOf(':') < 0 || !IPV6.matcher(host).matches()) {
                throw new InvalidUri("invalid URI " + uri + ": [" + host + "] is not an IPv6 address");
            }
            try {
                // A literal with colons is parsed, never looked up.
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new InvalidUri("invalid URI " + uri + ": [" + host + "] is not an IPv6 address");
            }
        }
        if (IPV4.matcher(host).matches()) {
            String[] parts = host.split("\\.", -1);
            if (parts.length != 4) {
                throw new InvalidUri("invalid URI " + uri + ": " + host + " is not an IPv4 address (a.b.c.d)");
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255) {
                    throw new InvalidUri("invalid URI " + uri + ": " + host + " is not an IPv4 address (a.b.c.d)");
                }
                bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are always an IPv4 address", e);
            }
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] labels = name.split("\\.", -1);
        boolean valid = !name.isEmpty() && name.length() <= 253;
        for (String label : labels) {
            valid &= LABEL.matcher(label).matches();
        }
        // A name's last label is never all digits (RFC 3696 §2), so 1.2.3.x cannot pass for a name.
        valid &= !labels[labels.length - 1].chars().allMatch(Character::isDigit);
        if (!valid) {
            throw new InvalidUri("invalid URI " + uri + ": " + host + " is neither an IP address nor a host name");
        }
        return null;
    }

    /** For the message only: what cannot be shown is shown as a code point. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (c > ' ' && c < 0x7F) {
                sb.appendCodePoint(c);
            } else {
                sb.append(String.format(Locale.ROOT, "\\u%04x", c));
            }
        });
        return sb.toString();
    }

    /**
     * The URI in its canonical form, e.g. {@code turn:127.0.0.1:3478?transport=udp} or {@code
     * turns:[::1]:5349?transport=udp} (DTLS).
     */
    String canonical() {
        String h = literal instanceof java.net.Inet6Address ? "[" + host + "]" : host;
        String scheme = (turn ? "turn" : "stun") + (tls ? "s" : "");
        return turn
                ? scheme + ":" + h + ":" + port + "?transport="
                        + transport.name().toLowerCase(Locale.ROOT)
                : scheme + ":" + h + ":" + port;
    }

    /** What the connection runs over, as reports name it: udp, tcp, tls or dtls. */
    String transportName() {
        if (tls) {
            return transport == TransportProtocol.UDP ? "dtls" : "tls";
        }
        return transport.name().toLowerCase(Locale.ROOT);
    }
}
