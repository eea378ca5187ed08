package io.tern.load;

import io.tern.client.Credentials;
import io.tern.client.TransportProtocol;
import io.tern.server.auth.CredentialStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Option;

/** The options every scenario shares: where, how, with which credentials, and the run's bounds. */
public final class TargetOptions {
    /** The longest run allowed, whatever --duration says. */
    public static final Duration MAX_DURATION = Duration.ofMinutes(10);

    /** How long REST credentials made from --secret are valid. */
    static final long REST_TTL_SECONDS = 3600;

    @Option(
            names = "--server",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:3478",
            description = "The STUN/TURN server; loopback only (127.0.0.0/8, [::1]). Default: ${DEFAULT-VALUE}.")
    String server;

    @Option(
            names = "--transport",
            paramLabel = "udp|tcp",
            defaultValue = "udp",
            description = "Transport to the server. Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(
            names = {"-u", "--user"},
            paramLabel = "NAME",
            description = "Long-term user (with --password); with --secret the user part of the REST username"
                    + " <expiry>:NAME (default: load).")
    String user;

    @Option(
            names = {"-w", "--password"},
            paramLabel = "PASSWORD",
            description = "Long-term password for --user.")
    String password;

    @Option(
            names = "--secret",
            paramLabel = "SECRET",
            description = "TURN REST shared secret (coturn's static-auth-secret): username <now+1h>:USER, password"
                    + " base64(HMAC-SHA1(SECRET, username)).")
    String secret;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "2",
            description = "Client event loop threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = {"-d", "--duration"},
            paramLabel = "TIME",
            defaultValue = "10s",
            converter = Durations.class,
            description = "Hard cap on the whole run (e.g. 500ms, 10s, 2m; at most 10m). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--warmup",
            paramLabel = "TIME",
            defaultValue = "0s",
            converter = Durations.class,
            description = "Run the first step's load this long before measuring, so the JIT of both sides has"
                    + " compiled the hot paths (binding, allocate, relay; at most 1m, not part of --duration)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(
            names = "--timeout",
            paramLabel = "TIME",
            defaultValue = "3s",
            converter = Durations.class,
            description = "How long a request may wait for its answer. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(
            names = "--source-ips",
            paramLabel = "N",
            defaultValue = "250",
            description = "Spread the clients over N loopback source addresses (127.0.0.1, 127.0.0.2...), as"
                    + " real clients come from many; servers limit unauthenticated answers per source IP (Tern:"
                    + " about 10/s per event loop over UDP), which would otherwise cap allocation churn. IPv4 only;"
                    + " 1 sends from 127.0.0.1 alone. Default: ${DEFAULT-VALUE}.")
    int sourceIps;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout instead of the table.")
    boolean json;

    @Option(
            names = "--svg",
            paramLabel = "FILE",
            description = "Write a chart of throughput and latency vs offered load.")
    Path svg;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress line each second.")
    boolean quiet;

    public Duration duration() {
        if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new LoadException(LoadException.USAGE, "--duration must be between 1ms and 10m: " + duration);
        }
        return duration;
    }

    public Duration warmup() {
        if (warmup.isNegative() || warmup.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new LoadException(LoadException.USAGE, "--warmup must be between 0 and 1m: " + warmup);
        }
        return warmup;
    }

    public Duration timeout() {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new LoadException(LoadException.USAGE, "--timeout must be between 1ms and 1m: " + timeout);
        }
        return timeout;
    }

    public int threads() {
        if (threads < 1 || threads > 64) {
            throw new LoadException(LoadException.USAGE, "--threads must be 1-64: " + threads);
        }
        return threads;
    }

    public int sourceIps() {
        if (sourceIps < 1 || sourceIps > 65_000) {
            throw new LoadException(LoadException.USAGE, "--source-ips must be 1-65000: " + sourceIps);
        }
        return sourceIps;
    }

    public boolean json() {
        return json;
    }

    public Path svg() {
        return svg;
    }

    public boolean quiet() {
        return quiet;
    }

    /** Checks the options and resolves the server (refusing anything but loopback). */
    public Target target() {
        TransportProtocol protocol = switch (transport.toLowerCase(java.util.Locale.ROOT)) {
            case "udp" -> TransportProtocol.UDP;
            case "tcp" -> TransportProtocol.TCP;
            default -> throw new LoadException(LoadException.USAGE, "--transport must be udp or tcp: " + transport);
        };
        return new Target(Target.loopbackServer(server), protocol, credentials());
    }

    private Credentials credentials() {
        if (secret != null && password != null) {
            throw new LoadException(LoadException.USAGE, "give --password or --secret, not both");
        }
        if (secret != null) {
            String username =
                    (Instant.now().getEpochSecond() + REST_TTL_SECONDS) + ":" + (user == null ? "load" : user);
            return new Credentials(username, CredentialStore.restPassword(secret, username));
        }
        if (user != null || password != null) {
            if (user == null || password == null) {
                throw new LoadException(LoadException.USAGE, "long-term credentials need both --user and --password");
            }
            return new Credentials(user, password);
        }
        return null;
    }
}
