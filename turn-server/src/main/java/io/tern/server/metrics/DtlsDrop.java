package io.tern.server.metrics;

/** Why a datagram on a DTLS port was discarded before it reached STUN/TURN; counted per reason. */
public enum DtlsDrop {
    /**
     * From an address without a session, and not a DTLS ClientHello: garbage, or a plain STUN
     * client on the DTLS port. No state is made for it.
     */
    NOT_CLIENT_HELLO,
    /** A ClientHello while the most handshakes the server takes at once are in progress. */
    HANDSHAKE_LIMIT,
    /**
     * A datagram for a handshake not yet past its cookie (a new ClientHello, or another for one
     * waiting) beyond the listener's budget for such work: each costs the event loop a few hundred
     * microseconds, and anyone can send them from forged addresses.
     */
    HANDSHAKE_RATE,
    /**
     * A datagram of a session that held no usable record: not DTLS, undecryptable, replayed, of
     * an old epoch, or cut short. The session goes on.
     */
    BAD_RECORD
}
