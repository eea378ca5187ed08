package io.tern.load;

import io.tern.client.Credentials;
import io.tern.client.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The server under load: a loopback address, the transport, and the credentials (null when only
 * STUN is asked for).
 */
public record Target(InetSocketAddress server, TransportProtocol protocol, Credentials credentials) {

    /**
     * Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6; port 3478 when left out) and refuses any
     * address that is not loopback: this tool floods what it is pointed at, and here it may only
     * touch the machine it runs on.
     */
    public static InetSocketAddress loopbackServer(String spec) {
        String host = spec;
        int port = 3478;
        if (spec.startsWith("[")) {
            int close = spec.indexOf(']');
            if (close < 0) {
                throw new LoadException(
                        LoadException.USAGE, "--server " + spec + ": missing ']' after the IPv6 address");
            }
            host = spec.substring(1, close);
            if (spec.length() > close + 1) {
                if (spec.charAt(close + 1) != ':') {
                    throw new LoadException(LoadException.USAGE, "--server " + spec + ": expected [IPv6]:PORT");
                }
                port = port(spec, spec.substring(close + 2));
            }
        } else if (spec.indexOf(':') >= 0 && spec.indexOf(':') == spec.lastIndexOf(':')) {
            host = spec.substring(0, spec.indexOf(':'));
            port = port(spec, spec.substring(spec.indexOf(':') + 1));
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new LoadException(LoadException.USAGE, "--server " + spec + ": unknown host " + host);
        }
        if (!address.isLoopbackAddress()) {
            throw new LoadException(
                    LoadException.USAGE,
                    "refusing --server " + spec + " (" + address.getHostAddress() + "): tern-load only sends to"
                            + " loopback (127.0.0.0/8 or ::1), since it floods whatever it is pointed at. Run it on"
                            + " the server's own machine against 127.0.0.1.");
        }
        return new InetSocketAddress(address, port);
    }

    private static int port(String spec, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new LoadException(LoadException.USAGE, "--server " + spec + ": the port must be 1-65535");
    }

    /** e.g. "127.0.0.1:3478". */
    public String describe() {
        String ip = server.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + server.getPort();
    }

    /** The credentials, or a usage error for scenarios that need TURN. */
    public Credentials requireCredentials() {
        if (credentials == null) {
            throw new LoadException(
                    LoadException.USAGE,
                    "this scenario allocates: give --user U --password P (long-term) or --secret S (TURN REST)");
        }
        return credentials;
    }
}
