package io.tern.server.metrics;

/** How a DTLS handshake ended; counted per outcome. */
public enum DtlsHandshake {
    /** The session is established and carries STUN/TURN. */
    COMPLETED,
    /** The client sent an alert or a message the engine refused. */
    FAILED,
    /** Not finished within the handshake timeout, or no ClientHello with the cookie in time. */
    TIMED_OUT,
    /**
     * Waiting for the ClientHello with the cookie when every handshake slot was taken: the oldest
     * such handshake gives its slot to a newer ClientHello (forged ones never answer the cookie).
     */
    EVICTED
}
