package io.tern.server.turn;

import io.tern.server.auth.AuthResult;
import io.tern.server.metrics.AllocationEnd;
import io.tern.server.transport.Exchange;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;

/**
 * Refresh (RFC 8656 §8): extends an allocation's lifetime, or ends it with LIFETIME 0. A
 * REQUESTED-ADDRESS-FAMILY other than the allocation's is 443.
 */
final class RefreshHandler extends AllocationRequestHandler {
    RefreshHandler(TurnRequests turn) {
        super(turn);
    }

    @Override
    void handle(Exchange exchange, StunReader request, AuthResult auth, Allocation a) {
        if (request.has(AttributeType.REQUESTED_ADDRESS_FAMILY)) {
            long family = request.u32(AttributeType.REQUESTED_ADDRESS_FAMILY) >>> 24;
            boolean ipv4 = a.relayedAddress().getAddress() instanceof java.net.Inet4Address;
            if (family != (ipv4 ? 1 : 2)) {
                turn.error(exchange, request, auth, 443, "Peer Address Family Mismatch");
                return;
            }
        }
        long requested = request.u32(AttributeType.LIFETIME);
        long granted;
        if (requested == 0) {
            loop.end(a, AllocationEnd.DELETED);
            granted = 0;
        } else {
            granted = loop.services().grantedLifetimeSeconds(requested);
            a.expiresAt(loop.now() + granted * 1000);
        }
        turn.success(exchange, request).u32(AttributeType.LIFETIME, (int) granted);
        turn.send(exchange, request, auth);
    }
}
