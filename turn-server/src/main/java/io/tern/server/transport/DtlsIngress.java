package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.tern.server.dtls.DtlsApplication;
import io.tern.server.dtls.DtlsSession;
import io.tern.server.turn.AllocationHome;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * STUN/TURN inside the DTLS sessions of one listening socket: each decrypted record goes to the
 * same {@link StunIngress} as a plain UDP datagram, framed like one (ChannelData unpadded), and
 * answers go back through the session. A session that ends takes its allocation with it, as a
 * closed TCP connection does.
 */
final class DtlsIngress implements DtlsApplication {
    private final Supplier<StunIngress> ingress;
    private final Exchange exchange = new Exchange();
    /** This socket's allocations by client address; the socket, and so the map, is one loop's. */
    private final AllocationHome allocations = AllocationHome.map();

    DtlsIngress(Supplier<StunIngress> ingress) {
        this.ingress = ingress;
    }

    @Override
    public void onMessage(ChannelHandlerContext listener, DtlsSession session, ByteBuf message) {
        reset(listener, session);
        ingress.get().onMessage(exchange, message);
    }

    @Override
    public void onReadComplete() {
        ingress.get().flush();
    }

    @Override
    public void onClosed(ChannelHandlerContext listener, DtlsSession session) {
        reset(listener, session);
        ingress.get().connectionClosed(exchange);
    }

    private void reset(ChannelHandlerContext listener, DtlsSession session) {
        InetSocketAddress local = (InetSocketAddress) listener.channel().localAddress();
        exchange.resetDtls(listener, session.clientAddress(), local, allocations, session);
    }
}
