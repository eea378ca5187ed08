package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tern.server.auth.AuthResult;
import io.tern.server.transport.Exchange;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;
import java.net.InetSocketAddress;

/**
 * Connect (RFC 6062 §5.2): opens a TCP connection from a TCP allocation's relayed address to a
 * peer. 400 on a UDP allocation or without XOR-PEER-ADDRESS, 443 for the other address family, 403
 * when the peer filter refuses the peer, 446 when a connection to that peer exists; 447 when the
 * connection fails or takes over 30 s. The success answer carries the CONNECTION-ID the client's
 * ConnectionBind names.
 *
 * <p>The answer comes when the connection is made, after this call: the request is copied, and
 * answered on the same event loop (the allocation's) through the same control connection.
 */
final class ConnectHandler extends AllocationRequestHandler {
    ConnectHandler(TurnRequests turn) {
        super(turn);
    }

    @Override
    void handle(Exchange exchange, StunReader request, AuthResult auth, Allocation a) {
        TcpRelay tcp = a.tcp();
        if (tcp == null) {
            turn.badRequest(exchange, request, auth, "Connect needs a TCP allocation (RFC 6062)");
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
        if (tcp.connectedTo(peer)) {
            turn.error(exchange, request, auth, 446, "Connection Already Exists");
            return;
        }
        ByteBuf copy = Unpooled.copiedBuffer(request.buffer());
        tcp.connect(peer, connection -> {
            try {
                StunReader later = new StunReader();
                if (later.wrap(copy) != null || !exchange.channel().isActive()) {
                    if (connection != null) {
                        connection.close();
                    }
                    return;
                }
                if (connection == null) {
                    turn.error(exchange, later, auth, 447, "Connection Timeout or Failure");
                } else {
                    turn.success(exchange, later).u32(AttributeType.CONNECTION_ID, connection.id());
                    turn.send(exchange, later, auth);
                }
                exchange.channel().flush();
            } finally {
                copy.release();
            }
        });
    }
}
