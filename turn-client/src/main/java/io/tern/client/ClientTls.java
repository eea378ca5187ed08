package io.tern.client;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS for a TCP connection to a TURN server ({@code turns:}, RFC 8656 §3.1; TLS 1.3 or 1.2). The
 * server's certificate is checked against the trusted certificates and must name {@code
 * serverName} (a host name or an IP literal), as HTTPS does, unless verification was turned off.
 */
public final class ClientTls {
    private final SslContext context;
    private final String serverName;
    private final boolean verifyName;

    private ClientTls(SslContext context, String serverName, boolean verifyName) {
        this.context = context;
        this.serverName = Objects.requireNonNull(serverName, "serverName");
        this.verifyName = verifyName;
    }

    /** Trusts the JDK's default certificate authorities (the system's, as a browser would). */
    public static ClientTls system(String serverName) throws SSLException {
        return new ClientTls(builder().build(), serverName, true);
    }

    /** Trusts only these certificates (a private CA, or a self-signed server's own certificate). */
    public static ClientTls trusting(String serverName, java.security.cert.X509Certificate... trusted)
            throws SSLException {
        return new ClientTls(builder().trustManager(trusted).build(), serverName, true);
    }

    /**
     * Checks nothing: any certificate for any name is accepted. For testing a server whose
     * certificate is known to be wrong; the connection is encrypted but not authenticated.
     */
    public static ClientTls insecure(String serverName) throws SSLException {
        return new ClientTls(
                builder().trustManager(InsecureTrustManagerFactory.INSTANCE).build(), serverName, false);
    }

    private static SslContextBuilder builder() {
        return SslContextBuilder.forClient().protocols("TLSv1.3", "TLSv1.2");
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
}
