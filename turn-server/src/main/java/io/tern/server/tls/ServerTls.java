package io.tern.server.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of STUN/TURN over TLS: an {@link SslContext} built from the configured
 * certificate, rebuilt when the files change or on reload, and a fresh {@link SslHandler} per
 * accepted connection from the context current at that moment. The JDK provider
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

    /** What one load of the files gave: immutable, published by one volatile write. */
    private record Loaded(SslContext context, CertificateAndKey credentials, FileStamp stamp) {
        X509Certificate leaf() {
            return credentials.leaf();
        }
    }

    /** Told of every certificate loaded after start-up (DTLS builds its own context from it). */
    private final List<Consumer<CertificateAndKey>> reloadListeners = new CopyOnWriteArrayList<>();

    private volatile Loaded current;
    private volatile TlsConfig config;
    /** The stamp of files that failed to load, so a broken renewal is reported once, not every check. */
    private volatile FileStamp refused;

    private ServerTls(TlsConfig config, Loaded loaded) {
        this.config = config;
        this.current = loaded;
    }

    /** The TLS side for this configuration, or null when TLS is off or has no certificate. */
    public static ServerTls create(TlsConfig config) {
        if (!config.active()) {
            return null;
        }
        return new ServerTls(config, load(config));
    }

    private static Loaded load(TlsConfig config) {
        CertificateAndKey credentials;
        FileStamp stamp = null;
        if (config.devSelfSigned()) {
            credentials = CertificateAndKey.selfSigned("localhost", Duration.ofDays(30));
        } else {
            stamp = FileStamp.of(config.cert(), config.key());
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
            return new Loaded(context(credentials, config.web()), credentials, stamp);
        } catch (SSLException | RuntimeException e) {
            String where = config.devSelfSigned() ? "(generated)" : String.valueOf(config.cert());
            throw new ConfigException("cert", where, "cannot use it for TLS: " + e.getMessage());
        }
    }

    /**
     * Loads the certificate and key that {@code next} names (on SIGHUP): new connections get them,
     * connections already open keep the certificate they were made with. A file that does not load
     * is a {@link ConfigException} and the running certificate stays. A generated development
     * certificate is kept as it is.
     */
    public void reload(TlsConfig next) {
        if (next.devSelfSigned() || !next.active()) {
            return;
        }
        Loaded loaded = load(next);
        config = next;
        current = loaded;
        refused = null;
        logLoaded("reloaded", next, loaded);
        reloadListeners.forEach(l -> l.accept(loaded.credentials()));
    }

    /**
     * Reloads the files when their modification time or size changed since they were loaded: how a
     * renewed certificate (certbot, cert-manager) takes effect without a restart. A renewal that
     * does not load is logged once and the running certificate stays.
     */
    public void reloadIfChanged() {
        TlsConfig c = config;
        Loaded now = current;
        if (c.devSelfSigned() || now.stamp() == null) {
            return;
        }
        FileStamp stamp = FileStamp.of(c.cert(), c.key());
        if (stamp.equals(now.stamp()) || stamp.equals(refused)) {
            return;
        }
        try {
            Loaded loaded = load(c);
            current = loaded;
            refused = null;
            logLoaded("renewed", c, loaded);
            reloadListeners.forEach(l -> l.accept(loaded.credentials()));
        } catch (ConfigException e) {
            refused = stamp;
            log.error(
                    "the TLS certificate files changed but do not load; still serving the previous one: {}",
                    e.getMessage());
        }
    }

    private static void logLoaded(String what, TlsConfig c, Loaded loaded) {
        log.info(
                "TLS certificate {} from {}: {} valid until {}",
                what,
                c.cert(),
                loaded.leaf().getSubjectX500Principal().getName(),
                loaded.leaf().getNotAfter().toInstant());
    }

    /** A server context for a certificate and key, with Tern's protocol and cipher choice. */
    public static SslContext context(CertificateAndKey credentials) throws SSLException {
        return context(credentials, false);
    }

    /**
     * As {@link #context(CertificateAndKey)}; with {@code web}, ALPN offers {@code stun.turn} (RFC
     * 7443) and {@code http/1.1}, so a client can say which it speaks on a shared port. A client
     * that offers neither (or no ALPN at all) still connects; the first bytes decide then.
     */
    public static SslContext context(CertificateAndKey credentials, boolean web) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forServer(
                        credentials.key(), credentials.chain().toArray(new X509Certificate[0]))
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        if (web) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    STUN_TURN_ALPN,
                    ApplicationProtocolNames.HTTP_1_1));
        }
        return b.build();
    }

    /** ALPN protocol ID of STUN/TURN over (D)TLS, RFC 7443 §6. */
    public static final String STUN_TURN_ALPN = "stun.turn";

    /** A handler for one accepted connection; the handshake must finish within the timeout. */
    public SslHandler newHandler(Channel ch) {
        SslHandler handler = current.context().newHandler(ch.alloc());
        handler.setHandshakeTimeout(TlsConfig.HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return handler;
    }

    /** The certificate the server presents to new connections. */
    public X509Certificate certificate() {
        return current.leaf();
    }

    /** The certificate chain and key new connections get. */
    public CertificateAndKey credentials() {
        return current.credentials();
    }

    /**
     * Calls {@code listener} with each certificate loaded from now on (reload or renewal), on the
     * thread that loaded it.
     */
    public void onReload(Consumer<CertificateAndKey> listener) {
        reloadListeners.add(listener);
    }
}
