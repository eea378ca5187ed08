package io.tern.server.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The source of the datagram being handled: one per socket implementation, overwritten for every
 * datagram, so receiving builds no address object. Valid only during the call that passed it; use
 * {@link UdpAddress#of(UdpSource)} to keep it.
 */
public final class UdpSource extends UdpEndpoint {
    /** Set from a native {@code sockaddr}. */
    public void set(long hi, long lo, int port) {
        this.hi = hi;
        this.lo = lo;
        this.port = port;
    }

    /** Set from the JDK's form (Netty's datagram path, which has built it already). */
    public void set(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        set(hiOf(ip), loOf(ip), address.getPort());
    }

    @Override
    public InetSocketAddress toSocketAddress() {
        return socketAddress(hi, lo, port);
    }
}
