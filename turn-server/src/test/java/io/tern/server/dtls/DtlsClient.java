package io.tern.server.dtls;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * A DTLS 1.2 client for tests: the JDK's {@link SSLEngine} in client mode over a plain {@link
 * DatagramSocket} on loopback, trusting exactly one certificate. Blocking, one thread; written
 * independently of the server's session code (it shares only the JDK).
 */
public final class DtlsClient implements AutoCloseable {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final X509Certificate trusted;
    private final SSLEngine engine;
    /** Datagrams sent during the handshake, for tests that count them. */
    private int handshakeDatagramsIn;

    private int largestHandshakeDatagram;

    private DtlsClient(DatagramSocket socket, InetSocketAddress server, X509Certificate trusted, SSLEngine engine) {
        this.socket = socket;
        this.server = server;
        this.trusted = trusted;
        this.engine = engine;
    }

    /** A client on a fresh loopback socket, handshake done within 5 s. */
    public static DtlsClient connect(InetSocketAddress server, X509Certificate trusted) throws Exception {
        DtlsClient c = open(server, trusted);
        try {
            c.handshake(5000);
        } catch (Exception e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A client on a fresh loopback socket, handshake not started. */
    public static DtlsClient open(InetSocketAddress server, X509Certificate trusted) throws Exception {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
        return new DtlsClient(socket, server, trusted, engine(server, trusted));
    }

    /**
     * A new client on this client's socket, so on the same 5-tuple: a client that restarted on the
     * same port. This one must not be used any more.
     */
    public DtlsClient restart() throws Exception {
        DtlsClient next = new DtlsClient(socket, server, trusted, engine(server, trusted));
        next.handshake(5000);
        return next;
    }

    private static SSLEngine engine(InetSocketAddress server, X509Certificate trusted) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("DTLS");
        context.init(null, tmf.getTrustManagers(), null);
        SSLEngine engine = context.createSSLEngine(server.getHostString(), server.getPort());
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(new String[] {"DTLSv1.2"});
        engine.setSSLParameters(p);
        return engine;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public DatagramSocket socket() {
        return socket;
    }

    /** Runs the handshake; retransmits its flight when the server's does not come within 500 ms. */
    public void handshake(int timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        engine.beginHandshake();
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new SocketTimeoutException("DTLS handshake not done in " + timeoutMillis + " ms, at " + hs);
            }
            switch (hs) {
                case NEED_TASK -> {
                    for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
                        t.run();
                    }
                }
                case NEED_WRAP -> wrapOut(EMPTY);
                case NEED_UNWRAP_AGAIN ->
                    engine.unwrap(EMPTY, ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()));
                case NEED_UNWRAP -> {
                    byte[] datagram = receiveDatagram(500);
                    if (datagram == null) {
                        wrapOut(EMPTY); // the JDK retransmits on a wrap while it waits
                    } else {
                        handshakeDatagramsIn++;
                        largestHandshakeDatagram = Math.max(largestHandshakeDatagram, datagram.length);
                        unwrapAll(datagram);
                    }
                }
                default -> throw new IllegalStateException(hs.toString());
            }
        }
    }

    public int handshakeDatagramsIn() {
        return handshakeDatagramsIn;
    }

    /** The largest datagram the server sent during the handshake. */
    public int largestHandshakeDatagram() {
        return largestHandshakeDatagram;
    }

    /** The ClientHello datagram this client would send first, not sent. */
    public byte[] clientHello() throws IOException {
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(EMPTY, out);
        return Arrays.copyOf(out.array(), out.position());
    }

    /**
     * Sends the ClientHello, answers the HelloVerifyRequest with the ClientHello carrying the
     * cookie, and stops there: the server's flight that follows is left to the caller to read.
     */
    public void helloWithCookie() throws IOException {
        sendClientHelloOnly();
        byte[] hvr = receiveDatagram(2000);
        if (hvr == null) {
            throw new SocketTimeoutException("no HelloVerifyRequest");
        }
        unwrapAll(hvr);
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            wrapOut(EMPTY);
        }
    }

    /** Sends the ClientHello and nothing more: a client that goes away mid-handshake. */
    public void sendClientHelloOnly() throws IOException {
        engine.beginHandshake();
        wrapOut(EMPTY);
    }

    /** The certificate the server presented. */
    public X509Certificate serverCertificate() throws Exception {
        Certificate[] chain = engine.getSession().getPeerCertificates();
        return (X509Certificate) chain[0];
    }

    public String protocol() {
        return engine.getSession().getProtocol();
    }

    public String cipherSuite() {
        return engine.getSession().getCipherSuite();
    }

    /** Sends one message in one record. */
    public void send(byte[] message) throws IOException {
        wrapOut(ByteBuffer.wrap(message));
    }

    /** Sends raw bytes, not DTLS. */
    public void sendRaw(byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, server));
    }

    /** The next application message within {@code millis}, or null. */
    public byte[] receive(int millis) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            byte[] datagram = receiveDatagram((int) left);
            if (datagram == null) {
                return null;
            }
            byte[] plain = unwrapAll(datagram);
            if (plain != null) {
                return plain;
            }
        }
    }

    /** Sends close_notify. */
    public void closeNotify() throws IOException {
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
            if (wrapOut(EMPTY) == 0) {
                break;
            }
        }
    }

    /** Whether the server's close_notify arrived within {@code millis}. */
    public boolean closedByServer(int millis) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        while (!engine.isInboundDone()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            byte[] datagram = receiveDatagram((int) left);
            if (datagram == null) {
                return false;
            }
            unwrapAll(datagram);
        }
        return true;
    }

    private int wrapOut(ByteBuffer src) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        SSLEngineResult r = engine.wrap(src, out);
        if (r.getStatus() != SSLEngineResult.Status.OK && r.getStatus() != SSLEngineResult.Status.CLOSED) {
            throw new SSLException("wrap: " + r);
        }
        out.flip();
        if (out.hasRemaining()) {
            socket.send(new DatagramPacket(out.array(), out.limit(), server));
        }
        return r.bytesProduced();
    }

    /** Unwraps every record of a datagram; returns the application data of the last one, or null. */
    private byte[] unwrapAll(byte[] datagram) throws SSLException {
        ByteBuffer src = ByteBuffer.wrap(datagram);
        byte[] plain = null;
        while (src.hasRemaining() && !engine.isInboundDone()) {
            ByteBuffer dst = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            SSLEngineResult r = engine.unwrap(src, dst);
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                break;
            }
            if (r.bytesProduced() > 0) {
                plain = Arrays.copyOf(dst.array(), dst.position());
            }
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
                    t.run();
                }
            }
        }
        return plain;
    }

    private byte[] receiveDatagram(int millis) throws IOException {
        socket.setSoTimeout(Math.max(1, millis));
        byte[] buf = new byte[65_535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buf, p.getLength());
    }

    @Override
    public void close() {
        socket.close();
    }
}
