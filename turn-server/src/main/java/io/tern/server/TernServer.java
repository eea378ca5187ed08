package io.tern.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocal;
import io.tern.server.auth.Authenticator;
import io.tern.server.auth.CredentialStore;
import io.tern.server.auth.NonceService;
import io.tern.server.config.ApiConfig;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.SignalingConfig;
import io.tern.server.config.TlsConfig;
import io.tern.server.config.TurnConfig;
import io.tern.server.dtls.ServerDtls;
import io.tern.server.http.CredentialsApi;
import io.tern.server.http.HttpListen;
import io.tern.server.http.OperatorHttpServer;
import io.tern.server.http.WebRoutes;
import io.tern.server.metrics.AllocationEnd;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.policy.IpRange;
import io.tern.server.policy.PeerFilter;
import io.tern.server.signaling.IceServers;
import io.tern.server.signaling.SignalMetrics;
import io.tern.server.signaling.Signaling;
import io.tern.server.stun.BindingHandler;
import io.tern.server.stun.Responder;
import io.tern.server.stun.Rfc5780Sockets;
import io.tern.server.stun.StunDispatcher;
import io.tern.server.tls.ServerTls;
import io.tern.server.transport.IoTransports;
import io.tern.server.transport.Listeners;
import io.tern.server.transport.StunIngress;
import io.tern.server.turn.ClientRelay;
import io.tern.server.turn.RelayEndpoint;
import io.tern.server.turn.RelayEndpoints;
import io.tern.server.turn.RelayLoop;
import io.tern.server.turn.TurnMethods;
import io.tern.server.turn.TurnServices;
import io.tern.stun.StunMethod;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tern server: event loops, listeners and the per-loop protocol stacks. {@link #start}
 * binds everything or fails with nothing left open; {@link #close} stops it.
 */
public final class TernServer implements AutoCloseable {
    /** Files beside the relay sockets: listeners, TCP/TLS clients, the JVM's jars and its own. */
    static final int OPEN_FILES_MARGIN = 1000;

    private static final Logger log = LoggerFactory.getLogger(TernServer.class);

    private final ServerConfig config;
    private final ServerMetrics metrics = new ServerMetrics();
    private final SignalMetrics signalMetrics = new SignalMetrics();
    private final IoTransports io;
    private final EventLoopGroup group;
    private final FastThreadLocal<StunIngress> ingress;
    /** Every event loop's TURN state, to end their allocations when the server stops. */
    private final List<RelayLoop> relayLoops = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Listeners listeners;
    private final TurnServices turn;
    /** The sockets RFC 5780 answers from; filled once they are bound. */
    private final Rfc5780Sockets rfc5780 = new Rfc5780Sockets();

    private volatile CredentialStore credentials;
    private final NonceService nonces;
    /** Null when TLS is off or has no certificate. */
    private final ServerTls tls;
    /** Null when TLS does not run or with --no-dtls. */
    private final ServerDtls dtls;

    /**
     * The TURN REST secret signaling makes credentials with when no {@code static-auth-secret} is
     * configured: random, made once at start-up, kept across reloads, in memory only and never
     * logged. Null when signaling is off.
     */
    private final String generatedRestSecret;

    /** The secret signaling's credentials are made with now: the first static-auth-secret, or the generated one. */
    private volatile String restSecret;

    /**
     * Whether credentials made with the generated secret may be out there; from then on TURN keeps
     * accepting it until a restart, even after a reload adds a static secret, so no client loses
     * its relay for an operator's change.
     */
    private volatile boolean generatedHandedOut;

    private volatile OperatorHttpServer http;
    private volatile Signaling signaling;
    private volatile boolean ready;
    /** The keys of POST /api/credentials; replaced on reload. */
    private volatile ApiConfig api;

    /** The web routes, once the HTTP side has made them; what a shared TLS port serves to browsers. */
    private volatile WebRoutes webRoutes;

    /** Checks the certificate files for a renewal; null when there are none to watch. */
    private volatile ScheduledExecutorService certWatch;

    private TernServer(ServerConfig config) {
        this.config = config;
        this.io = IoTransports.select(config.transport());
        int threads = config.threads() == 0 ? NettyRuntime.availableProcessors() : config.threads();
        TurnConfig t = config.turn();
        this.generatedRestSecret = config.signaling().enabled() ? randomSecret() : null;
        this.restSecret = restSecret(t);
        this.generatedHandedOut = restSecret != null && restSecret.equals(generatedRestSecret);
        this.credentials = credentialStore(t, generatedRestSecret, generatedHandedOut);
        this.nonces = NonceService.random(NonceService.DEFAULT_LIFETIME);
        // Reads and checks the certificate files: a bad one stops start-up before any thread exists.
        this.tls = ServerTls.create(config.tls());
        this.dtls = tls != null && config.tls().dtlsActive() ? ServerDtls.create(tls) : null;
        this.api = config.api();
        this.turn = new TurnServices(
                t, RelayEndpoints.resolve(t, config.listeningIps()), peerFilter(t, List.of()), metrics, io);
        // Last: everything above can refuse the configuration without leaving threads behind.
        this.group = new MultiThreadIoEventLoopGroup(threads, io.ioHandlerFactory());
        // Each event loop thread gets its own stack: no state is shared between loops, so no locks.
        this.ingress = new FastThreadLocal<>() {
            @Override
            protected StunIngress initialValue() {
                return newStack();
            }
        };
        this.listeners = new Listeners(group, io, ingress::get, metrics, config.tcpIdleSeconds());
    }

    /**
     * Checks a configuration as {@link #start} would, without opening a socket or a thread: users
     * and secrets, peer ranges, relay and external addresses, certificate files. Throws the
     * {@link io.tern.server.config.ConfigException} start-up would.
     */
    public static void check(ServerConfig config) {
        IoTransports.select(config.transport());
        credentialStore(config.turn());
        ServerTls.create(config.tls());
        RelayEndpoints.resolve(config.turn(), config.listeningIps());
        peerFilter(config.turn(), List.of());
    }

    private static CredentialStore credentialStore(TurnConfig t) {
        return credentialStore(t, null, false);
    }

    /**
     * With {@code generated} (may be null) accepted too when no static secret is configured, or
     * when {@code handedOut} says credentials made with it may be in use.
     */
    private static CredentialStore credentialStore(TurnConfig t, String generated, boolean handedOut) {
        CredentialStore.Builder b =
                CredentialStore.builder(t.realm()).users(t.users()).authSecrets(t.staticAuthSecrets());
        if (generated != null && (t.staticAuthSecrets().isEmpty() || handedOut)) {
            b.authSecret(generated);
        }
        return b.build();
    }

    private String restSecret(TurnConfig t) {
        return t.staticAuthSecrets().isEmpty()
                ? generatedRestSecret
                : t.staticAuthSecrets().get(0);
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Applies a new configuration's users, TURN REST secrets, realm, peer rules, lifetimes, quotas,
     * max-bps, alternate servers and TLS certificate to new requests and connections, without
     * touching allocations or connections: what SIGHUP does. The new configuration is checked
     * first; if it is refused, nothing changes and the {@link io.tern.server.config.ConfigException}
     * says why. Listening addresses, ports, relay addresses, turning TLS on or off and the rest take
     * a restart (and are logged as such when they differ).
     */
    public void reload(ServerConfig next) {
        check(next);
        if (tls != null) {
            tls.reload(next.tls());
        }
        boolean handedOut = generatedHandedOut
                || (signaling != null && next.turn().staticAuthSecrets().isEmpty());
        CredentialStore store = credentialStore(next.turn(), generatedRestSecret, handedOut);
        List<InetSocketAddress> bound = new ArrayList<>(listeners.udpAddresses());
        bound.addAll(listeners.tcpAddresses());
        bound.addAll(listeners.tlsAddresses());
        bound.addAll(listeners.dtlsAddresses());
        PeerFilter filter = peerFilter(next.turn(), bound);
        // Both are immutable; a volatile write each publishes them to every event loop.
        credentials = store;
        turn.peerFilter(filter);
        turn.reconfigure(next.turn());
        api = next.api();
        Signaling s = signaling;
        if (s != null) {
            restSecret = restSecret(next.turn());
            generatedHandedOut = handedOut;
            s.update(next.signaling(), () -> restSecret);
        }
        if (!restartOnly(config).equals(restartOnly(next))) {
            log.warn("reloaded users, secrets, realm, peer rules, limits, certificate and signaling limits;"
                    + " other changed options take a restart");
        } else {
            log.info("reloaded users, secrets, realm, peer rules, limits, certificate and signaling limits");
        }
    }

    /** The settings a reload cannot change, for comparison. */
    private static List<Object> restartOnly(ServerConfig c) {
        TurnConfig t = c.turn();
        return List.of(
                c.listeningIps(),
                c.listeningPort(),
                c.udp(),
                c.tcp(),
                c.threads(),
                c.transport(),
                c.software(),
                c.tcpIdleSeconds(),
                c.rfc5780(),
                c.altListeningPort(),
                String.valueOf(c.httpListen()),
                List.of(
                        c.tls().enabled(),
                        c.tls().port(),
                        c.tls().active(),
                        c.tls().devSelfSigned(),
                        c.tls().certCheckSeconds(),
                        c.tls().dtls()),
                c.signaling().enabled(),
                String.valueOf(c.signaling().webListen()),
                t.relayIps(),
                t.externalIps(),
                t.minPort(),
                t.maxPort());
    }

    /**
     * Starts draining: new Allocates get 300 with an ALTERNATE-SERVER (or 508 without one),
     * {@code /readyz} turns 503 so load balancers stop sending clients, and existing allocations
     * keep relaying until they end. Idempotent.
     */
    public void drain() {
        if (!turn.isDraining()) {
            turn.drain();
            log.info(
                    "draining: new allocations go to {}; {} allocations keep relaying",
                    turn.config().alternateServers().isEmpty()
                            ? "nowhere (508)"
                            : turn.config().alternateServers(),
                    turn.quotas().active());
        }
    }

    /** Starts a server; on failure every socket and thread it opened is closed again. */
    public static TernServer start(ServerConfig config) throws InterruptedException {
        TernServer server = new TernServer(config);
        try {
            server.bind();
            return server;
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    private StunIngress newStack() {
        Responder responder = new Responder(config.software(), metrics);
        StunDispatcher dispatcher = new StunDispatcher(responder, metrics)
                .onRequest(
                        StunMethod.BINDING, new BindingHandler(responder, config.rfc5780() ? rfc5780 : null, metrics));
        RelayLoop relayLoop = new RelayLoop(turn);
        relayLoops.add(relayLoop);
        ClientRelay relay =
                TurnMethods.install(dispatcher, relayLoop, new Authenticator(() -> credentials, nonces), responder);
        return new StunIngress(dispatcher, metrics, relayLoop, relay);
    }

    private static PeerFilter peerFilter(TurnConfig t, List<InetSocketAddress> serverAddresses) {
        List<IpRange> allowed = t.allowedPeerIps().stream()
                .map(r -> IpRange.parse("allowed-peer-ip", r))
                .toList();
        List<IpRange> denied = t.deniedPeerIps().stream()
                .map(r -> IpRange.parse("denied-peer-ip", r))
                .toList();
        return PeerFilter.create(allowed, denied, t.allowLoopbackPeers(), serverAddresses);
    }

    private void bind() throws InterruptedException {
        List<InetAddress> ips = config.listeningIps().isEmpty() ? List.of(Listeners.wildcard()) : config.listeningIps();
        int port = config.listeningPort();
        List<InetAddress> square = config.rfc5780() ? ServerConfig.rfc5780Family(ips) : List.of();
        int squarePort = square.isEmpty() ? -1 : bindRfc5780(square);
        for (InetAddress ip : ips) {
            if (square.contains(ip)) {
                if (config.tcp()) {
                    listeners.bindTcp(new InetSocketAddress(ip, squarePort));
                }
            } else {
                bindUdpAndTcp(ip, port);
            }
        }
        if (tls != null) {
            int tlsPort = config.tls().port();
            for (InetAddress ip : ips) {
                listeners.bindTls(new InetSocketAddress(ip, tlsPort), tls, tlsWeb() ? () -> webRoutes : null);
                // With port 0 (tests) every listening IP shares the port the first one got.
                tlsPort = listeners.tlsAddresses().get(0).getPort();
            }
            if (dtls != null) {
                // RFC 7350: DTLS on the UDP port of the same number as TLS's TCP port.
                for (InetAddress ip : ips) {
                    listeners.bindDtls(new InetSocketAddress(ip, tlsPort), dtls, groupSize());
                }
            }
        }
        List<InetSocketAddress> bound = new ArrayList<>(listeners.udpAddresses());
        bound.addAll(listeners.tcpAddresses());
        bound.addAll(listeners.tlsAddresses());
        bound.addAll(listeners.dtlsAddresses());
        turn.peerFilter(peerFilter(config.turn(), bound));
        TurnConfig t = config.turn();
        for (RelayEndpoint r : turn.relays()) {
            log.info(
                    "relaying on {} ports {}-{}{}",
                    r.bindAddress().getHostAddress(),
                    t.minPort(),
                    t.maxPort(),
                    r.advertisedAddress().equals(r.bindAddress())
                            ? ""
                            : " (advertised as " + r.advertisedAddress().getHostAddress() + ")");
        }
        checkOpenFileLimit(t, turn.relays().size());
        if (!t.hasCredentials() && generatedRestSecret == null) {
            log.warn("no --user or --static-auth-secret: TURN requests will be refused (401); STUN works");
        } else if (!t.hasCredentials()) {
            log.info("no --user or --static-auth-secret: TURN accepts only the credentials signaling hands out");
        }
        logTls();
        watchCertificate();
        log.info(
                "Tern listening on {} (UDP {}, TCP {}, TLS {}, DTLS {}) with {} event loops over {}",
                listeners.describe(),
                config.udp() ? "on" : "off",
                config.tcp() ? "on" : "off",
                tls != null ? "on" : "off",
                dtls != null ? "on" : "off",
                groupSize(),
                io.name());
        // After the STUN/TURN listeners, so a busy STUN port is reported as such, not as HTTP.
        startHttp();
        ready = true;
    }

    /**
     * Checks the certificate files every {@code cert-check-seconds} on a thread of its own, so
     * parsing a renewed certificate never delays an event loop.
     */
    private void watchCertificate() {
        int every = config.tls().certCheckSeconds();
        if (tls == null || config.tls().devSelfSigned() || every == 0) {
            return;
        }
        ScheduledExecutorService watch =
                Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("tern-cert-watch", true));
        watch.scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.SECONDS);
        certWatch = watch;
    }

    /**
     * With listening-port 0 (tests), how often a kernel-chosen port is given up for another when
     * a socket that must share its number cannot have it (TCP, or RFC 5780's other addresses).
     */
    private static final int PORT_ZERO_ATTEMPTS = 8;

    /**
     * Binds UDP (when on) and TCP (when on) on {@code ip:port}. With port 0 TCP takes the number
     * UDP got, so both share one; when some TCP socket already holds that number, UDP is closed
     * and the kernel asked for another.
     */
    private void bindUdpAndTcp(InetAddress ip, int port) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int mark = listeners.udpSockets().size();
            int bound = config.udp() ? listeners.bindUdp(new InetSocketAddress(ip, port), groupSize()) : port;
            if (!config.tcp()) {
                return;
            }
            try {
                listeners.bindTcp(new InetSocketAddress(ip, bound));
                return;
            } catch (io.tern.server.config.ConfigException e) {
                if (port != 0 || !config.udp() || attempt >= PORT_ZERO_ATTEMPTS) {
                    throw e;
                }
                listeners.closeUdpFrom(mark);
            }
        }
    }

    /**
     * Binds RFC 5780's UDP sockets: every IP of {@code ips} on the listening port and on the
     * alternate port (RFC 5780 §4.1), all or none. With listening-port 0 (tests) the first IP picks
     * a free port P, the others must get P and P + 1 as well, else all are closed and another P is
     * tried. Returns the listening port.
     */
    private int bindRfc5780(List<InetAddress> ips) throws InterruptedException {
        int port = config.listeningPort();
        for (int attempt = 1; ; attempt++) {
            int mark = listeners.udpSockets().size();
            int p = listeners.bindUdp(new InetSocketAddress(ips.get(0), port), groupSize());
            int alt = config.altListeningPort() != 0 ? config.altListeningPort() : p + 1;
            List<InetSocketAddress> rest = new ArrayList<>();
            ips.subList(1, ips.size()).forEach(ip -> rest.add(new InetSocketAddress(ip, p)));
            boolean usable = alt <= 65535 && alt != p;
            if (usable) {
                ips.forEach(ip -> rest.add(new InetSocketAddress(ip, alt)));
            }
            if (port == 0 && usable) {
                usable = rest.stream().allMatch(Listeners::isUdpFree);
            } else if (usable) {
                for (InetSocketAddress a : rest.subList(ips.size() - 1, rest.size())) {
                    if (!Listeners.isUdpFree(a)) {
                        listeners.closeUdpFrom(mark);
                        throw new io.tern.server.config.ConfigException(
                                "alt-listening-port",
                                String.valueOf(alt),
                                "UDP " + a.getAddress().getHostAddress() + ":" + alt
                                        + " is in use; RFC 5780 binds the alternate port on every listening IP,"
                                        + " choose a free one");
                    }
                }
            }
            try {
                if (usable) {
                    listeners.bindUdpAll(rest, groupSize());
                    rfc5780.publish(ips, p, alt, listeners.udpSockets());
                    log.info(
                            "RFC 5780 NAT behaviour discovery on UDP {} ports {} and {}",
                            ips.stream().map(InetAddress::getHostAddress).toList(),
                            p,
                            alt);
                    return p;
                }
            } catch (io.tern.server.config.ConfigException e) {
                if (port != 0 || attempt >= PORT_ZERO_ATTEMPTS) {
                    listeners.closeUdpFrom(mark);
                    throw e;
                }
            }
            listeners.closeUdpFrom(mark);
            if (attempt >= PORT_ZERO_ATTEMPTS) {
                throw new io.tern.server.config.ConfigException(
                        "alt-listening-port", String.valueOf(alt), "no free pair of ports found; set listening-port");
            }
        }
    }

    /** Whether the TLS port serves the web routes too (--tls-web, with TLS and signaling on). */
    private boolean tlsWeb() {
        return tls != null && config.tls().web() && config.signaling().enabled();
    }

    /**
     * The STUN/TURN URLs to hand out with credentials: {@code signal-ice-url} when configured,
     * else built from the host a client used to reach Tern (its {@code Host} header) and Tern's
     * own ports.
     */
    private List<String> turnUris(String hostHeader) {
        String host = IceServers.hostOf(hostHeader);
        if (host == null) {
            host = IceServers.hostOf(
                    listeners.udpAddresses().isEmpty()
                            ? listeners.tcpAddresses().get(0)
                            : listeners.udpAddresses().get(0));
        }
        return IceServers.urls(config.signaling().iceUrls(), host, turnPorts());
    }

    /** Tern's bound STUN/TURN ports, -1 for a transport that is off: what handed-out URLs name. */
    private IceServers.Ports turnPorts() {
        return new IceServers.Ports(
                config.udp() ? listeners.udpAddresses().get(0).getPort() : -1,
                config.tcp() ? listeners.tcpAddresses().get(0).getPort() : -1,
                tls != null ? listeners.tlsAddresses().get(0).getPort() : -1);
    }

    private void startHttp() throws InterruptedException {
        SignalingConfig sc = config.signaling();
        InetSocketAddress web = sc.enabled() ? sc.webListen() : null;
        if (config.httpListen() == null && web == null && !tlsWeb()) {
            return;
        }
        Function<EventLoop, WebRoutes> routes = null;
        if (sc.enabled()) {
            routes = loop -> {
                Signaling s = new Signaling(loop, sc, () -> restSecret, turnPorts(), signalMetrics);
                signaling = s;
                WebRoutes w = new WebRoutes(s);
                webRoutes = w;
                return w;
            };
        }
        http = OperatorHttpServer.start(
                config.httpListen(),
                web,
                metrics,
                sc.enabled() ? signalMetrics : null,
                turn.quotas(),
                this::ready,
                routes,
                new CredentialsApi(() -> api, () -> restSecret, this::turnUris, java.time.Clock.systemUTC()));
        InetSocketAddress operator = http.address();
        if (operator != null) {
            log.info(
                    "operator HTTP (/metrics, /healthz, /readyz{}) on http://{}",
                    sc.enabled() ? ", /signal, /" : "",
                    HttpListen.format(operator));
        }
        if (sc.enabled()) {
            List<String> urls = new ArrayList<>();
            if (operator != null) {
                urls.add("ws://" + HttpListen.format(operator) + WebRoutes.SIGNAL_PATH);
            }
            if (http.webAddress() != null) {
                urls.add("ws://" + HttpListen.format(http.webAddress()) + WebRoutes.SIGNAL_PATH);
            }
            log.info(
                    "signaling on {} (demo page at /); rooms {}",
                    String.join(" and ", urls),
                    sc.tokenSecret() == null ? "open to anyone who reaches it" : "need a signed join token");
        }
    }

    private void logTls() {
        if (tlsWeb()) {
            log.info("the TLS port also serves /signal and the demo page (--tls-web; ALPN or first bytes decide)");
        }
        if (!config.tls().enabled()) {
            log.info("TLS off (--no-tls)");
        } else if (tls == null) {
            log.info(
                    "TLS off: no certificate; give --cert FILE --pkey FILE (PEM) to serve TURN over TLS on port {}",
                    config.tls().port());
        } else if (config.tls().devSelfSigned()) {
            log.warn(
                    "TLS uses a self-signed DEVELOPMENT certificate generated at start-up ({}, SHA-256 {});"
                            + " clients cannot verify it. Never use --dev-self-signed in production.",
                    tls.certificate().getSubjectX500Principal().getName(),
                    fingerprint(tls.certificate()));
        } else {
            log.info(
                    "TLS certificate {} (from {}), valid until {}",
                    tls.certificate().getSubjectX500Principal().getName(),
                    config.tls().cert(),
                    tls.certificate().getNotAfter().toInstant());
        }
        if (dtls != null) {
            log.info(
                    "DTLS 1.2 on {} with the TLS certificate (handshakes at most {} at once, {} s each)",
                    listeners.dtlsAddresses().stream()
                            .map(a -> "udp " + NetUtil.toSocketAddressString(a))
                            .toList(),
                    ServerDtls.DEFAULT_MAX_HANDSHAKES,
                    TlsConfig.DTLS_HANDSHAKE_TIMEOUT_SECONDS);
        } else if (tls != null) {
            log.info("DTLS off (--no-dtls)");
        }
    }

    private static String fingerprint(java.security.cert.X509Certificate cert) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (java.security.GeneralSecurityException e) {
            return "?";
        }
    }

    private int groupSize() {
        return config.threads() == 0 ? NettyRuntime.availableProcessors() : config.threads();
    }

    public ServerConfig config() {
        return config;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** The shared TURN state (relays, quotas, peer filter). */
    public TurnServices turn() {
        return turn;
    }

    /** Name of the I/O transport in use ("epoll" or "nio"). */
    public String ioTransport() {
        return io.name();
    }

    /** The bound UDP addresses, one per listening IP (port resolved when 0 was asked for). */
    public List<InetSocketAddress> udpAddresses() {
        return listeners.udpAddresses();
    }

    public List<InetSocketAddress> tcpAddresses() {
        return listeners.tcpAddresses();
    }

    /** The bound TLS addresses; empty when TLS is off or has no certificate. */
    public List<InetSocketAddress> tlsAddresses() {
        return listeners.tlsAddresses();
    }

    /** The bound DTLS addresses (UDP, the TLS port number); empty when DTLS does not run. */
    public List<InetSocketAddress> dtlsAddresses() {
        return listeners.dtlsAddresses();
    }

    /** The certificate the TLS listeners present, or null when TLS does not run. */
    public java.security.cert.X509Certificate tlsCertificate() {
        return tls == null ? null : tls.certificate();
    }

    /** The bound web listener ({@code --web-listen}) address, or null when there is none. */
    public InetSocketAddress webAddress() {
        OperatorHttpServer h = http;
        return h == null ? null : h.webAddress();
    }

    /** The signaling relay, or null when signaling is off or no HTTP listener runs. */
    public Signaling signaling() {
        return signaling;
    }

    /** The bound operator HTTP address, or null when HTTP is disabled or not started. */
    public InetSocketAddress httpAddress() {
        OperatorHttpServer h = http;
        return h == null ? null : h.address();
    }

    /**
     * Warns when the process may not open a socket for every allocation the relay port range and
     * quota allow: past the open-files limit an Allocate fails with 508 and the log fills with
     * "Too many open files". Each UDP allocation holds one socket; the margin covers listeners,
     * TCP/TLS clients and the JVM's own files.
     */
    static void checkOpenFileLimit(TurnConfig t, int relayIps) {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os)) {
            return;
        }
        long ports = (long) (t.maxPort() - t.minPort() + 1) * Math.max(1, relayIps);
        long allocations = t.totalQuota() > 0 ? Math.min(ports, t.totalQuota()) : ports;
        long wanted = allocations + OPEN_FILES_MARGIN;
        long limit = os.getMaxFileDescriptorCount();
        if (limit < wanted) {
            log.warn(
                    "the open-files limit is {}, below the {} this server can need ({} allocations, one socket each,"
                            + " plus {}): allocations beyond about {} will fail; raise it (LimitNOFILE= in the systemd"
                            + " unit, ulimit -n in a shell, --ulimit nofile= for docker run) or lower --total-quota",
                    limit,
                    wanted,
                    allocations,
                    OPEN_FILES_MARGIN,
                    Math.max(0, limit - OPEN_FILES_MARGIN));
        }
    }

    /**
     * True once every listener is bound, until {@link #close} begins: what {@code /readyz}
     * reports.
     */
    public boolean ready() {
        return ready && !turn.isDraining();
    }

    /**
     * Stops listening, closes every connection, ends the allocations still open (each logs its end
     * line, "server stopping"), then stops the event loops; waits up to about 10 s in all. {@code
     * /readyz} answers 503 from the first moment, and the HTTP server stops last.
     */
    @Override
    public void close() {
        ready = false;
        ScheduledExecutorService watch = certWatch;
        if (watch != null) {
            watch.shutdownNow();
        }
        listeners.close();
        for (RelayLoop loop : relayLoops) {
            loop.endAll(AllocationEnd.SHUTDOWN, 2);
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
        OperatorHttpServer h = http;
        if (h != null) {
            h.close();
        }
    }
}
