package io.tern.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The effective server configuration, validated. Built by the CLI (and, later, the config file);
 * everything below reads this record and nothing else, so the server can be started in-process by
 * tests with exactly the options they need.
 *
 * @param listeningIps addresses to listen on; empty means every interface
 * @param listeningPort the STUN/TURN port for UDP and TCP (3478); 0 picks a free port (tests)
 * @param udp whether to listen on UDP
 * @param tcp whether to listen on TCP
 * @param threads event loop threads; 0 means one per available processor
 * @param transport which Netty I/O transport to use
 * @param software the SOFTWARE attribute value; empty to send none
 * @param tcpIdleSeconds close a TCP connection after this long without traffic
 * @param rfc5780 RFC 5780 NAT behaviour discovery over UDP: needs two listening IPs of one family
 * @param altListeningPort RFC 5780's alternate port, bound on each of those IPs; 0 means
 *     listening-port + 1 (coturn's {@code alt-listening-port})
 * @param turn the TURN relay options
 * @param httpListen where the operator HTTP server ({@code /metrics}, {@code /healthz},
 *     {@code /readyz}) listens; port 0 picks a free port (tests); null disables it
 * @param tls STUN/TURN over TLS: port, certificate, or off
 * @param signaling the signaling relay and demo page, and the optional public web listener
 * @param api the keys of {@code POST /api/credentials} on the operator listener; none turns it off
 */
public record ServerConfig(
        List<InetAddress> listeningIps,
        int listeningPort,
        boolean udp,
        boolean tcp,
        int threads,
        IoTransport transport,
        String software,
        int tcpIdleSeconds,
        boolean rfc5780,
        int altListeningPort,
        TurnConfig turn,
        InetSocketAddress httpListen,
        TlsConfig tls,
        SignalingConfig signaling,
        ApiConfig api) {

    public static final int DEFAULT_PORT = 3478;

    public static final int DEFAULT_HTTP_PORT = 9641;

    /** 127.0.0.1:9641: metrics stay on the host unless the operator opens them up. */
    public static final InetSocketAddress DEFAULT_HTTP_LISTEN =
            new InetSocketAddress(ipv4Loopback(), DEFAULT_HTTP_PORT);

    private static InetAddress ipv4Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Which I/O carries the sockets. */
    public enum IoTransport {
        /** NATIVE where it runs, else EPOLL where the native library loads, else NIO. */
        AUTO,
        /**
         * Netty's epoll for TCP, TLS and DTLS, and Tern's own datagram path (recvmmsg/sendmmsg
         * through the FFM API, nothing allocated per datagram) for UDP listening and relay sockets:
         * Java 22+ on Linux.
         */
        NATIVE,
        /** Netty's epoll for every socket. */
        EPOLL,
        NIO
    }

    public ServerConfig {
        listeningIps = List.copyOf(listeningIps);
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(software, "software");
        Objects.requireNonNull(turn, "turn");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(signaling, "signaling");
        Objects.requireNonNull(api, "api");
        if (listeningPort < 0 || listeningPort > 65535) {
            throw new ConfigException("listening-port", String.valueOf(listeningPort), "use a port from 1 to 65535");
        }
        if (!udp && !tcp && !tls.active()) {
            throw new ConfigException("no-udp/no-tcp", "both set", "leave at least one of UDP and TCP enabled");
        }
        if (threads < 0) {
            throw new ConfigException("threads", String.valueOf(threads), "use 0 (one per CPU) or a positive count");
        }
        if (software.length() > 127) {
            throw new ConfigException(
                    "software", "(" + software.length() + " characters)", "RFC 8489 allows at most 127");
        }
        if (tcpIdleSeconds <= 0) {
            throw new ConfigException(
                    "tcp-idle-timeout", String.valueOf(tcpIdleSeconds), "use a positive number of seconds");
        }
        if (rfc5780) {
            checkRfc5780(listeningIps, listeningPort, altListeningPort, udp);
        } else if (altListeningPort < 0 || altListeningPort > 65535) {
            throw new ConfigException(
                    "alt-listening-port", String.valueOf(altListeningPort), "use 0 (listening-port + 1) or a port");
        }
        if (tcp && tls.active() && listeningPort != 0 && tls.port() == listeningPort) {
            throw new ConfigException(
                    "tls-listening-port",
                    String.valueOf(tls.port()),
                    "TCP already uses this port (listening-port); choose another, e.g. " + TlsConfig.DEFAULT_PORT);
        }
        if (httpListen != null && httpListen.isUnresolved()) {
            throw new ConfigException(
                    "http-listen", httpListen.getHostString(), "give an IP address literal such as 127.0.0.1");
        }
    }

    /**
     * RFC 5780 §4: answering from "the other address" takes a second IP of the family, and the
     * same two ports bound on both (RFC 5780 §6: a server that cannot, must not claim RFC 5780).
     */
    private static void checkRfc5780(List<InetAddress> ips, int port, int altPort, boolean udp) {
        if (!udp) {
            throw new ConfigException("rfc5780", "set", "RFC 5780 runs over UDP: leave out --no-udp");
        }
        if (rfc5780Family(ips) == null) {
            throw new ConfigException(
                    "rfc5780",
                    "set with listening-ip "
                            + ips.stream().map(InetAddress::getHostAddress).toList(),
                    "give two specific listening IPs of one family, e.g. --listening-ip 192.0.2.10"
                            + " --listening-ip 192.0.2.11");
        }
        if (altPort < 0 || altPort > 65535 || (altPort != 0 && altPort == port) || (altPort == 0 && port == 65535)) {
            throw new ConfigException(
                    "alt-listening-port",
                    String.valueOf(altPort),
                    "use 0 (listening-port + 1) or a port other than listening-port " + port);
        }
    }

    /**
     * The listening IPs of the first family that has two distinct specific addresses, in the order
     * given; null when no family has two. RFC 5780 runs on these.
     */
    public static List<InetAddress> rfc5780Family(List<InetAddress> ips) {
        for (InetAddress first : ips) {
            List<InetAddress> family = ips.stream()
                    .filter(ip -> !ip.isAnyLocalAddress())
                    .filter(ip -> (ip instanceof java.net.Inet4Address) == (first instanceof java.net.Inet4Address))
                    .distinct()
                    .toList();
            if (family.size() >= 2) {
                return family;
            }
        }
        return null;
    }

    public static ServerConfig defaults() {
        return new ServerConfig(
                List.of(),
                DEFAULT_PORT,
                true,
                true,
                0,
                IoTransport.AUTO,
                "Tern",
                300,
                false,
                0,
                TurnConfig.defaults(),
                DEFAULT_HTTP_LISTEN,
                TlsConfig.defaults(),
                SignalingConfig.defaults(),
                ApiConfig.off());
    }

    public ServerConfig withListening(List<InetAddress> ips, int port) {
        return edit(b -> {
            b.listeningIps = ips;
            b.listeningPort = port;
        });
    }

    public ServerConfig withThreads(int count) {
        return edit(b -> b.threads = count);
    }

    public ServerConfig withTransports(boolean useUdp, boolean useTcp, IoTransport io) {
        return edit(b -> {
            b.udp = useUdp;
            b.tcp = useTcp;
            b.transport = io;
        });
    }

    public ServerConfig withSoftware(String value) {
        return edit(b -> b.software = value);
    }

    public ServerConfig withTcpIdleSeconds(int seconds) {
        return edit(b -> b.tcpIdleSeconds = seconds);
    }

    /** The operator HTTP server's address; null for none. */
    public ServerConfig withHttp(InetSocketAddress listen) {
        return edit(b -> b.httpListen = listen);
    }

    /** RFC 5780 on or off, and its alternate port (0: listening-port + 1). */
    public ServerConfig withRfc5780(boolean enabled, int altPort) {
        return edit(b -> {
            b.rfc5780 = enabled;
            b.altListeningPort = altPort;
        });
    }

    public ServerConfig withTls(TlsConfig value) {
        return edit(b -> b.tls = value);
    }

    public ServerConfig withSignaling(SignalingConfig value) {
        return edit(b -> b.signaling = value);
    }

    public ServerConfig withApi(ApiConfig value) {
        return edit(b -> b.api = value);
    }

    public ServerConfig withTurn(TurnConfig value) {
        return edit(b -> b.turn = value);
    }

    /** A copy with some components changed; validated again by the canonical constructor. */
    private ServerConfig edit(java.util.function.Consumer<Copy> change) {
        Copy b = new Copy(this);
        change.accept(b);
        return new ServerConfig(
                b.listeningIps,
                b.listeningPort,
                b.udp,
                b.tcp,
                b.threads,
                b.transport,
                b.software,
                b.tcpIdleSeconds,
                b.rfc5780,
                b.altListeningPort,
                b.turn,
                b.httpListen,
                b.tls,
                b.signaling,
                b.api);
    }

    /** The mutable copy {@link #edit} changes: one place that lists every component. */
    private static final class Copy {
        List<InetAddress> listeningIps;
        int listeningPort;
        boolean udp;
        boolean tcp;
        int threads;
        IoTransport transport;
        String software;
        int tcpIdleSeconds;
        boolean rfc5780;
        int altListeningPort;
        TurnConfig turn;
        InetSocketAddress httpListen;
        TlsConfig tls;
        SignalingConfig signaling;
        ApiConfig api;

        Copy(ServerConfig c) {
            listeningIps = c.listeningIps;
            listeningPort = c.listeningPort;
            udp = c.udp;
            tcp = c.tcp;
            threads = c.threads;
            transport = c.transport;
            software = c.software;
            tcpIdleSeconds = c.tcpIdleSeconds;
            rfc5780 = c.rfc5780;
            altListeningPort = c.altListeningPort;
            turn = c.turn;
            httpListen = c.httpListen;
            tls = c.tls;
            signaling = c.signaling;
            api = c.api;
        }
    }
}
