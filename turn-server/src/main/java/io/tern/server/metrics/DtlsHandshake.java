package io.tern.server.metrics;

/** How a DTLS handshake ended; counted per outcome. */
public enum DtlsHandshake {
    /** The session is established and carries STUN/TURN. */
    COMPLETED,
    /** The client sent an alert or a message the engine refused. */
    FAILED,
    /** Not finished within the handshake timeout (also a ClientHello never followed up). */
    TIMED_OUT
}
