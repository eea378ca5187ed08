package io.tern.cli;

import io.tern.server.TernServer;
import io.tern.server.config.ApiConfig;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.ServerConfig.IoTransport;
import io.tern.server.config.SignalingConfig;
import io.tern.server.config.TlsConfig;
import io.tern.server.config.TurnConfig;
import io.tern.server.http.HttpListen;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern serve}: runs the server until SIGTERM or SIGINT. Option names are coturn's where the
 * meaning is the same, so an operator's muscle memory carries over.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run the STUN/TURN server in the foreground until SIGTERM or Ctrl-C.",
            "With no options it answers STUN Binding requests on UDP and TCP port 3478 on every interface."
        })
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = {
                "Configuration file in coturn's syntax (key=value lines; see config/tern.conf).",
                "Precedence: flag, then environment variable TERN_<OPTION> (e.g. TERN_MIN_PORT), then this file,",
                "then the default. TERN_CONFIG names the file too."
            })
    Path configFile;

    @Option(
            names = {"-L", "--listening-ip"},
            paramLabel = "IP",
            description = "Address to listen on; repeat for several. Default: every interface (:: and 0.0.0.0).")
    List<String> listeningIps = new ArrayList<>();

    @Option(
            names = {"-p", "--listening-port"},
            paramLabel = "PORT",
            description = "UDP and TCP port for STUN/TURN. Default: ${DEFAULT-VALUE}.")
    int listeningPort = ServerConfig.DEFAULT_PORT;

    @Option(names = "--no-udp", description = "Do not listen on UDP.")
    boolean noUdp;

    @Option(names = "--no-tcp", description = "Do not listen on TCP.")
    boolean noTcp;

    @Option(
            names = "--tls-listening-port",
            paramLabel = "PORT",
            description = {
                "TCP port for STUN/TURN over TLS and UDP port for DTLS (when a certificate is given).",
                "Default: ${DEFAULT-VALUE}."
            })
    int tlsListeningPort = TlsConfig.DEFAULT_PORT;

    @Option(
            names = "--cert",
            paramLabel = "FILE",
            description = {
                "TLS certificate chain, PEM, leaf first. With --pkey it turns TLS on; without both, Tern runs",
                "without TLS."
            })
    Path cert;

    @Option(
            names = "--pkey",
            paramLabel = "FILE",
            description = "Private key of --cert, PEM (PKCS#8, RSA or EC), unencrypted.")
    Path pkey;

    @Option(
            names = "--cert-check-seconds",
            paramLabel = "SECONDS",
            description = {
                "Check --cert and --pkey for a change this often and load a renewed certificate without a",
                "restart (reload does it too). 0: only on reload. Default: ${DEFAULT-VALUE}."
            })
    int certCheckSeconds = TlsConfig.DEFAULT_CERT_CHECK_SECONDS;

    @Option(
            names = "--tls-web",
            description = {
                "Serve /signal and the demo page on the TLS port too (told apart from TURN by ALPN or the",
                "first bytes): one port, e.g. --tls-listening-port 443, for TURN over TLS and the web."
            })
    boolean tlsWeb;

    @Option(names = "--no-tls", description = "Do not listen for TLS, even with a certificate.")
    boolean noTls;

    @Option(
            names = "--no-dtls",
            description = {
                "Do not serve STUN/TURN over DTLS 1.2 on UDP. Otherwise DTLS listens on UDP at the TLS port",
                "with the TLS certificate whenever TLS runs."
            })
    boolean noDtls;

    @Option(
            names = "--dev-self-signed",
            description = {
                "Serve TLS with a self-signed certificate for localhost generated at start-up.",
                "For development only: clients cannot verify it."
            })
    boolean devSelfSigned;

    @Option(
            names = "--rfc5780",
            description = {
                "RFC 5780 NAT behaviour discovery over UDP (OTHER-ADDRESS, RESPONSE-ORIGIN, CHANGE-REQUEST,",
                "RESPONSE-PORT, PADDING). Needs two --listening-ip of one family; binds --alt-listening-port too.",
                "Off by default: it makes Binding answers larger (amplification)."
            })
    boolean rfc5780;

    @Option(
            names = "--alt-listening-port",
            paramLabel = "PORT",
            description = "RFC 5780's alternate UDP port on each listening IP. Default: 0, listening-port + 1.")
    int altListeningPort;

    @Option(names = "--threads", paramLabel = "N", description = "Event loop threads. Default: 0, one per CPU.")
    int threads;

    @Option(
            names = "--io-transport",
            paramLabel = "KIND",
            description = "AUTO, NATIVE, EPOLL or NIO. NATIVE: UDP sockets on Tern's own recvmmsg/sendmmsg path"
                    + " (Java 22+ on Linux); EPOLL: Netty's epoll for every socket. Default: ${DEFAULT-VALUE}"
                    + " (NATIVE where it runs, else EPOLL where available, else NIO).")
    IoTransport ioTransport = IoTransport.AUTO;

    @Option(
            names = "--software",
            paramLabel = "TEXT",
            description = "SOFTWARE attribute sent in responses. Default: ${DEFAULT-VALUE}.")
    String software = ServerConfig.defaults().software();

    @Option(
            names = "--no-software-attribute",
            description = "Send no SOFTWARE attribute (hides the server's identity).")
    boolean noSoftware;

    @Option(
            names = "--tcp-idle-timeout",
            paramLabel = "SECONDS",
            description = "Close a TCP connection idle this long. Default: ${DEFAULT-VALUE}.")
    int tcpIdleSeconds = ServerConfig.defaults().tcpIdleSeconds();

    @Option(
            names = {"-r", "--realm"},
            paramLabel = "REALM",
            description = "Realm of the long-term credentials, e.g. your domain. Default: ${DEFAULT-VALUE}.")
    String realm = TurnConfig.defaults().realm();

    @Option(
            names = {"-u", "--user"},
            paramLabel = "NAME:PASSWORD",
            description = {
                "A TURN user; repeat for several. NAME:0xKEY gives the 32-hex-digit MD5 key",
                "(from tern hash-password) instead of the password."
            })
    List<String> users = new ArrayList<>();

    @Option(
            names = "--use-auth-secret",
            description = "Accept TURN REST time-limited credentials (needs --static-auth-secret).")
    boolean useAuthSecret;

    @Option(
            names = "--static-auth-secret",
            paramLabel = "SECRET",
            description = "Shared secret for TURN REST credentials; repeat to accept old and new during rotation.")
    List<String> staticAuthSecrets = new ArrayList<>();

    @Option(
            names = "--relay-ip",
            paramLabel = "IP",
            description =
                    "Address relay sockets bind to; repeat for IPv4 and IPv6. Default: the listening IP, else the host's first address.")
    List<String> relayIps = new ArrayList<>();

    @Option(
            names = {"-X", "--external-ip"},
            paramLabel = "PUBLIC[/PRIVATE]",
            description = "Relay address to advertise behind 1:1 NAT (coturn syntax); repeatable.")
    List<String> externalIps = new ArrayList<>();

    @Option(names = "--min-port", paramLabel = "PORT", description = "Lowest relay port. Default: ${DEFAULT-VALUE}.")
    int minPort = TurnConfig.defaults().minPort();

    @Option(names = "--max-port", paramLabel = "PORT", description = "Highest relay port. Default: ${DEFAULT-VALUE}.")
    int maxPort = TurnConfig.defaults().maxPort();

    @Option(
            names = "--default-allocate-lifetime",
            paramLabel = "SECONDS",
            description = "Allocation lifetime when the client asks for none or less. Default: ${DEFAULT-VALUE}.")
    int defaultLifetime = TurnConfig.defaults().defaultLifetimeSeconds();

    @Option(
            names = "--max-allocate-lifetime",
            paramLabel = "SECONDS",
            description = "Longest allocation lifetime granted. Default: ${DEFAULT-VALUE}.")
    int maxLifetime = TurnConfig.defaults().maxLifetimeSeconds();

    @Option(
            names = "--allow-loopback-peers",
            description = "Let clients relay to 127.0.0.0/8 and ::1. For tests only: it exposes local services.")
    boolean allowLoopbackPeers;

    @Option(
            names = "--allowed-peer-ip",
            paramLabel = "RANGE",
            description =
                    "Peer IP, range (A-B) or CIDR to allow although the default policy denies it; repeatable. Wins over --denied-peer-ip.")
    List<String> allowedPeerIps = new ArrayList<>();

    @Option(
            names = "--denied-peer-ip",
            paramLabel = "RANGE",
            description = "Peer IP, range (A-B) or CIDR to deny; repeatable.")
    List<String> deniedPeerIps = new ArrayList<>();

    @Option(
            names = "--user-quota",
            paramLabel = "N",
            description = "Allocations one user may hold at once (486 beyond). Default: 0, no limit.")
    int userQuota;

    @Option(
            names = "--total-quota",
            paramLabel = "N",
            description = "Allocations the server holds at once (508 beyond). Default: 0, no limit.")
    int totalQuota;

    @Option(
            names = "--max-bps",
            paramLabel = "BYTES",
            description = "Bytes per second per allocation and direction; excess is dropped. Default: 0, no limit.")
    long maxBps;

    @Option(
            names = "--no-tcp-relay",
            description = "Refuse TCP relays (RFC 6062: REQUESTED-TRANSPORT TCP gets 442); UDP relays only.")
    boolean noTcpRelay;

    @Option(
            names = "--http-listen",
            paramLabel = "IP:PORT",
            description = {
                "Operator HTTP (/metrics, /healthz, /readyz, and /signal and the demo page / unless",
                "--no-signaling) address; [::1]:PORT for IPv6. Default: 127.0.0.1:9641."
            })
    String httpListen;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = {
                "Turn on POST /api/credentials on the operator listener for application servers presenting",
                "Authorization: Bearer KEY; repeatable (rotation); at least 16 characters. Changes on reload."
            })
    List<String> apiKeys = new ArrayList<>();

    @Option(names = "--no-http", description = "Do not start the operator HTTP server.")
    boolean noHttp;

    @Option(
            names = "--web-listen",
            paramLabel = "IP:PORT",
            description = {
                "A second, public HTTP listener that serves only the signaling WebSocket /signal and the demo",
                "page /, never metrics or health. Default: none (both are on --http-listen)."
            })
    String webListen;

    @Option(names = "--no-signaling", description = "Serve neither /signal nor the demo page, on any listener.")
    boolean noSignaling;

    @Option(
            names = "--signal-max-room-size",
            paramLabel = "N",
            description = "Participants per signaling room (room-full beyond). Default: ${DEFAULT-VALUE}.")
    int signalMaxRoomSize = SignalingConfig.defaults().maxRoomSize();

    @Option(
            names = "--signal-max-rooms",
            paramLabel = "N",
            description = "Signaling rooms at once (too-many-rooms beyond). Default: ${DEFAULT-VALUE}.")
    int signalMaxRooms = SignalingConfig.defaults().maxRooms();

    @Option(
            names = "--signal-max-message-bytes",
            paramLabel = "BYTES",
            description =
                    "Largest signaling message; a bigger one closes the socket (1009). Default: ${DEFAULT-VALUE}.")
    int signalMaxMessageBytes = SignalingConfig.defaults().maxMessageBytes();

    @Option(
            names = "--signal-rate",
            paramLabel = "N",
            description =
                    "Signaling messages per second per connection, bursts of twice that. Default: ${DEFAULT-VALUE}.")
    int signalRate = SignalingConfig.defaults().rate();

    @Option(
            names = "--signal-resume-grace",
            paramLabel = "DURATION",
            description = {
                "How long a participant whose socket was lost may resume (30s, 2m; 0 turns resuming off).",
                "Default: ${DEFAULT-VALUE}."
            })
    String signalResumeGrace = "30s";

    @Option(
            names = "--signal-idle-timeout",
            paramLabel = "DURATION",
            description =
                    "Close a signaling socket silent this long (pinged after a third). Default: ${DEFAULT-VALUE}.")
    String signalIdleTimeout = "60s";

    @Option(
            names = "--signal-token-secret",
            paramLabel = "SECRET",
            description = {
                "Require signed join tokens (HMAC-SHA256 with this secret; see tern join-token).",
                "Default: none, rooms are open to anyone who reaches /signal."
            })
    String signalTokenSecret;

    @Option(
            names = "--signal-ice-url",
            paramLabel = "URL",
            description = {
                "A STUN/TURN URL handed to signaling clients, e.g. turn:turn.example.org:3478?transport=udp;",
                "repeatable. Default: built from the Host the client used and Tern's own ports."
            })
    List<String> signalIceUrls = new ArrayList<>();

    @Option(
            names = "--signal-credential-ttl",
            paramLabel = "DURATION",
            description = "How long the TURN credentials handed to signaling clients last. Default: ${DEFAULT-VALUE}.")
    String signalCredentialTtl = "24h";

    @Option(
            names = "--signal-max-connections",
            paramLabel = "N",
            description =
                    "Signaling WebSockets open at once, all listeners together (HTTP 503 beyond). Default: ${DEFAULT-VALUE}.")
    int signalMaxConnections = SignalingConfig.defaults().maxConnections();

    @Option(
            names = "--signal-max-connections-per-ip",
            paramLabel = "N",
            description = {
                "Signaling WebSockets open at once from one source address, or one IPv6 /64 (HTTP 429",
                "beyond); behind a reverse proxy every connection comes from the proxy. Default:",
                "${DEFAULT-VALUE}."
            })
    int signalMaxConnectionsPerIp = SignalingConfig.defaults().maxConnectionsPerIp();

    @Option(
            names = "--signal-allowed-origin",
            paramLabel = "ORIGIN",
            description = {
                "Accept signaling WebSockets only from pages of this origin, e.g. https://meet.example.org;",
                "repeatable; others (and clients sending no Origin) get HTTP 403. Default: any origin."
            })
    List<String> signalAllowedOrigins = new ArrayList<>();

    @Option(
            names = "--alternate-server",
            paramLabel = "IP:PORT",
            description =
                    "Where to send new allocations while draining (300 with ALTERNATE-SERVER); repeatable, used in turn.")
    List<String> alternateServers = new ArrayList<>();

    @Option(
            names = "--drain-seconds",
            paramLabel = "SECONDS",
            description = {
                "On SIGTERM, drain first: refuse new allocations (to --alternate-server) and wait up to this long",
                "for existing ones to end before stopping. SIGUSR1 starts draining without stopping. Default: 0."
            })
    int drainSeconds;

    @Option(
            names = "--pidfile",
            paramLabel = "FILE",
            description = "Write the server's process id here (for tern reload and tern drain); removed on exit.")
    Path pidfile;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            description = "error, warn, info, debug or trace; changes on reload. Default: info.")
    String logLevel;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            description = "text, or json for one JSON object per line (log pipelines). Default: ${DEFAULT-VALUE}.")
    String logFormat = "text";

    @Override
    public Integer call() throws InterruptedException {
        // The options as resolved from flags, TERN_* variables and the file: read settings from
        // here, not from this object, which holds the flags alone.
        ServeCommand effective;
        ServerConfig config;
        try {
            effective = OptionSources.resolve(this, spec, configFile, System.getenv());
            config = effective.toConfig();
            LogSettings.apply(LogSettings.level(effective.logLevel), LogSettings.format(effective.logFormat));
        } catch (ConfigException e) {
            System.err.println("tern: " + e.getMessage());
            return 2;
        }
        // The handlers go in before the server starts: a HUP or USR1 that finds no handler kills
        // the JVM, and the listeners answer (so a client or a script may act) before start()
        // returns. One that comes before the server is published is held and carried out then.
        StartupSignals signals = new StartupSignals();
        // HUP re-reads the same sources (flags, TERN_* variables, the file) and applies what can
        // change without a restart; a configuration that does not check out is refused and logged.
        List<String> args = OptionSources.commandLineArgs(spec.commandLine().getParseResult());
        Consumer<TernServer> reload = s -> {
            try {
                ServeCommand next = reparse(args, System.getenv());
                ServerConfig nextConfig = next.toConfig();
                LogSettings.apply(LogSettings.level(next.logLevel), LogSettings.format(next.logFormat));
                s.reload(nextConfig);
            } catch (ConfigException e) {
                log.error("reload refused, the running configuration stays: {}", e.getMessage());
            }
        };
        Signals.onReload(() -> signals.reload(reload));
        Signals.onDrain(signals::drain);
        CountDownLatch stop = new CountDownLatch(1);
        // TERM and INT end the server cleanly with exit code 0 (what systemd and Docker expect).
        Signals.onStop(stop::countDown);
        TernServer server;
        try {
            server = TernServer.start(config);
        } catch (ConfigException e) {
            System.err.println("tern: " + e.getMessage());
            return 2;
        }
        if (signals.holding()) {
            log.info("carrying out the reload or drain asked for during start-up");
        }
        signals.publish(server, reload);
        // Written once the server runs, so that tern reload and tern drain find a working server.
        PidFile pid;
        try {
            pid = effective.pidfile == null ? null : PidFile.write(effective.pidfile);
        } catch (ConfigException e) {
            server.close();
            System.err.println("tern: " + e.getMessage());
            return 2;
        }
        stop.await();
        if (effective.drainSeconds > 0) {
            server.drain();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(effective.drainSeconds);
            while (server.metrics().allocationsActive() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        log.info("shutting down");
        server.close();
        if (pid != null) {
            pid.close();
        }
        log.info("stopped");
        return 0;
    }

    private List<InetSocketAddress> alternates() {
        if (drainSeconds < 0) {
            throw new ConfigException("drain-seconds", String.valueOf(drainSeconds), "use 0 or a number of seconds");
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String spec : alternateServers) {
            int colon = spec.lastIndexOf(':');
            String host = colon > 0 ? spec.substring(0, colon) : spec;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(spec.substring(colon + 1)) : ServerConfig.DEFAULT_PORT;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new ConfigException(
                        "alternate-server", spec, "use IP:PORT, e.g. 203.0.113.8:3478 or [2001:db8::8]:3478");
            }
            out.add(new InetSocketAddress(literal("alternate-server", host), port));
        }
        return out;
    }

    /** tern serve's options from these arguments, the environment and the file they name. */
    static ServeCommand reparse(List<String> args, java.util.Map<String, String> env) {
        ServeCommand command = new ServeCommand();
        CommandLine cl = new CommandLine(command);
        cl.parseArgs(args.toArray(new String[0]));
        return OptionSources.resolve(command, cl.getCommandSpec(), command.configFile, env);
    }

    ServerConfig toConfig() {
        // Checked here too, so that tern config check reports them.
        LogSettings.level(logLevel);
        LogSettings.format(logFormat);
        if (tlsWeb && noSignaling) {
            throw new ConfigException(
                    "tls-web", "set", "it serves the signaling relay: leave out --no-signaling or --tls-web");
        }
        if (tlsWeb && (noTls || (cert == null && !devSelfSigned))) {
            throw new ConfigException(
                    "tls-web",
                    "set",
                    "it needs TLS: give --cert FILE --pkey FILE (or --dev-self-signed), without --no-tls");
        }
        List<InetAddress> ips = new ArrayList<>();
        for (String ip : listeningIps) {
            ips.add(literal("listening-ip", ip));
        }
        if (useAuthSecret && staticAuthSecrets.isEmpty()) {
            throw new ConfigException("use-auth-secret", "set", "also give --static-auth-secret SECRET");
        }
        List<InetAddress> relays = new ArrayList<>();
        for (String ip : relayIps) {
            relays.add(literal("relay-ip", ip));
        }
        TurnConfig turn = new TurnConfig(
                realm,
                users,
                staticAuthSecrets,
                relays,
                externalIps,
                minPort,
                maxPort,
                defaultLifetime,
                maxLifetime,
                allowLoopbackPeers,
                allowedPeerIps,
                deniedPeerIps,
                userQuota,
                totalQuota,
                maxBps,
                alternates(),
                !noTcpRelay);
        return ServerConfig.defaults()
                .withTls(new TlsConfig(
                        !noTls, tlsListeningPort, cert, pkey, devSelfSigned, certCheckSeconds, tlsWeb, !noDtls))
                .withTurn(turn)
                .withListening(ips, listeningPort)
                .withTransports(!noUdp, !noTcp, ioTransport)
                .withThreads(threads)
                .withSoftware(noSoftware ? "" : software)
                .withTcpIdleSeconds(tcpIdleSeconds)
                .withRfc5780(rfc5780, altListeningPort)
                .withApi(new ApiConfig(apiKeys))
                .withHttp(httpConfig())
                .withSignaling(signalingConfig());
    }

    private SignalingConfig signalingConfig() {
        if (noSignaling && webListen != null) {
            throw new ConfigException(
                    "no-signaling", "set", "leave out either --no-signaling or --web-listen " + webListen);
        }
        return SignalingConfig.defaults()
                .withEnabled(!noSignaling)
                .withWebListen(webListen == null ? null : HttpListen.parse("web-listen", webListen))
                .withLimits(signalMaxRoomSize, signalMaxRooms, signalMaxMessageBytes, signalRate)
                .withTimeouts(
                        duration("signal-resume-grace", signalResumeGrace, true),
                        duration("signal-idle-timeout", signalIdleTimeout, false))
                .withTokenSecret(signalTokenSecret)
                .withIce(signalIceUrls, duration("signal-credential-ttl", signalCredentialTtl, false))
                .withConnectionLimits(signalMaxConnections, signalMaxConnectionsPerIp)
                .withAllowedOrigins(signalAllowedOrigins);
    }

    /** 90s, 30m, 24h, 7d or plain seconds, as tern credentials --ttl reads them; "0" when allowed. */
    static Duration duration(String option, String value, boolean zeroAllowed) {
        if (zeroAllowed && value != null && value.strip().matches("0+[smhd]?")) {
            return Duration.ZERO;
        }
        try {
            return Duration.ofSeconds(CredentialsCommand.parseTtl(value));
        } catch (CredentialsCommand.UsageException e) {
            throw new ConfigException(option, value, (zeroAllowed ? "use 0 or " : "") + CredentialsCommand.TTL_FORMS);
        }
    }

    private java.net.InetSocketAddress httpConfig() {
        if (noHttp && httpListen != null) {
            throw new ConfigException("no-http", "set", "leave out either --no-http or --http-listen " + httpListen);
        }
        if (noHttp) {
            return null;
        }
        return httpListen == null ? ServerConfig.DEFAULT_HTTP_LISTEN : HttpListen.parse(httpListen);
    }

    /** Only IP literals: a host name here would make start-up depend on DNS. */
    static InetAddress literal(String option, String value) {
        if (!value.matches("[0-9a-fA-F:.%\\[\\]]+")) {
            throw new ConfigException(option, value, "give an IP address literal such as 192.0.2.10 or 2001:db8::10");
        }
        try {
            return InetAddress.getByName(value.replace("[", "").replace("]", ""));
        } catch (UnknownHostException e) {
            throw new ConfigException(option, value, "give an IP address literal such as 192.0.2.10 or 2001:db8::10");
        }
    }
}
