package io.tern.server.stun;

import io.tern.server.metrics.DropReason;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.transport.Exchange;
import io.tern.stun.ParseError;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;

/**
 * Routes a STUN message to the handler of its method: a table indexed by method number, filled
 * once at start-up, so adding a method is adding a handler class, not growing a switch.
 *
 * <p>Checks shared by every method happen here, in RFC 8489 §6.3 order: FINGERPRINT, then class,
 * then unknown comprehension-required attributes (420), then the method (400 when unknown).
 */
public final class StunDispatcher {
    /** RFC 8489 §6.3.1.1: attributes in an unanswerable request earn 400, with the reason. */
    private static final int BAD_REQUEST = 400;

    private static final int UNKNOWN_ATTRIBUTE = 420;

    private final MethodHandler[] requestHandlers = new MethodHandler[StunMethod.METHOD_SPACE];
    private final MethodHandler[] indicationHandlers = new MethodHandler[StunMethod.METHOD_SPACE];
    private final Responder responder;
    private final ServerMetrics metrics;
    private final int[] unknown = new int[StunReader.MAX_ATTRIBUTES];

    public StunDispatcher(Responder responder, ServerMetrics metrics) {
        this.responder = responder;
        this.metrics = metrics;
    }

    public StunDispatcher onRequest(int method, MethodHandler handler) {
        requestHandlers[method] = handler;
        return this;
    }

    public StunDispatcher onIndication(int method, MethodHandler handler) {
        indicationHandlers[method] = handler;
        return this;
    }

    /** Handles a message that {@code reader} wrapped successfully. */
    public void dispatch(Exchange exchange, StunReader reader) {
        if (reader.hasFingerprint() && !reader.verifyFingerprint()) {
            metrics.dropped(DropReason.BAD_FINGERPRINT);
            return;
        }
        int method = reader.method();
        if (reader.isRfc3489() && method != StunMethod.BINDING) {
            metrics.dropped(DropReason.RFC3489_NOT_BINDING);
            return;
        }
        switch (reader.messageClass()) {
            case REQUEST -> request(exchange, reader, method);
            case INDICATION -> indication(exchange, reader, method);
            default -> metrics.dropped(DropReason.UNEXPECTED_RESPONSE);
        }
    }

    /**
     * Handles a message whose header was sound but whose attributes were not: a request is
     * answered with 400 naming the problem, anything else is only counted.
     */
    public void malformed(Exchange exchange, StunReader reader, ParseError error) {
        metrics.malformed(error);
        if (isAnswerable(error) && reader.messageClass() == io.tern.stun.StunClass.REQUEST) {
            responder.sendError(exchange, reader, BAD_REQUEST, error.description());
        }
    }

    private static boolean isAnswerable(ParseError error) {
        return switch (error) {
            case ATTRIBUTE_TRUNCATED,
                    TOO_MANY_ATTRIBUTES,
                    BAD_ATTRIBUTE_LENGTH,
                    DUPLICATE_INTEGRITY,
                    INTEGRITY_OUT_OF_ORDER,
                    ATTRIBUTE_AFTER_FINGERPRINT -> true;
            default -> false;
        };
    }

    private void request(Exchange exchange, StunReader reader, int method) {
        int unknownCount = reader.unknownComprehensionRequired(unknown);
        if (unknownCount > 0) {
            responder
                    .error(exchange, reader, UNKNOWN_ATTRIBUTE, "Unknown Attribute")
                    .unknownAttributes(unknown, unknownCount);
            responder.send(exchange, reader);
            return;
        }
        MethodHandler handler = requestHandlers[method];
        if (handler == null) {
            responder.sendError(exchange, reader, BAD_REQUEST, "Unsupported method " + StunMethod.name(method));
            return;
        }
        handler.handle(exchange, reader);
    }

    private void indication(Exchange exchange, StunReader reader, int method) {
        MethodHandler handler = indicationHandlers[method];
        if (handler == null) {
            metrics.dropped(DropReason.UNHANDLED_INDICATION);
            return;
        }
        handler.handle(exchange, reader);
    }
}
