package io.tern.server.stun;

import io.tern.server.transport.Exchange;
import io.tern.stun.StunReader;

/**
 * Handles requests of one STUN method. The dispatcher has already checked framing, FINGERPRINT
 * and unknown comprehension-required attributes; the handler owns everything after that.
 */
@FunctionalInterface
public interface MethodHandler {
    /**
     * Answers {@code request}, which is valid only during this call (it reads a buffer the
     * transport releases afterwards).
     */
    void handle(Exchange exchange, StunReader request);
}
