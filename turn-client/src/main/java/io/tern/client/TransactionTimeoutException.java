package io.tern.client;

import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** No response arrived for a request: after all retransmissions over UDP, or within Ti over TCP. */
public final class TransactionTimeoutException extends TimeoutException {
    private static final long serialVersionUID = 1L;

    private final transient TransactionId transactionId;
    private final int transmissions;

    TransactionTimeoutException(TransactionId transactionId, int method, int transmissions, Duration waited) {
        super(String.format(
                "no response to %s request %s after %d transmission%s in %d ms",
                StunMethod.name(method),
                transactionId,
                transmissions,
                transmissions == 1 ? "" : "s",
                waited.toMillis()));
        this.transactionId = transactionId;
        this.transmissions = transmissions;
    }

    public TransactionId transactionId() {
        return transactionId;
    }

    /** How many times the request was sent, the first included. */
    public int transmissions() {
        return transmissions;
    }
}
