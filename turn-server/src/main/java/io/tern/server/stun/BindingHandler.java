package io.tern.server.stun;

import io.tern.server.transport.Exchange;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeType;

/**
 * Binding (RFC 8489 §7.3.1): tells the client the address it was seen from. RFC 3489 clients,
 * which send no magic cookie, get MAPPED-ADDRESS instead of XOR-MAPPED-ADDRESS (RFC 8489 §12).
 */
public final class BindingHandler implements MethodHandler {
    private final Responder responder;

    public BindingHandler(Responder responder) {
        this.responder = responder;
    }

    @Override
    public void handle(Exchange exchange, StunReader request) {
        int type = request.isRfc3489() ? AttributeType.MAPPED_ADDRESS : AttributeType.XOR_MAPPED_ADDRESS;
        responder.success(exchange, request).address(type, exchange.remote());
        responder.send(exchange, request);
    }
}
