package io.tern.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.TlsConfig;
import io.tern.server.config.TurnConfig;
import io.tern.stun.StunMessage;
import io.tern.stun.StunParseException;
import io.tern.stun.StunReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Starts a real server on loopback with a free port, and talks to it over plain JDK sockets, so a
 * test exercises the real pipelines without depending on Tern's own client.
 */
public final class ServerHarness implements AutoCloseable {
    private final TernServer server;

    private ServerHarness(TernServer server) {
        this.server = server;
    }

    public static ServerHarness start(ServerConfig.IoTransport io, String... ips) throws Exception {
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (String ip : ips.length == 0 ? new String[] {"127.0.0.1"} : ips) {
            addresses.add(InetAddress.getByName(ip));
        }
        ServerConfig config = ServerConfig.defaults()
                .withListening(addresses, 0)
                .withTransports(true, true, io)
                .withThreads(2)
                .withHttp(HTTP_ANY_PORT);
        return new ServerHarness(startRetrying(config));
    }

    /**
     * Starts a server; with listening-port 0, retries when the port UDP got is taken for TCP. UDP
     * and TCP share the number the kernel gave UDP, and a busy machine (many short TCP connections
     * in other tests) sometimes has that number in use on TCP. Likewise DTLS takes the number TLS
     * got, on UDP.
     */
    public static TernServer startRetrying(ServerConfig asked) throws Exception {
        ServerConfig config = withTestTransport(asked);
        for (int attempt = 1; ; attempt++) {
            try {
                return TernServer.start(config);
            } catch (io.tern.server.config.ConfigException e) {
                boolean portTaken = ("listening-port".equals(e.option()) && config.listeningPort() == 0)
                        || ("tls-listening-port".equals(e.option())
                                && config.tls().port() == 0);
                if (attempt == 5 || !portTaken) {
                    throw e;
                }
            }
        }
    }

    /**
     * The system property that runs every harness server left on {@code AUTO} on another I/O
     * transport, e.g. {@code mvn test -Dtern.test.io-transport=NIO}; servers a test puts on
     * a transport of its own keep it.
     */
    public static final String IO_TRANSPORT_PROPERTY = "tern.test.io-transport";

    private static ServerConfig withTestTransport(ServerConfig config) {
        String wanted = System.getProperty(IO_TRANSPORT_PROPERTY, "");
        if (wanted.isBlank() || config.transport() != ServerConfig.IoTransport.AUTO) {
            return config;
        }
        return config.withTransports(
                config.udp(),
                config.tcp(),
                ServerConfig.IoTransport.valueOf(wanted.trim().toUpperCase(java.util.Locale.ROOT)));
    }

    /** A server with this configuration (its transport as {@link #IO_TRANSPORT_PROPERTY} says when AUTO). */
    public static ServerHarness start(ServerConfig config) throws Exception {
        return new ServerHarness(startRetrying(config));
    }

    /**
     * A TURN server on 127.0.0.1 (UDP and TCP on one free port), relaying on 127.0.0.1 from ports
     * outside Linux's ephemeral range, with user alice:secret and REST secret "rest-secret".
     * Loopback peers are allowed because every peer in a test lives on loopback.
     */
    public static ServerHarness startTurn() throws Exception {
        return startTurn(turnConfig());
    }

    public static ServerHarness startTurn(TurnConfig turn) throws Exception {
        return startTurn(turn, "127.0.0.1");
    }

    /**
     * A TURN server with these settings listening on {@code listeningIps} (UDP and TCP on one free
     * port), e.g. {@code "::1"} with {@code turn.relayIps()} [::1] for an IPv6-only server.
     */
    public static ServerHarness startTurn(TurnConfig turn, String... listeningIps) throws Exception {
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (String ip : listeningIps) {
            addresses.add(InetAddress.getByName(ip));
        }
        ServerConfig config = ServerConfig.defaults()
                .withListening(addresses, 0)
                .withThreads(2)
                .withTurn(turn)
                .withHttp(HTTP_ANY_PORT);
        return new ServerHarness(startRetrying(config));
    }

    /**
     * The TURN server of {@link #startTurn()} with TLS as configured (give port 0 for a free port),
     * listening on {@code listeningIps}, 127.0.0.1 when none are given.
     */
    public static ServerHarness startTls(TlsConfig tls, String... listeningIps) throws Exception {
        return startTls(tls, turnConfig(), listeningIps);
    }

