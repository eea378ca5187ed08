package io.tern.server.turn;

import io.tern.server.auth.AuthResult;
import io.tern.server.transport.Exchange;
import io.tern.server.udp.UdpAddress;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * CreatePermission (RFC 8656 §10): installs or refreshes permissions for one or more peer IPs.
 * All or nothing: if any XOR-PEER-ADDRESS is refused (403 by the peer filter, 443 for a family the
 * allocation has no relayed address of) none is installed.
 */
final class CreatePermissionHandler extends AllocationRequestHandler {
    CreatePermissionHandler(TurnRequests turn) {
        super(turn);
    }

    @Override
    void handle(Exchange exchange, StunReader request, AuthResult auth, Allocation a) {
        List<InetSocketAddress> peers = new ArrayList<>(2);
        for (int i = 0; i < request.attributeCount(); i++) {
            if (request.attributeType(i) != AttributeType.XOR_PEER_ADDRESS) {
                continue;
            }
            InetSocketAddress peer = TurnRequests.peerAddress(request, i);
            if (peer == null) {
                turn.badRequest(exchange, request, auth, "malformed XOR-PEER-ADDRESS");
                return;
            }
            if (!acceptablePeer(exchange, request, auth, a, peer)) {
                return;
            }
            peers.add(peer);
        }
        if (peers.isEmpty()) {
            turn.badRequest(exchange, request, auth, "XOR-PEER-ADDRESS missing");
            return;
        }
        long now = loop.now();
        for (InetSocketAddress peer : peers) {
            a.permissions().install(UdpAddress.of(peer), now);
        }
        turn.success(exchange, request);
        turn.send(exchange, request, auth);
    }
}
