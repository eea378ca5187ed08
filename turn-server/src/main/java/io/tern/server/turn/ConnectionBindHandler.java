package io.tern.server.turn;

import io.tern.server.auth.AuthResult;
import io.tern.server.stun.MethodHandler;
import io.tern.server.transport.Exchange;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;

/**
 * ConnectionBind (RFC 6062 §5.4): arrives on a new client connection (the data connection) and
 * names a peer connection by CONNECTION-ID. When it is the same user's and still waiting, the
 * answer is sent and the connection stops speaking STUN: from then on its bytes and the peer's
 * are relayed as they are ({@link TcpPipe}). 400 over UDP, on a connection that has an allocation,
 * without CONNECTION-ID, or for an unknown or already bound id; 441 for another user's.
 */
final class ConnectionBindHandler implements MethodHandler {
    private final TurnRequests turn;
    private final RelayLoop loop;

    ConnectionBindHandler(TurnRequests turn) {
        this.turn = turn;
        this.loop = turn.loop();
    }

    @Override
    public void handle(Exchange exchange, StunReader request) {
        AuthResult auth = turn.authenticate(exchange, request);
        if (auth == null) {
            return;
        }
        long id = request.u32(AttributeType.CONNECTION_ID);
        if (exchange.transport().isDatagram() || exchange.allocation() != null || id < 0) {
            turn.badRequest(
                    exchange, request, auth, "ConnectionBind needs CONNECTION-ID on a new TCP or TLS connection");
            return;
        }
        var pending = loop.services().pendingTcp();
        TcpConnection c = pending.get((int) id);
        if (c == null) {
            turn.badRequest(exchange, request, auth, "no peer connection waits with this CONNECTION-ID");
            return;
        }
        if (!c.relay().ownedBy(auth.username())) {
            turn.error(exchange, request, auth, 441, "Wrong Credentials");
            return;
        }
        if (!c.relay().claim(c)) {
            // Bound by another data connection, or timed out, a moment ago.
            turn.badRequest(exchange, request, auth, "no peer connection waits with this CONNECTION-ID");
            return;
        }
        turn.success(exchange, request);
        turn.send(exchange, request, auth);
        exchange.channel().config().setRecvByteBufAllocator(TcpPipe.READS);
        exchange.handOver(
                c.bind(exchange.channel(), loop.metrics(), exchange.transport().ordinal()));
        exchange.channel().flush();
    }
}
