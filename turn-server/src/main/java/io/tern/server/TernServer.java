package io.tern.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.FastThreadLocal;
import io.tern.server.auth.Authenticator;
import io.tern.server.auth.CredentialStore;
import io.tern.server.auth.NonceService;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.TurnConfig;
import io.tern.server.http.HttpListen;
import io.tern.server.http.OperatorHttpServer;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.policy.IpRange;
import io.tern.server.policy.PeerFilter;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tern server: event loops, listeners and the per-loop protocol stacks. {@link #start}
 * binds everything or fails with nothing left open; {@link #close} stops it.
 */
public final class TernServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TernServer.class);

    private final ServerConfig config;
    private final ServerMetrics metrics = new ServerMetrics();
    private final IoTransports io;
    private final EventLoopGroup group;
    private final FastThreadLocal<StunIngress> ingress;
    private final Listeners listeners;
    private final TurnServices turn;
    /** The sockets RFC 5780 answers from; filled once they are bound. */
    private final Rfc5780Sockets rfc5780 = new Rfc5780Sockets();

    private volatile CredentialStore credentials;
    private final NonceService nonces;
    /** Null when TLS is off or has no certificate. */
    private final ServerTls tls;

    private volatile OperatorHttpServer http;
    private volatile boolean ready;

    private TernServer(ServerConfig config) {
        this.config = config;
        this.io = IoTransports.select(config.transport());
        int threads = config.threads() == 0 ? NettyRuntime.availableProcessors() : config.threads();
        TurnConfig t = config.turn();
        this.credentials = credentialStore(t);
        this.nonces = NonceService.random(NonceService.DEFAULT_LIFETIME);
        // Reads and checks the certificate files: a bad one stops start-up before any thread exists.
        this.tls = ServerTls.create(config.tls());
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
        return CredentialStore.builder(t.realm())
                .users(t.users())
                .authSecrets(t.staticAuthSecrets())
                .build();
    }

    /**
     * Applies a new configuration's users, TURN REST secrets, realm and peer rules to the running
     * server, without touching allocations or connections: what SIGHUP does. The new configuration
     * is checked first; if it is refused, nothing changes and the {@link
     * io.tern.server.config.ConfigException} says why. Listening addresses, ports, TLS, quotas and
     * the rest take a restart (and are logged as such when they differ).
     */
    public void reload(ServerConfig next) {
        check(next);
        CredentialStore store = credentialStore(next.turn());
        List<InetSocketAddress> bound = new ArrayList<>(listeners.udpAddresses());
        bound.addAll(listeners.tcpAddresses());
        bound.addAll(listeners.tlsAddresses());
        PeerFilter filter = peerFilter(next.turn(), bound);
        // Both are immutable; a volatile write each publishes them to every event loop.
        credentials = store;
        turn.peerFilter(filter);
        if (!restartOnly(config).equals(restartOnly(next))) {
            log.warn("reloaded users, secrets, realm and peer rules; other changed options take a restart");
        } else {
            log.info("reloaded users, secrets, realm and peer rules");
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
                c.tls(),
                t.relayIps(),
                t.externalIps(),
                t.minPort(),
                t.maxPort(),
                t.defaultLifetimeSeconds(),
                t.maxLifetimeSeconds(),
                t.userQuota(),
                t.totalQuota(),
                t.maxBps());
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
                    config.turn().alternateServers().isEmpty()
                            ? "nowhere (508)"
                            : config.turn().alternateServers(),
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
            boolean inSquare = square.contains(ip);
            int bound = inSquare ? squarePort : port;
            if (config.udp() && !inSquare) {
                bound = listeners.bindUdp(new InetSocketAddress(ip, bound), groupSize());
            }
            if (config.tcp()) {
                // With port 0 (tests) TCP takes the port UDP got, so both share one number.
                listeners.bindTcp(new InetSocketAddress(ip, bound));
            }
        }
        if (tls != null) {
            int tlsPort = config.tls().port();
            for (InetAddress ip : ips) {
                listeners.bindTls(new InetSocketAddress(ip, tlsPort), tls);
                // With port 0 (tests) every listening IP shares the port the first one got.
                tlsPort = listeners.tlsAddresses().get(0).getPort();
            }
        }
        List<InetSocketAddress> bound = new ArrayList<>(listeners.udpAddresses());
        bound.addAll(listeners.tcpAddresses());
        bound.addAll(listeners.tlsAddresses());
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
        if (!t.hasCredentials()) {
            log.warn("no --user or --static-auth-secret: TURN requests will be refused (401); STUN works");
        }
        logTls();
        log.info(
                "Tern listening on {} (UDP {}, TCP {}, TLS {}) with {} event loops over {}",
                listeners.describe(),
                config.udp() ? "on" : "off",
                config.tcp() ? "on" : "off",
                tls != null ? "on" : "off",
                groupSize(),
                io.name());
        // After the STUN/TURN listeners, so a busy STUN port is reported as such, not as HTTP.
        if (config.httpListen() != null) {
            http = OperatorHttpServer.start(config.httpListen(), metrics, turn.quotas(), this::ready);
            log.info("operator HTTP (/metrics, /healthz, /readyz) on http://{}", HttpListen.format(http.address()));
        }
        ready = true;
    }

    /** RFC 5780 rebinds at most this often when listening-port is 0 and a port is taken. */
    private static final int RFC5780_BIND_ATTEMPTS = 8;

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
                if (port != 0 || attempt >= RFC5780_BIND_ATTEMPTS) {
                    listeners.closeUdpFrom(mark);
                    throw e;
                }
            }
            listeners.closeUdpFrom(mark);
            if (attempt >= RFC5780_BIND_ATTEMPTS) {
                throw new io.tern.server.config.ConfigException(
                        "alt-listening-port", String.valueOf(alt), "no free pair of ports found; set listening-port");
            }
        }
    }

    private void logTls() {
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

    /** The certificate the TLS listeners present, or null when TLS does not run. */
    public java.security.cert.X509Certificate tlsCertificate() {
        return tls == null ? null : tls.certificate();
    }

    /** The bound operator HTTP address, or null when HTTP is disabled or not started. */
    public InetSocketAddress httpAddress() {
        OperatorHttpServer h = http;
        return h == null ? null : h.address();
    }

    /**
     * True once every listener is bound, until {@link #close} begins: what {@code /readyz}
     * reports.
     */
    public boolean ready() {
        return ready && !turn.isDraining();
    }

    /**
     * Stops listening, closes every connection and the event loops; waits up to 5 s. {@code /readyz}
     * answers 503 from the first moment, and the HTTP server stops last.
     */
    @Override
    public void close() {
        ready = false;
        listeners.close();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
        OperatorHttpServer h = http;
        if (h != null) {
            h.close();
        }
    }
}
