package io.tern.server.turn;

import io.tern.server.auth.AuthResult;
import io.tern.server.metrics.AllocationEnd;
import io.tern.server.transport.Exchange;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;

/**
 * Refresh (RFC 8656 §8): extends an allocation's lifetime, or ends it with LIFETIME 0.
 *
 * <p>RFC 8656 §8.2: a REQUESTED-ADDRESS-FAMILY that does not match the allocation's family is 443.
 * For a dual allocation (§7.2), which has two families, Tern reads it as coturn does: the Refresh
 * is about the relayed address of that family only, which it refreshes, or deletes with LIFETIME 0;
 * a family the allocation has no (more) relayed address of is 443. Deleting the last relayed
 * address ends the allocation. Without REQUESTED-ADDRESS-FAMILY the Refresh applies to every
 * relayed address.
 */
final class RefreshHandler extends AllocationRequestHandler {
    RefreshHandler(TurnRequests turn) {
        super(turn);
    }

    @Override
    void handle(Exchange exchange, StunReader request, AuthResult auth, Allocation a) {
        RelaySocket only = null;
        if (request.has(AttributeType.REQUESTED_ADDRESS_FAMILY)) {
            only = a.relayOfFamily((int) (request.u32(AttributeType.REQUESTED_ADDRESS_FAMILY) >>> 24));
            if (only == null) {
                turn.error(exchange, request, auth, 443, "Peer Address Family Mismatch");
                return;
            }
        }
        long requested = request.u32(AttributeType.LIFETIME);
        long granted;
        if (requested == 0) {
            granted = 0;
            if (only != null && a.relays().size() > 1) {
                only.close();
            } else {
                loop.end(a, AllocationEnd.DELETED);
            }
        } else {
            granted = loop.services().grantedLifetimeSeconds(requested);
            long until = loop.now() + granted * 1000;
            if (only != null) {
                only.expiresAt(until);
            } else {
                a.expiresAt(until);
            }
        }
        turn.success(exchange, request).u32(AttributeType.LIFETIME, (int) granted);
        turn.send(exchange, request, auth);
    }
}
