package io.tern.server.turn;

import io.tern.server.metrics.RelayDrop;
import io.tern.server.stun.MethodHandler;
import io.tern.server.transport.Exchange;
import io.tern.server.udp.UdpSource;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;

/**
 * Send indication (RFC 8656 §11.2): data for a peer, wrapped in STUN. Indications are not
 * authenticated; the 5-tuple's allocation and its permission are the check. Anything wrong is
 * dropped and counted: an indication gets no answer. The peer is read into numbers, so relaying a
 * Send indication builds nothing. One per event loop.
 */
final class SendHandler implements MethodHandler {
    private final RelayLoop loop;
    private final ClientRelay relay;
    private final UdpSource peer = new UdpSource();

    SendHandler(RelayLoop loop, ClientRelay relay) {
        this.loop = loop;
        this.relay = relay;
    }

    @Override
    public void handle(Exchange exchange, StunReader indication) {
        Allocation a = exchange.allocation();
        if (a == null || a.isClosed()) {
            loop.metrics().relayDropped(RelayDrop.NO_ALLOCATION);
            return;
        }
        int data = indication.indexOf(AttributeType.DATA);
        int at = indication.indexOf(AttributeType.XOR_PEER_ADDRESS);
        if (data < 0 || at < 0 || !TurnRequests.readPeer(indication, at, peer)) {
            loop.metrics().relayDropped(RelayDrop.MALFORMED);
            return;
        }
        // Permissions are per IP, so a permission for the server's own IP would otherwise let a
        // Send indication reach the server's listening port from its own relay (channels are
        // checked once, at ChannelBind).
        if (loop.services().peerFilter().isServerTransportAddress(peer.hi(), peer.lo(), peer.port())) {
            loop.metrics().relayDropped(RelayDrop.PEER_REFUSED);
            return;
        }
        relay.forward(
                a, peer, indication.buffer(), indication.valueOffset(data), indication.valueLength(data), loop.now());
    }
}
