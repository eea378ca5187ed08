package io.tern.server.http;

import io.tern.server.config.ConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses the {@code http-listen} option: {@code IP:PORT}, with IPv6 in brackets ({@code [::1]:9641}). */
public final class HttpListen {
    public static final String OPTION = "http-listen";
    private static final String FIX =
            "give IP:PORT with an IP literal, e.g. 127.0.0.1:9641, 0.0.0.0:9641 or [::1]:9641";

    private HttpListen() {}

    public static InetSocketAddress parse(String value) {
        return parse(OPTION, value);
    }

    /** The same, for another option of the same form ({@code web-listen}). */
    public static InetSocketAddress parse(String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new ConfigException(option, value, fix(option));
        }
        String host = value.substring(0, colon);
        String portText = value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ConfigException(option, value, "put an IPv6 address in brackets, e.g. [::1]:9641");
        }
        // Only literals: a host name would make start-up depend on DNS.
        if (host.isEmpty() || !host.matches("[0-9a-fA-F:.%]+") || !portText.matches("[0-9]{1,5}")) {
            throw new ConfigException(option, value, fix(option));
        }
        int port = Integer.parseInt(portText);
        if (port > 65535) {
            throw new ConfigException(option, value, "use a port from 1 to 65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ConfigException(option, value, fix(option));
        }
    }

    private static String fix(String option) {
        return option.equals(OPTION) ? FIX + " (or --no-http)" : FIX;
    }

    /** {@code 127.0.0.1:9641} or {@code [::1]:9641}: the form {@link #parse} reads. */
    public static String format(InetSocketAddress address) {
        String ip = address.getAddress().getHostAddress();
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}
