package io.tern.server.dtls;

import io.tern.server.config.ConfigException;
import io.tern.server.tls.CertificateAndKey;
import io.tern.server.tls.ServerTls;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of STUN/TURN over DTLS 1.2 (RFC 8656 §3.1, RFC 7350): the JDK's own DTLS
 * {@link SSLEngine}, non-blocking, so each session is driven by the event loop that owns its
 * listening socket. Uses the certificate and key of {@link ServerTls} and follows its reloads: new
 * sessions get the current certificate, sessions already up keep theirs.
 *
 * <p>Each session gets an {@link SSLContext} of its own. The JDK computes the HelloVerifyRequest
 * cookie (RFC 6347 §4.2.1) from the ClientHello and a secret of the context only, not from the
 * client's address; with one shared context a client could fetch a cookie from its own address
 * and replay it from forged ones to make the server send its certificate flight to a victim. A
 * context per session has its own secret, so a cookie only works on the session (the address) it
 * was sent to. Building one costs about 15 µs; key and trust managers are shared.
 */
public final class ServerDtls {
    private static final Logger log = LoggerFactory.getLogger(ServerDtls.class);

    /** DTLS 1.2 only: DTLS 1.0 is TLS 1.1's twin and deprecated (RFC 8996). */
    public static final String PROTOCOL = "DTLSv1.2";

    /** The ECDHE AES-GCM suites of {@link ServerTls#CIPHERS}: forward-secret AEAD, DTLS 1.2 capable. */
    public static final List<String> CIPHERS = ServerTls.CIPHERS.stream()
            .filter(c -> c.startsWith("TLS_ECDHE_") && c.contains("_GCM_"))
            .toList();

    /**
     * Largest handshake datagram: IPv6's minimum MTU (1280) less the IPv6 and UDP headers, so a
     * certificate flight is fragmented into datagrams no path needs to fragment again.
     */
    public static final int HANDSHAKE_PACKET = 1232;

    /**
     * Largest application datagram once the handshake is done: a whole message in one record, as
     * large as any message the server relays (a peer datagram of up to a full read slot plus its
     * Data indication framing and the record overhead). Plain UDP TURN sends such messages as they
     * are too; the handshake is what must fit a small MTU.
     */
    public static final int APPLICATION_PACKET = 4096;

    /** Handshakes in progress at once across all loops; beyond it new ClientHellos are dropped. */
    public static final int DEFAULT_MAX_HANDSHAKES = 1024;

    private final SecureRandom random = new SecureRandom();
    /** The server asks no client certificate; an empty trust store stops the JDK loading cacerts per context. */
    private final TrustManager[] trustNobody;

    private final AtomicInteger handshakes = new AtomicInteger();
    private final int maxHandshakes;
    private volatile KeyManager[] keys;

    private ServerDtls(KeyManager[] keys, int maxHandshakes) {
        this.keys = keys;
        this.maxHandshakes = maxHandshakes;
        this.trustNobody = emptyTrust();
    }

    /**
     * DTLS with the certificate TLS serves now, following its reloads. A key the JDK's DTLS cannot
     * use is a {@link ConfigException} naming {@code cert}.
     */
    public static ServerDtls create(ServerTls tls) {
        return create(tls, DEFAULT_MAX_HANDSHAKES);
    }

    /** As {@link #create(ServerTls)} with another cap on concurrent handshakes (tests). */
    public static ServerDtls create(ServerTls tls, int maxHandshakes) {
        ServerDtls dtls;
        try {
            dtls = new ServerDtls(keyManagers(tls.credentials()), maxHandshakes);
            dtls.newEngine(new InetSocketAddress(0)); // fails now, not at the first client
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new ConfigException(
                    "cert", tls.certificate().getSubjectX500Principal().getName(), "cannot use it for DTLS: " + e);
        }
        tls.onReload(dtls::use);
        return dtls;
    }

    /** New sessions get {@code credentials}; a failure is logged and the previous ones stay. */
    private void use(CertificateAndKey credentials) {
        try {
            keys = keyManagers(credentials);
            log.info("DTLS serves the new certificate to new sessions");
        } catch (GeneralSecurityException | RuntimeException e) {
            log.error("DTLS cannot use the new certificate, still serving the previous one: {}", e.toString());
        }
    }

    private static KeyManager[] keyManagers(CertificateAndKey credentials) throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry(
                    "tern", credentials.key(), password, credentials.chain().toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            return kmf.getKeyManagers();
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot build an in-memory key store", e);
        }
    }

    private static TrustManager[] emptyTrust() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("the JDK cannot make an empty trust store", e);
        }
    }

    /**
     * A server engine for one client, in a context of its own (see the class comment): DTLS 1.2,
     * {@link #CIPHERS}, records of up to {@link #APPLICATION_PACKET} bytes, the JDK's
     * HelloVerifyRequest cookie exchange (always on for a server's new handshakes) and its
     * retransmissions (driven by {@link DtlsSession}).
     */
    SSLEngine newEngine(InetSocketAddress client) {
        try {
            SSLContext context = SSLContext.getInstance("DTLS");
            context.init(keys, trustNobody, random);
            SSLEngine engine = context.createSSLEngine(client.getHostString(), client.getPort());
            engine.setUseClientMode(false);
            SSLParameters p = engine.getSSLParameters();
            p.setProtocols(new String[] {PROTOCOL});
            List<String> supported = Arrays.asList(engine.getSupportedCipherSuites());
            p.setCipherSuites(CIPHERS.stream().filter(supported::contains).toArray(String[]::new));
            p.setMaximumPacketSize(APPLICATION_PACKET); // DtlsSession lowers it around handshake flights
            p.setEnableRetransmissions(true);
            p.setNeedClientAuth(false);
            engine.setSSLParameters(p);
            return engine;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no DTLS", e);
        }
    }

    /** Takes a handshake slot; false when {@link #DEFAULT_MAX_HANDSHAKES} (or the cap given) are in use. */
    boolean tryStartHandshake() {
        while (true) {
            int now = handshakes.get();
            if (now >= maxHandshakes) {
                return false;
            }
            if (handshakes.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives a handshake slot back: the handshake completed, failed or timed out. */
    void handshakeEnded() {
        handshakes.decrementAndGet();
    }
}
