package io.tern.server.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signaling relay ({@code /signal}) and the demo page ({@code /}); see docs/signaling.md.
 *
 * @param enabled false with {@code --no-signaling}: neither listener serves {@code /signal} or
 *     the demo
 * @param webListen a second, public HTTP listener serving only {@code /signal} and the demo (never
 *     metrics or health); null for none; port 0 picks a free port (tests)
 * @param maxRoomSize participants per room ({@code room-full} beyond)
 * @param maxRooms rooms at once ({@code too-many-rooms} beyond)
 * @param maxMessageBytes largest WebSocket message; a bigger one closes the connection with 1009
 * @param rate messages per second per connection; bursts of twice that ({@code rate-limited})
 * @param resumeGrace how long a participant whose socket was lost may come back; zero turns
 *     resuming off (the others get {@code peer-left} with reason {@code closed} at once)
 * @param idleTimeout a connection that sends nothing (not even a pong) this long is closed; the
 *     server pings after a third of it
 * @param tokenSecret the HMAC-SHA256 secret of signed join tokens; null leaves rooms open
 * @param iceUrls STUN/TURN URLs handed out in {@code iceServers}; empty builds them from the
 *     client's {@code Host} header and Tern's own ports
 * @param credentialTtl how long the TURN REST credentials in {@code iceServers} are valid
 * @param maxConnections signaling WebSockets open at once, on all listeners together; an upgrade
 *     beyond it gets 503
 * @param maxConnectionsPerIp signaling WebSockets open at once from one source address; an
 *     upgrade beyond it gets 429
 * @param allowedOrigins when not empty, an upgrade whose {@code Origin} header is absent or not
 *     one of these ({@code scheme://host[:port]}, lower case, default port left out) gets 403
 */
public record SignalingConfig(
        boolean enabled,
        InetSocketAddress webListen,
        int maxRoomSize,
        int maxRooms,
        int maxMessageBytes,
        int rate,
        Duration resumeGrace,
        Duration idleTimeout,
        String tokenSecret,
        List<String> iceUrls,
        Duration credentialTtl,
        int maxConnections,
        int maxConnectionsPerIp,
        List<String> allowedOrigins) {

    /** The shortest idle timeout: anything shorter would ping a healthy client to death. */
    public static final Duration MIN_IDLE_TIMEOUT = Duration.ofMillis(100);

    /** A message must at least hold a small JSON object; browsers' SDP needs several kB. */
    public static final int MIN_MESSAGE_BYTES = 256;

    /** 16 MiB: beyond that one message could hold the server's memory hostage. */
    public static final int MAX_MESSAGE_BYTES = 16 << 20;

    /** The most either connection cap may be: far beyond what one process's file descriptors allow. */
    public static final int MAX_CONNECTIONS = 10_000_000;

    /** What a browser sends as {@code Origin}: scheme, host (or IP literal) and optional port. */
    private static final Pattern ORIGIN =
            Pattern.compile("(https?)://(\\[[0-9a-f:.]+\\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:([0-9]{1,5}))?");

    public SignalingConfig {
        Objects.requireNonNull(resumeGrace, "resumeGrace");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(credentialTtl, "credentialTtl");
        iceUrls = List.copyOf(iceUrls);
        allowedOrigins =
                allowedOrigins.stream().map(SignalingConfig::origin).distinct().toList();
        if (webListen != null && webListen.isUnresolved()) {
            throw new ConfigException(
                    "web-listen", webListen.getHostString(), "give an IP address literal such as 0.0.0.0");
        }
        if (maxRoomSize < 2 || maxRoomSize > 1000) {
            throw new ConfigException(
                    "signal-max-room-size", String.valueOf(maxRoomSize), "use 2 to 1000 participants (default 8)");
        }
        if (maxRooms < 1) {
            throw new ConfigException(
                    "signal-max-rooms", String.valueOf(maxRooms), "use a positive number of rooms (default 1000)");
        }
        if (maxMessageBytes < MIN_MESSAGE_BYTES || maxMessageBytes > MAX_MESSAGE_BYTES) {
            throw new ConfigException(
                    "signal-max-message-bytes",
                    String.valueOf(maxMessageBytes),
                    "use " + MIN_MESSAGE_BYTES + " to " + MAX_MESSAGE_BYTES + " bytes (default 65536)");
        }
        if (rate < 1 || rate > 100_000) {
            throw new ConfigException(
                    "signal-rate", String.valueOf(rate), "use 1 to 100000 messages per second (default 50)");
        }
        if (resumeGrace.isNegative() || resumeGrace.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException(
                    "signal-resume-grace", format(resumeGrace), "use 0 (no resuming) up to 1h (default 30s)");
        }
        if (idleTimeout.compareTo(MIN_IDLE_TIMEOUT) < 0 || idleTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException("signal-idle-timeout", format(idleTimeout), "use 1s up to 1d (default 60s)");
        }
        if (tokenSecret != null && tokenSecret.isEmpty()) {
            throw new ConfigException(
                    "signal-token-secret",
                    "(empty)",
                    "give a non-empty secret, or leave the option out for open rooms");
        }
        for (String url : iceUrls) {
            String lower = url.toLowerCase(Locale.ROOT);
            boolean known = lower.startsWith("stun:")
                    || lower.startsWith("stuns:")
                    || lower.startsWith("turn:")
                    || lower.startsWith("turns:");
            if (!known || url.indexOf(':') == url.length() - 1 || url.chars().anyMatch(c -> c <= ' ' || c == '"')) {
                throw new ConfigException(
                        "signal-ice-url",
                        url,
                        "use stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT]?transport=tcp");
            }
        }
        if (credentialTtl.getSeconds() < 60 || credentialTtl.compareTo(Duration.ofDays(30)) > 0) {
            throw new ConfigException(
                    "signal-credential-ttl", format(credentialTtl), "use 60s up to 30d (default 24h)");
        }
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
            throw new ConfigException(
                    "signal-max-connections",
                    String.valueOf(maxConnections),
                    "use 1 to " + MAX_CONNECTIONS + " connections (default 10000)");
        }
        if (maxConnectionsPerIp < 1 || maxConnectionsPerIp > MAX_CONNECTIONS) {
            throw new ConfigException(
                    "signal-max-connections-per-ip",
                    String.valueOf(maxConnectionsPerIp),
                    "use 1 to " + MAX_CONNECTIONS + " connections (default 50)");
        }
    }

    /**
     * An allowed origin as browsers send it: lower case, no path, no trailing slash, and no port
     * when it is the scheme's default (a browser never sends {@code https://x:443}).
     */
    private static String origin(String value) {
        String lower = value.strip().toLowerCase(Locale.ROOT);
        Matcher m = ORIGIN.matcher(lower);
        if (!m.matches() || (m.group(5) != null && Integer.parseInt(m.group(5)) > 65535)) {
            throw new ConfigException(
                    "signal-allowed-origin",
                    value,
                    "give an origin as a browser sends it: https://HOST or http://HOST:PORT (no path, no slash)");
        }
        String port = m.group(5);
        boolean defaultPort = port != null
                && ((m.group(1).equals("https") && port.equals("443"))
                        || (m.group(1).equals("http") && port.equals("80")));
        return defaultPort ? m.group(1) + "://" + m.group(2) : lower;
    }

    /** Whether an upgrade with this {@code Origin} header (null when absent) may proceed. */
    public boolean originAllowed(String origin) {
        return allowedOrigins.isEmpty()
                || (origin != null && allowedOrigins.contains(origin.strip().toLowerCase(Locale.ROOT)));
    }

    /** Signaling on the operator listener only, with the documented defaults. */
    public static SignalingConfig defaults() {
        return new SignalingConfig(
                true,
                null,
                8,
                1000,
                65536,
                50,
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                null,
                List.of(),
                Duration.ofHours(24),
                10_000,
                50,
                List.of());
    }

    /** No {@code /signal} and no demo page anywhere. */
    public SignalingConfig withEnabled(boolean value) {
        return edit(b -> b.enabled = value);
    }

    public SignalingConfig withWebListen(InetSocketAddress value) {
        return edit(b -> b.webListen = value);
    }

    public SignalingConfig withLimits(int roomSize, int rooms, int messageBytes, int perSecond) {
        return edit(b -> {
            b.maxRoomSize = roomSize;
            b.maxRooms = rooms;
            b.maxMessageBytes = messageBytes;
            b.rate = perSecond;
        });
    }

    public SignalingConfig withTimeouts(Duration grace, Duration idle) {
        return edit(b -> {
            b.resumeGrace = grace;
            b.idleTimeout = idle;
        });
    }

    public SignalingConfig withTokenSecret(String value) {
        return edit(b -> b.tokenSecret = value);
    }

    public SignalingConfig withIce(List<String> urls, Duration ttl) {
        return edit(b -> {
            b.iceUrls = urls;
            b.credentialTtl = ttl;
        });
    }

    public SignalingConfig withConnectionLimits(int total, int perIp) {
        return edit(b -> {
            b.maxConnections = total;
            b.maxConnectionsPerIp = perIp;
        });
    }

    public SignalingConfig withAllowedOrigins(List<String> origins) {
        return edit(b -> b.allowedOrigins = origins);
    }

    /** Never shows the token secret. */
    @Override
    public String toString() {
        return "SignalingConfig[enabled=" + enabled + ", webListen=" + webListen + ", maxRoomSize=" + maxRoomSize
                + ", maxRooms=" + maxRooms + ", maxMessageBytes=" + maxMessageBytes + ", rate=" + rate
                + ", resumeGrace=" + resumeGrace + ", idleTimeout=" + idleTimeout + ", tokenSecret="
                + (tokenSecret == null ? "none" : "(hidden)") + ", iceUrls=" + iceUrls + ", credentialTtl="
                + credentialTtl + ", maxConnections=" + maxConnections + ", maxConnectionsPerIp=" + maxConnectionsPerIp
                + ", allowedOrigins=" + allowedOrigins + "]";
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.getSeconds() + "s" : d.toMillis() + "ms";
    }

    private SignalingConfig edit(java.util.function.Consumer<Copy> change) {
        Copy b = new Copy(this);
        change.accept(b);
        return new SignalingConfig(
                b.enabled,
                b.webListen,
                b.maxRoomSize,
                b.maxRooms,
                b.maxMessageBytes,
                b.rate,
                b.resumeGrace,
                b.idleTimeout,
                b.tokenSecret,
                b.iceUrls,
                b.credentialTtl,
                b.maxConnections,
                b.maxConnectionsPerIp,
                b.allowedOrigins);
    }

    /** The mutable copy {@link #edit} changes: one place that lists every component. */
    private static final class Copy {
        boolean enabled;
        InetSocketAddress webListen;
        int maxRoomSize;
        int maxRooms;
        int maxMessageBytes;
        int rate;
        Duration resumeGrace;
        Duration idleTimeout;
        String tokenSecret;
        List<String> iceUrls;
        Duration credentialTtl;
        int maxConnections;
        int maxConnectionsPerIp;
        List<String> allowedOrigins;

        Copy(SignalingConfig c) {
            enabled = c.enabled;
            webListen = c.webListen;
            maxRoomSize = c.maxRoomSize;
            maxRooms = c.maxRooms;
            maxMessageBytes = c.maxMessageBytes;
            rate = c.rate;
            resumeGrace = c.resumeGrace;
            idleTimeout = c.idleTimeout;
            tokenSecret = c.tokenSecret;
            iceUrls = c.iceUrls;
            credentialTtl = c.credentialTtl;
            maxConnections = c.maxConnections;
            maxConnectionsPerIp = c.maxConnectionsPerIp;
            allowedOrigins = c.allowedOrigins;
        }
    }
}
