package io.tern.client;

import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * No DTLS handshake completed within the connect timeout: nothing answered on the server's UDP
 * port, or not with DTLS. The ClientHello was sent again meanwhile (RFC 6347 §4.2.4).
 */
public final class DtlsHandshakeTimeoutException extends SSLException {
    private static final long serialVersionUID = 1L;

    DtlsHandshakeTimeoutException(Duration timeout) {
        super("DTLS handshake not done within " + timeout.toMillis() + " ms");
    }
}
