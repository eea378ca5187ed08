package io.tern.server.config;

import java.nio.file.Path;

/**
 * STUN/TURN over TLS (RFC 8656 §3.1, port 5349). TLS runs only when it is enabled and has a
 * certificate: PEM files ({@code cert} and {@code pkey}) or, for local testing, a self-signed one
 * generated at start-up ({@code devSelfSigned}).
 *
 * @param enabled false with {@code --no-tls}
 * @param port the TLS port (5349); 0 picks a free port (tests)
 * @param cert PEM certificate chain, leaf first; null when none is configured
 * @param key PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted); null when none is configured
 * @param devSelfSigned generate an in-memory self-signed certificate instead of reading files
 * @param certCheckSeconds how often the certificate and key files are checked for a change (a
 *     renewal) and reloaded; 0 only on reload (SIGHUP)
 * @param web serve the web routes (signaling WebSocket, demo page) on the TLS port too, told apart
 *     from TURN by ALPN or the first bytes: one port (e.g. 443) for everything
 * @param dtls also serve STUN/TURN over DTLS 1.2 on UDP, same port number and certificate (RFC 8656
 *     §3.1, RFC 7350); false with {@code --no-dtls}
 */
public record TlsConfig(
        boolean enabled,
        int port,
        Path cert,
        Path key,
        boolean devSelfSigned,
        int certCheckSeconds,
        boolean web,
        boolean dtls) {

    /** The IANA port of STUN/TURN over TLS, coturn's default too. */
    public static final int DEFAULT_PORT = 5349;

    /** How long a client has to complete the TLS handshake before the connection is closed. */
    public static final int HANDSHAKE_TIMEOUT_SECONDS = 10;

    /** Certificate files are checked for a renewal once a minute by default. */
    public static final int DEFAULT_CERT_CHECK_SECONDS = 60;

    /** How long a client has to complete the DTLS handshake before its session is dropped. */
    public static final int DTLS_HANDSHAKE_TIMEOUT_SECONDS = 10;

    public TlsConfig(boolean enabled, int port, Path cert, Path key, boolean devSelfSigned) {
        this(enabled, port, cert, key, devSelfSigned, DEFAULT_CERT_CHECK_SECONDS, false, true);
    }

    public TlsConfig {
        if (certCheckSeconds < 0) {
            throw new ConfigException(
                    "cert-check-seconds",
                    String.valueOf(certCheckSeconds),
                    "use 0 (on reload only) or a number of seconds");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("tls-listening-port", String.valueOf(port), "use a port from 1 to 65535");
        }
        if (cert != null && key == null) {
            throw new ConfigException("pkey", "(missing)", "--cert " + cert + " also needs --pkey KEYFILE");
        }
        if (key != null && cert == null) {
            throw new ConfigException("cert", "(missing)", "--pkey " + key + " also needs --cert CERTFILE");
        }
        if (devSelfSigned && cert != null) {
            throw new ConfigException(
                    "dev-self-signed", "set", "leave out either --dev-self-signed or --cert " + cert + "/--pkey");
        }
    }

    /** Enabled on port 5349, but without a certificate: no TLS listener until one is configured. */
    public static TlsConfig defaults() {
        return new TlsConfig(true, DEFAULT_PORT, null, null, false);
    }

    /** TLS with the certificate chain and key in these PEM files. */
    public static TlsConfig pem(int port, Path cert, Path key) {
        return new TlsConfig(true, port, cert, key, false);
    }

    /** TLS with a self-signed certificate made at start-up: for development only. */
    public static TlsConfig devSelfSigned(int port) {
        return new TlsConfig(true, port, null, null, true);
    }

    /** This configuration, with the certificate files checked for a change every {@code seconds}. */
    public TlsConfig withCertCheckSeconds(int seconds) {
        return new TlsConfig(enabled, port, cert, key, devSelfSigned, seconds, web, dtls);
    }

    /** This configuration, serving the web routes on the TLS port too when {@code on}. */
    public TlsConfig withWeb(boolean on) {
        return new TlsConfig(enabled, port, cert, key, devSelfSigned, certCheckSeconds, on, dtls);
    }

    /** This configuration, with DTLS on UDP next to TLS when {@code on}. */
    public TlsConfig withDtls(boolean on) {
        return new TlsConfig(enabled, port, cert, key, devSelfSigned, certCheckSeconds, web, on);
    }

    /** Whether a TLS listener runs: enabled and a certificate is configured. */
    public boolean active() {
        return enabled && (cert != null || devSelfSigned);
    }

    /** Whether a DTLS listener runs: whenever TLS does, unless DTLS is turned off. */
    public boolean dtlsActive() {
        return active() && dtls;
    }
}
