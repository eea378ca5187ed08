package io.tern.server.turn;

import io.tern.server.auth.AuthResult;
import io.tern.server.stun.MethodHandler;
import io.tern.server.transport.Exchange;
import io.tern.stun.StunReader;

/**
 * A request about an existing allocation (Refresh, CreatePermission, ChannelBind): by the time
 * {@link #handle(Exchange, StunReader, AuthResult, Allocation)} runs, the request is authenticated
 * (or was a retransmission, answered from the cache), the 5-tuple has an allocation (else 437)
 * and it belongs to the requesting user (else 441).
 */
abstract class AllocationRequestHandler implements MethodHandler {
    final TurnRequests turn;
    final RelayLoop loop;

    AllocationRequestHandler(TurnRequests turn) {
        this.turn = turn;
        this.loop = turn.loop();
    }

    @Override
    public final void handle(Exchange exchange, StunReader request) {
        AuthResult auth = turn.authenticate(exchange, request);
        if (auth == null) {
            return;
        }
        Allocation allocation = turn.allocation(exchange, request, auth);
        if (allocation == null) {
            return;
        }
        handle(exchange, request, auth, allocation);
    }

    abstract void handle(Exchange exchange, StunReader request, AuthResult auth, Allocation allocation);
}
