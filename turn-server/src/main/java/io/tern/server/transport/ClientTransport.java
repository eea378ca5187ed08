package io.tern.server.transport;

/** How a client reached the server; TURN answers and policies depend on it. */
public enum ClientTransport {
    UDP(true),
    TCP(false),
    /** TCP with TLS (RFC 8656 §3.1, port 5349): a stream, framed like TCP. */
    TLS(false);

    private final boolean datagram;

    ClientTransport(boolean datagram) {
        this.datagram = datagram;
    }

    /** Whether each message is its own datagram (no framing, no padding of ChannelData). */
    public boolean isDatagram() {
        return datagram;
    }
}
