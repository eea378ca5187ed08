package io.tern.client;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to a TURN server: over TCP ({@code turns:}, RFC 8656 §3.1; TLS 1.3 or 1.2), or as DTLS 1.2
 * over UDP ({@code turns:...?transport=udp}, RFC 7350). The server's certificate is checked against
 * the trusted certificates and must name {@code serverName} (a host name or an IP literal), as
 * HTTPS does, unless verification was turned off.
 */
public final class ClientTls {
    /**
     * The largest DTLS datagram: any message in one record. The handshake's own datagrams are
     * kept smaller ({@link DtlsClientHandler}); the JDK fixes the largest record a session takes
     * when it is made, so the session starts at this size.
     */
    static final int DTLS_APPLICATION_PACKET = 4096;

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    private final TrustManagerFactory trust;
    private final SslContext context;
    private final String serverName;
    private final boolean verifyName;
    /** Made on first use: most clients never speak DTLS. */
    private volatile SSLContext dtls;

    private ClientTls(TrustManagerFactory trust, String serverName, boolean verifyName) throws SSLException {
        this.trust = trust;
        this.context = SslContextBuilder.forClient()
                .protocols("TLSv1.3", "TLSv1.2")
                .trustManager(trust)
                .build();
        this.serverName = Objects.requireNonNull(serverName, "serverName");
        this.verifyName = verifyName;
    }

    /** Trusts the JDK's default certificate authorities (the system's, as a browser would). */
    public static ClientTls system(String serverName) throws SSLException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            return new ClientTls(tmf, serverName, true);
        } catch (GeneralSecurityException e) {
            throw new SSLException("cannot load the default trusted certificates", e);
        }
    }

    /** Trusts only these certificates (a private CA, or a self-signed server's own certificate). */
    public static ClientTls trusting(String serverName, X509Certificate... trusted) throws SSLException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < trusted.length; i++) {
                store.setCertificateEntry("trusted-" + i, trusted[i]);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return new ClientTls(tmf, serverName, true);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new SSLException("cannot trust the given certificates", e);
        }
    }

    /**
     * Checks nothing: any certificate for any name is accepted. For testing a server whose
     * certificate is known to be wrong; the connection is encrypted but not authenticated.
     */
    public static ClientTls insecure(String serverName) throws SSLException {
        return new ClientTls(InsecureTrustManagerFactory.INSTANCE, serverName, false);
    }

    /** The name sent in SNI and checked against the certificate. */
    public String serverName() {
        return serverName;
    }

    SslHandler newHandler(ByteBufAllocator alloc, int port) {
        SslHandler handler = context.newHandler(alloc, serverName, port);
        if (verifyName) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        return handler;
    }

    /** A client engine for one DTLS 1.2 session with the server at {@code port}. */
    SSLEngine newDtlsEngine(int port) throws SSLException {
        SSLEngine engine = dtlsContext().createSSLEngine(serverName, port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setMaximumPacketSize(DTLS_APPLICATION_PACKET);
        if (!IP_LITERAL.matcher(serverName).matches()) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        if (verifyName) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    private SSLContext dtlsContext() throws SSLException {
        SSLContext c = dtls;
        if (c == null) {
            try {
                c = SSLContext.getInstance("DTLSv1.2");
                c.init(null, trust.getTrustManagers(), null);
            } catch (GeneralSecurityException e) {
                throw new SSLException("DTLS 1.2 is not available in this JDK", e);
            }
            dtls = c;
        }
        return c;
    }
}
