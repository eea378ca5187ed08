package io.tern.server.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An immutable UDP transport address, made once when a permission, channel or allocation is
 * created and then compared against each datagram's {@link UdpSource} without allocating. Keeps
 * the JDK form for sends on Netty's datagram path and for logs.
 */
public final class UdpAddress extends UdpEndpoint {
    private final InetSocketAddress socketAddress;

    private UdpAddress(long hi, long lo, int port, InetSocketAddress socketAddress) {
        super(hi, lo, port);
        this.socketAddress = socketAddress;
    }

    public static UdpAddress of(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        return new UdpAddress(hiOf(ip), loOf(ip), address.getPort(), address);
    }

    /** A lasting copy of a datagram's source. */
    public static UdpAddress of(UdpSource source) {
        return new UdpAddress(source.hi, source.lo, source.port, source.toSocketAddress());
    }

    @Override
    public InetSocketAddress toSocketAddress() {
        return socketAddress;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpAddress a && sameAs(a);
    }

    @Override
    public int hashCode() {
        return hash();
    }
}
