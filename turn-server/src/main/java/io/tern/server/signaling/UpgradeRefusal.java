package io.tern.server.signaling;

/**
 * Why a WebSocket upgrade on {@code /signal} was refused before the handshake; the {@code reason}
 * label of {@code tern_signal_connections_refused_total}, named after the option that refused it.
 */
public enum UpgradeRefusal {
    /** {@code --signal-max-connections} are open (HTTP 503). */
    MAX_CONNECTIONS("max-connections", 503, "too many signaling connections on this server; try again later\n"),
    /** {@code --signal-max-connections-per-ip} are open from this address (HTTP 429). */
    MAX_CONNECTIONS_PER_IP(
            "max-connections-per-ip", 429, "too many signaling connections from your address; close some first\n"),
    /** The {@code Origin} header is absent or not an {@code --signal-allowed-origin} (HTTP 403). */
    ORIGIN("origin", 403, "this origin may not use the signaling relay\n");

    private final String reason;
    private final int httpStatus;
    private final String body;

    UpgradeRefusal(String reason, int httpStatus, String body) {
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.body = body;
    }

    /** The metric label, e.g. {@code max-connections-per-ip}. */
    public String reason() {
        return reason;
    }

    /** The status of the HTTP answer. */
    public int httpStatus() {
        return httpStatus;
    }

    /** A short text/plain body for the HTTP answer. */
    public String body() {
        return body;
    }
}
