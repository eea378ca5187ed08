package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.tern.server.metrics.DropReason;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.turn.AllocationHome;
import io.tern.server.udp.UdpReceiver;
import io.tern.server.udp.UdpSocket;
import io.tern.server.udp.UdpSource;
import java.util.function.Supplier;

/**
 * What one UDP listening socket delivers to. Each datagram is one message; answers and relayed
 * data are flushed once per read batch, so each socket sends them together with one sendmmsg.
 */
final class DatagramHandler implements UdpReceiver {
    private final Supplier<StunIngress> ingress;
    private final ServerMetrics metrics;
    private final Exchange exchange = new Exchange();
    /** This socket's allocations by client address; the socket, and so the table, is one loop's. */
    private final AllocationHome allocations = AllocationHome.map();

    private UdpSocket socket;

    DatagramHandler(Supplier<StunIngress> ingress, ServerMetrics metrics) {
        this.ingress = ingress;
        this.metrics = metrics;
    }

    /** The socket this handler serves; set on its loop before any datagram is delivered. */
    void attach(UdpSocket socket) {
        this.socket = socket;
    }

    @Override
    public void datagram(ByteBuf data, UdpSource from) {
        exchange.resetUdp(socket, from, socket.localAddress(), allocations);
        ingress.get().onMessage(exchange, data);
    }

    @Override
    public void batchEnd() {
        socket.flush();
        ingress.get().flush();
    }

    @Override
    public void sendFailed() {
        // A UDP socket serves every client: one failed send must not close it; clients retransmit.
        metrics.dropped(DropReason.SEND_FAILED);
    }
}
