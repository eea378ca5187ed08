package io.tern.server.turn;

import io.tern.server.auth.AuthResult;
import io.tern.server.transport.Exchange;
import io.tern.server.udp.UdpAddress;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.channel.ChannelData;
import java.net.InetSocketAddress;

/**
 * ChannelBind (RFC 8656 §11): binds a channel number to a peer transport address, or refreshes
 * the binding, and installs or refreshes the permission for the peer's IP. A number already bound
 * to another peer, or a peer already bound to another number, is 400 (§11.2 rebinding rules).
 */
final class ChannelBindHandler extends AllocationRequestHandler {
    ChannelBindHandler(TurnRequests turn) {
        super(turn);
    }

    @Override
    void handle(Exchange exchange, StunReader request, AuthResult auth, Allocation a) {
        if (a.tcp() != null) {
            turn.badRequest(exchange, request, auth, "a TCP allocation has no channels (RFC 6062)");
            return;
        }
        long word = request.u32(AttributeType.CHANNEL_NUMBER);
        int number = (int) (word >>> 16);
        if (word < 0 || !ChannelData.isRfc5766Channel(number)) {
            turn.badRequest(exchange, request, auth, "CHANNEL-NUMBER missing or outside 0x4000-0x7FFF");
            return;
        }
        InetSocketAddress peer = TurnRequests.firstPeer(request);
        if (peer == null) {
            turn.badRequest(exchange, request, auth, "XOR-PEER-ADDRESS missing or malformed");
            return;
        }
        if (!acceptablePeer(exchange, request, auth, a, peer)) {
            return;
        }
        long now = loop.now();
        UdpAddress peerAddress = UdpAddress.of(peer);
        if (a.channels().bind(number, peerAddress, now) == ChannelBindings.BindResult.CONFLICT) {
            turn.badRequest(exchange, request, auth, "channel or peer already bound otherwise");
            return;
        }
        a.permissions().install(peerAddress, now);
        turn.success(exchange, request);
        turn.send(exchange, request, auth);
    }
}
