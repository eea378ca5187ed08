package io.tern.server.stun;

import io.netty.channel.EventLoop;
import io.tern.server.udp.UdpSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The UDP listening sockets RFC 5780 (NAT behaviour discovery) answers from: two IPs of one
 * family, A and B, each bound on the listening port P and the alternate port P' (RFC 5780 §4.1:
 * four transport addresses). For a request that arrived on one of them, OTHER-ADDRESS names the
 * one that differs in both IP and port, and CHANGE-REQUEST picks the one to answer from (RFC 5780
 * §6.1, Table 1):
 *
 * <pre>
 *  arrived on   OTHER-ADDRESS   change IP   change port   change both
 *  A:P          B:P'            B:P         A:P'          B:P'
 *  A:P'         B:P             B:P'        A:P           B:P
 *  B:P          A:P'            A:P         B:P'          A:P'
 *  B:P'         A:P             A:P'        B:P           A:P
 * </pre>
 *
 * A third listening IP of the family pairs with A. Listening addresses outside the family have no
 * entry: there, RFC 5780's request attributes get 420 as if RFC 5780 were off.
 *
 * <p>With SO_REUSEPORT every address has one socket per event loop, so an answer from another
 * address is written by the loop that read the request, with no hand-off. Filled once, after the
 * sockets are bound; the entries are immutable and published with one volatile write.
 */
public final class Rfc5780Sockets {
    /** One listening transport address, its OTHER-ADDRESS, and its sockets (one per loop). */
    record Entry(InetSocketAddress local, InetSocketAddress other, UdpSocket[] sockets) {}

    private volatile Entry[] entries = new Entry[0];

    /**
     * Indexes the bound UDP sockets.
     *
     * @param ips the listening IPs of the RFC 5780 family, in configuration order (two or more)
     * @param port the listening port every one of them is bound on
     * @param altPort the alternate port every one of them is bound on
     * @param udpSockets every bound UDP listening socket (others are ignored)
     */
    public void publish(List<InetAddress> ips, int port, int altPort, List<UdpSocket> udpSockets) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < ips.size(); i++) {
            InetAddress ip = ips.get(i);
            InetAddress otherIp = ips.get(i == 0 ? 1 : 0);
            for (int p : new int[] {port, altPort}) {
                InetSocketAddress local = new InetSocketAddress(ip, p);
                List<UdpSocket> sockets = udpSockets.stream()
                        .filter(socket -> local.equals(socket.localAddress()))
                        .toList();
                if (sockets.isEmpty()) {
                    throw new IllegalStateException("RFC 5780 socket " + local + " is not bound");
                }
                InetSocketAddress other = new InetSocketAddress(otherIp, p == port ? altPort : port);
                out.add(new Entry(local, other, sockets.toArray(new UdpSocket[0])));
            }
        }
        entries = out.toArray(new Entry[0]);
    }

    /** The entry of a listening address, or null when RFC 5780 does not run there. */
    Entry find(InetSocketAddress local) {
        return find(local.getAddress(), local.getPort());
    }

    /** The entry of a listening IP and port, or null. Allocates nothing. */
    Entry find(InetAddress ip, int port) {
        for (Entry e : entries) {
            if (e.local.getPort() == port && e.local.getAddress().equals(ip)) {
                return e;
            }
        }
        return null;
    }

    /**
     * The socket of {@code entry} that belongs to {@code loop}, so the write needs no hand-off; any
     * of them when none does (the NIO transport binds one socket per address, on one loop).
     */
    static UdpSocket socketOn(Entry entry, EventLoop loop) {
        for (UdpSocket socket : entry.sockets) {
            if (socket.eventLoop() == loop) {
                return socket;
            }
        }
        return entry.sockets[0];
    }
}
