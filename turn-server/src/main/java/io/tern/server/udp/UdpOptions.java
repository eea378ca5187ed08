package io.tern.server.udp;

/**
 * How a UDP socket is set up.
 *
 * @param receiveBuffer SO_RCVBUF in bytes; 0 leaves the kernel's default
 * @param sendBuffer SO_SNDBUF in bytes; 0 leaves the kernel's default
 * @param reusePort SO_REUSEPORT, so that one socket per event loop can share a listening port
 */
public record UdpOptions(int receiveBuffer, int sendBuffer, boolean reusePort) {
    /** A relay socket: one per allocation, kernel buffers, its own port. */
    public static final UdpOptions RELAY = new UdpOptions(0, 0, false);
}
