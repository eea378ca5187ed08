package io.tern.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.tern.server.turn.AllocationHome;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of one UDP listening socket. Each datagram is one message; answers and relayed data
 * are flushed once per read batch so epoll can send them together.
 */
final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(DatagramHandler.class);

    private final Supplier<StunIngress> ingress;
    private final Exchange exchange = new Exchange();
    /** This socket's allocations by client address; the socket, and so the map, is one loop's. */
    private final AllocationHome allocations = AllocationHome.map();

    DatagramHandler(Supplier<StunIngress> ingress) {
        this.ingress = ingress;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        exchange.reset(ctx, ClientTransport.UDP, packet.sender(), local, allocations);
        ingress.get().onMessage(exchange, packet.content());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ingress.get().flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket serves every client: one bad send (e.g. ICMP unreachable) must not close it.
        log.debug("UDP listener {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
