package io.tern.server.transport;

/** How a client reached the server; TURN answers and policies depend on it. */
public enum ClientTransport {
    UDP(true),
    TCP(false),
    /** TCP with TLS (RFC 8656 §3.1, port 5349): a stream, framed like TCP. */
    TLS(false),
    /**
     * UDP with DTLS 1.2 (RFC 8656 §3.1, RFC 7350, port 5349): each decrypted record is one message,
     * framed like UDP.
     */
    DTLS(true);

    private final boolean datagram;

    ClientTransport(boolean datagram) {
        this.datagram = datagram;
    }

    /** Whether each message is its own datagram (no framing, no padding of ChannelData). */
    public boolean isDatagram() {
        return datagram;
    }

    /**
     * Whether the client's source address may be forged: plain UDP only. A stream's source is
     * proven by its handshake, a DTLS session's by its cookie exchange and handshake.
     */
    public boolean isSpoofable() {
        return this == UDP;
    }
}
