package io.tern.server.signaling;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tern.server.auth.CredentialStore;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code iceServers} of {@code joined} and {@code resumed}: an RTCIceServer array with fresh
 * TURN REST credentials (username {@code <expiry>:<peer id>}, password {@code
 * base64(HMAC-SHA1(secret, username))}, the scheme {@link CredentialStore} accepts).
 *
 * <pre>
 * [{"urls": ["stun:H:3478"]},
 *  {"urls": ["turn:H:3478?transport=udp", "turn:H:3478?transport=tcp", "turns:H:5349?transport=tcp"],
 *   "username": "1764200000:p7", "credential": "..."}]
 * </pre>
 *
 * The URLs are the configured ones, or built from the host the client used to reach {@code
 * /signal} (or {@code /api/credentials}) and the ports Tern listens on.
 */
public final class IceServers {
    /** A DNS name or IPv4 literal, or an IPv6 literal in brackets: what may go into a URL. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

    /**
     * Tern's own STUN/TURN ports; -1 for a transport that is off.
     *
     * @param udp STUN and TURN over UDP
     * @param tcp TURN over TCP
     * @param tls TURN over TLS
     */
    public record Ports(int udp, int tcp, int tls) {}

    private IceServers() {}

    /**
     * The host part of a {@code Host} header ({@code example.org:9641}, {@code [::1]:9641}), or
     * null when it is missing or not something that may go into a URL.
     */
    public static String hostOf(String hostHeader) {
        if (hostHeader == null) {
            return null;
        }
        String h = hostHeader.trim();
        int colon = h.lastIndexOf(':');
        if (colon > 0 && h.indexOf(']') < colon && (h.startsWith("[") || h.indexOf(':') == colon)) {
            h = h.substring(0, colon);
        }
        return HOST.matcher(h).matches() ? h.toLowerCase(Locale.ROOT) : null;
    }

    /** The address the client reached, as a URL host: what to use without a usable Host header. */
    public static String hostOf(InetSocketAddress local) {
        String ip = local.getAddress().getHostAddress();
        if (local.getAddress() instanceof Inet6Address) {
            int zone = ip.indexOf('%');
            return "[" + (zone < 0 ? ip : ip.substring(0, zone)) + "]";
        }
        return ip;
    }

    /** {@code configured} ({@code signal-ice-url}) when there are any, else {@link #urls(String, Ports)}. */
    public static List<String> urls(List<String> configured, String host, Ports ports) {
        return configured.isEmpty() ? urls(host, ports) : configured;
    }

    /** The URLs for a client that reached Tern as {@code host}. */
    public static List<String> urls(String host, Ports ports) {
        List<String> urls = new ArrayList<>();
        if (ports.udp() > 0) {
            urls.add("stun:" + host + ":" + ports.udp());
            urls.add("turn:" + host + ":" + ports.udp() + "?transport=udp");
        }
        if (ports.tcp() > 0) {
            urls.add("turn:" + host + ":" + ports.tcp() + "?transport=tcp");
        }
        if (ports.tls() > 0) {
            urls.add("turns:" + host + ":" + ports.tls() + "?transport=tcp");
        }
        return urls;
    }

    /**
     * The array: STUN URLs in one entry without credentials, TURN URLs in one entry with a
     * credential for {@code peerId} valid until {@code expiry} (Unix seconds).
     */
    static ArrayNode build(Json json, List<String> urls, String secret, String peerId, long expiry) {
        ObjectNode stun = json.object();
        ArrayNode stunUrls = stun.putArray("urls");
        ObjectNode turn = json.object();
        ArrayNode turnUrls = turn.putArray("urls");
        for (String url : urls) {
            (url.toLowerCase(Locale.ROOT).startsWith("stun") ? stunUrls : turnUrls).add(url);
        }
        ArrayNode servers = json.object().arrayNode();
        if (!stunUrls.isEmpty()) {
            servers.add(stun);
        }
        if (!turnUrls.isEmpty()) {
            String username = expiry + ":" + peerId;
            turn.put("username", username);
            turn.put("credential", CredentialStore.restPassword(secret, username));
            servers.add(turn);
        }
        return servers;
    }
}
