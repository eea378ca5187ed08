package io.tern.server.turn;

import io.tern.server.auth.AuthResult;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.policy.PeerVerdict;
import io.tern.server.stun.MethodHandler;
import io.tern.server.transport.Exchange;
import io.tern.stun.StunReader;
import java.net.InetSocketAddress;

/**
 * A request about an existing allocation (Refresh, CreatePermission, ChannelBind, Connect): by
 * the time {@link #handle(Exchange, StunReader, AuthResult, Allocation)} runs, the request is
 * authenticated (or was a retransmission, answered from the cache), the 5-tuple has an allocation
 * (else 437) and it belongs to the requesting user (else 441).
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

    /**
     * Answers and returns false when {@code peer} may not be a peer of {@code a}: 443 when the
     * allocation has no relayed address of the peer's family (RFC 8656 §9.1, §11.2; a dual
     * allocation has both), 403 when the peer filter refuses it (counted). True when it may.
     */
    final boolean acceptablePeer(
            Exchange exchange, StunReader request, AuthResult auth, Allocation a, InetSocketAddress peer) {
        if (a.relayFor(peer.getAddress()) == null) {
            turn.error(exchange, request, auth, 443, "Peer Address Family Mismatch");
            return false;
        }
        if (loop.services().peerFilter().check(peer) != PeerVerdict.ALLOWED) {
            loop.metrics().relayDropped(RelayDrop.PEER_REFUSED);
            turn.error(exchange, request, auth, 403, "Forbidden");
            return false;
        }
        return true;
    }
}