    /** As {@link #startTls(TlsConfig, String...)} with other TURN settings. */
    public static ServerHarness startTls(TlsConfig tls, TurnConfig turn, String... listeningIps) throws Exception {
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (String ip : listeningIps.length == 0 ? new String[] {"127.0.0.1"} : listeningIps) {
            addresses.add(InetAddress.getByName(ip));
        }
        ServerConfig config = ServerConfig.defaults()
                .withListening(addresses, 0)
                .withThreads(2)
                .withTurn(turn)
                .withHttp(HTTP_ANY_PORT)
                .withTls(tls);
        return new ServerHarness(startRetrying(config));
    }

    /** The TURN settings of {@link #startTurn()}, to vary in a test. */
    public static TurnConfig turnConfig() throws Exception {
        return TurnConfig.defaults()
                .withRealm(REALM)
                .withCredentials(List.of("alice:secret"), List.of(REST_SECRET))
                .withRelays(List.of(InetAddress.getByName("127.0.0.1")), List.of())
                .withPorts(20000, 29999)
                .withPeerPolicy(true, List.of(), List.of());
    }

    /** Test servers serve HTTP on a free loopback port, never on the default 9641. */
    public static final InetSocketAddress HTTP_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    public static final String REALM = "tern.test";
    public static final String REST_SECRET = "rest-secret";

    public TernServer server() {
        return server;
    }

    public InetSocketAddress udp() {
        return server.udpAddresses().get(0);
    }

    public InetSocketAddress udp(int index) {
        return server.udpAddresses().get(index);
    }

    public InetSocketAddress tcp() {
        return server.tcpAddresses().get(0);
    }

    /** The first TLS listener's address. */
    public InetSocketAddress tls() {
        return server.tlsAddresses().get(0);
    }

    /** A client TLS context that trusts exactly this certificate (and checks nothing else). */
    public static SSLContext trusting(X509Certificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * A TLS connection to the server's TLS port, trusting its certificate, limited to
     * {@code protocol} (e.g. "TLSv1.3"), handshake done.
     */
    public SSLSocket connectTls(String protocol) throws Exception {
        SSLSocket socket =
                (SSLSocket) trusting(server.tlsCertificate()).getSocketFactory().createSocket();
        socket.connect(tls(), 2000);
        socket.setSoTimeout(5000);
        socket.setEnabledProtocols(new String[] {protocol});
        socket.startHandshake();
        return socket;
    }

    /** The operator HTTP server's bound address (a free port on loopback). */
    public InetSocketAddress http() {
        return server.httpAddress();
    }

    /** Sends one datagram and waits up to 2 s for one back; null on timeout. */
    public static byte[] exchangeUdp(DatagramSocket socket, InetSocketAddress to, byte[] request) throws IOException {
        socket.send(new DatagramPacket(request, request.length, to));
        return receive(socket, 2000);
    }

    /** Sends one datagram and returns what came back within 300 ms: for requests that must get none. */
    public static byte[] sendExpectingSilence(DatagramSocket socket, InetSocketAddress to, byte[] request)
            throws IOException {
        socket.send(new DatagramPacket(request, request.length, to));
        return receive(socket, 300);
    }

    /** Waits for a datagram; null when none arrives within {@code millis}. */
    public static byte[] receive(DatagramSocket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return java.util.Arrays.copyOf(buf, p.getLength());
    }

    /** Reads one whole STUN message from a stream. */
    public static byte[] readStunFrame(Socket socket) throws IOException {
        socket.setSoTimeout(2000);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] header = new byte[StunReader.HEADER_LENGTH];
        in.readFully(header);
        int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        byte[] frame = java.util.Arrays.copyOf(header, StunReader.HEADER_LENGTH + length);
        in.readFully(frame, StunReader.HEADER_LENGTH, length);
        return frame;
    }

    /** True when the peer closed the stream within 2 s. */
    public static boolean closedByPeer(Socket socket) throws IOException {
        socket.setSoTimeout(2000);
        InputStream in = socket.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    public static byte[] bytes(ByteBuf buf) {
        try {
            byte[] out = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), out);
            return out;
        } finally {
            buf.release();
        }
    }

    public static StunMessage decode(byte[] message) throws StunParseException {
        return StunMessage.decode(Unpooled.wrappedBuffer(message));
    }

    /** A reader over a copy of the bytes, for integrity and fingerprint checks. */
    public static StunReader read(byte[] message) {
        StunReader reader = new StunReader();
        if (reader.wrap(Unpooled.wrappedBuffer(message), true) != null) {
            throw new AssertionError("server sent a malformed message");
        }
        return reader;
    }

    @Override
    public void close() {
        server.close();
    }
}
