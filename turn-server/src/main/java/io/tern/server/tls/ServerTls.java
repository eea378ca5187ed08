package io.tern.server.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.tern.server.config.ConfigException;
import io.tern.server.config.TlsConfig;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of STUN/TURN over TLS: one {@link SslContext} built at start-up from the
 * configured certificate, and a fresh {@link SslHandler} per accepted connection. The JDK provider
 * (no native library), TLS 1.3 and 1.2 only, and only forward-secret AEAD cipher suites.
 */
public final class ServerTls {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * TLS 1.3 suites, then TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305 (Mozilla's
     * "intermediate" list); suites the JDK lacks are left out.
     */
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final SslContext context;
    private final X509Certificate leaf;

    private ServerTls(SslContext context, X509Certificate leaf) {
        this.context = context;
        this.leaf = leaf;
    }

    /** The TLS side for this configuration, or null when TLS is off or has no certificate. */
    public static ServerTls create(TlsConfig config) {
        if (!config.active()) {
            return null;
        }
        CertificateAndKey credentials;
        if (config.devSelfSigned()) {
            credentials = CertificateAndKey.selfSigned("localhost", Duration.ofDays(30));
        } else {
            credentials = CertificateAndKey.load(config.cert(), config.key());
            Instant notAfter = credentials.leaf().getNotAfter().toInstant();
            if (notAfter.isBefore(Instant.now())) {
                log.warn(
                        "the TLS certificate in {} expired on {}: clients that check it will refuse to connect",
                        config.cert(),
                        notAfter);
            }
        }
        try {
            return new ServerTls(context(credentials), credentials.leaf());
        } catch (SSLException | RuntimeException e) {
            String where = config.devSelfSigned() ? "(generated)" : String.valueOf(config.cert());
            throw new ConfigException("cert", where, "cannot use it for TLS: " + e.getMessage());
        }
    }

    /** A server context for a certificate and key, with Tern's protocol and cipher choice. */
    public static SslContext context(CertificateAndKey credentials) throws SSLException {
        return SslContextBuilder.forServer(
                        credentials.key(), credentials.chain().toArray(new X509Certificate[0]))
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .build();
    }

    /** A handler for one accepted connection; the handshake must finish within the timeout. */
    public SslHandler newHandler(Channel ch) {
        SslHandler handler = context.newHandler(ch.alloc());
        handler.setHandshakeTimeout(TlsConfig.HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return handler;
    }

    /** The certificate the server presents. */
    public X509Certificate certificate() {
        return leaf;
    }
}
