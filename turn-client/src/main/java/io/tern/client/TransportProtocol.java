package io.tern.client;

/** How the client reaches the server; {@link ClientTls} runs TLS over TCP and DTLS over UDP. */
public enum TransportProtocol {
    /** One STUN message or ChannelData message per datagram; the client retransmits. */
    UDP(false),
    /** A byte stream framed by the message lengths; the stream retransmits, the client does not. */
    TCP(true);

    private final boolean reliable;

    TransportProtocol(boolean reliable) {
        this.reliable = reliable;
    }

    /** Whether the transport delivers reliably, so that RFC 8489 §6.2.1 retransmission is off. */
    public boolean isReliable() {
        return reliable;
    }
}
