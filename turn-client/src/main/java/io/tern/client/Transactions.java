package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunParseException;
import io.tern.stun.StunReader;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.StunAttribute;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The client transaction layer (RFC 8489 §6.2 and §6.3.3): sends requests, retransmits them over
 * UDP, matches responses by transaction id and method, and times out.
 *
 * <p>Every field is owned by the transport's event loop. {@link #start} may be called from any
 * thread; it hands the transaction to the loop. Futures complete on the loop, so their dependent
 * stages run there too.
 *
 * <p>A transaction keeps its encoded request until it ends and sends a retained duplicate each
 * time, so a retransmission is byte for byte the first transmission and costs no encoding.
 */
final class Transactions {
    private final Transport transport;
    private final EventLoop loop;
    private final RetransmissionPolicy retransmission;
    /** How long a transaction may last before it fails; fixed per client. */
    private final Duration deadline;

    private final Counters counters;
    private final Map<TransactionId, Transaction> pending = new HashMap<>();
    private Throwable closedCause;

    /**
     * @param reliableTimeout Ti, the wait for a response over TCP
     * @param cap a shorter limit for every transaction on any transport, or null for none
     */
    Transactions(
            Transport transport,
            RetransmissionPolicy retransmission,
            Duration reliableTimeout,
            Duration cap,
            Counters counters) {
        this.transport = transport;
        this.loop = transport.eventLoop();
        this.retransmission = retransmission;
        Duration natural = transport.protocol().isReliable() ? reliableTimeout : retransmission.timeout();
        this.deadline = cap != null && cap.compareTo(natural) < 0 ? cap : natural;
        this.counters = counters;
    }

    /**
     * Starts a transaction for an encoded request and takes ownership of the buffer.
     *
     * @param integrityKey for an authenticated request, the key the response must be signed with
     *     (RFC 8489 §9.2.5); null for none
     * @return the response, success or error; or a failure with {@link TransactionTimeoutException},
     *     {@link StunProtocolException} (integrity), or the transport's error
     */
    CompletableFuture<StunMessage> start(ByteBuf request, byte[] integrityKey) {
        Transaction tx = new Transaction(request, integrityKey);
        // Whoever ends the transaction (response, timer, close, or a caller's cancel()), clean up once.
        tx.future.whenComplete((response, error) -> {
            if (!onLoop(() -> forget(tx))) {
                forget(tx); // the loop has terminated, so nothing else touches the state now
            }
        });
        if (!onLoop(() -> begin(tx))) {
            tx.future.completeExceptionally(new ClosedChannelException());
        }
        return tx.future;
    }

    private void begin(Transaction tx) {
        if (tx.future.isDone()) {
            return; // cancelled before it reached the loop
        }
        if (closedCause != null) {
            tx.future.completeExceptionally(closedCause);
            return;
        }
        if (pending.putIfAbsent(tx.id, tx) != null) {
            tx.future.completeExceptionally(
                    new IllegalArgumentException("transaction " + tx.id + " is already in flight"));
            return;
        }
        counters.transactions.increment();
        tx.startNanos = System.nanoTime();
        tx.deadlineTimer = loop.schedule(() -> expire(tx), deadline.toNanos(), TimeUnit.NANOSECONDS);
        transmit(tx);
    }

    private void transmit(Transaction tx) {
        if (tx.future.isDone()) {
            return;
        }
        tx.transmissions++;
        if (tx.transmissions > 1) {
            counters.retransmissions.increment();
        }
        transport.send(tx.request.retainedDuplicate()).addListener(f -> {
            if (!f.isSuccess()) {
                tx.future.completeExceptionally(f.cause());
            }
        });
        boolean retransmit = !transport.protocol().isReliable() && tx.transmissions < retransmission.maxTransmissions();
        if (retransmit) {
            Duration wait = retransmission.intervalAfter(tx.transmissions);
            tx.retransmitTimer = loop.schedule(() -> transmit(tx), wait.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void expire(Transaction tx) {
        if (tx.future.isDone()) {
            return;
        }
        counters.timeouts.increment();
        Duration waited = Duration.ofNanos(System.nanoTime() - tx.startNanos);
        if (tx.integrityFailed) {
            // RFC 8489 §9.2.5: when every response was discarded, say so rather than "timeout".
            tx.future.completeExceptionally(integrityViolation(tx));
        } else {
            tx.future.completeExceptionally(
                    new TransactionTimeoutException(tx.id, tx.method, tx.transmissions, waited));
        }
    }

    /** A response arrived (success or error class, FINGERPRINT already checked if present). */
    void onResponse(StunReader reader) {
        Transaction tx = pending.get(reader.transactionId());
        if (tx == null || tx.method != reader.method() || tx.future.isDone()) {
            counters.droppedUnknownTransaction.increment();
            return;
        }
        StunMessage response;
        try {
            response = StunMessage.of(reader);
        } catch (StunParseException e) {
            counters.droppedMalformed.increment(); // retransmission goes on, as if never received
            return;
        }
        if (tx.integrityKey != null && !isAuthentic(reader, response, tx.integrityKey)) {
            counters.droppedIntegrity.increment();
            tx.integrityFailed = true;
            if (transport.protocol().isReliable()) {
                tx.future.completeExceptionally(integrityViolation(tx));
            }
            return;
        }
        counters.responses.increment();
        tx.future.complete(response);
    }

    /**
     * RFC 8489 §9.2.5: a response to an authenticated request counts only if its integrity checks
     * out with the request's key. The exceptions are the errors a server sends before it can
     * authenticate anything (400, 401, 420, 438), which carry no integrity.
     */
    private static boolean isAuthentic(StunReader reader, StunMessage response, byte[] key) {
        if (reader.hasMessageIntegritySha256()) {
            return reader.verifyMessageIntegritySha256(key);
        }
        if (reader.hasMessageIntegrity()) {
            return reader.verifyMessageIntegrity(key);
        }
        if (response.messageClass() != StunClass.ERROR_RESPONSE) {
            return false;
        }
        int code = response.attribute(StunAttribute.ErrorCode.class)
                .map(StunAttribute.ErrorCode::code)
                .orElse(0);
        return code == 400 || code == 401 || code == 420 || code == 438;
    }

    /** Fails every transaction in flight and refuses new ones. Runs on the loop. */
    void closeAll(Throwable cause) {
        closedCause = cause;
        for (Transaction tx : List.copyOf(pending.values())) {
            tx.future.completeExceptionally(cause);
        }
    }

    private void forget(Transaction tx) {
        pending.remove(tx.id, tx);
        if (tx.retransmitTimer != null) {
            tx.retransmitTimer.cancel(false);
        }
        if (tx.deadlineTimer != null) {
            tx.deadlineTimer.cancel(false);
        }
        tx.request.release();
    }

    /** Runs a task on the loop (inline when already there); false when the loop is gone. */
    private boolean onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return true;
        }
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static StunProtocolException integrityViolation(Transaction tx) {
        return new StunProtocolException(
                "every response to transaction " + tx.id + " failed the MESSAGE-INTEGRITY check");
    }

    /** One request in flight; touched only on the loop (except the future, which is thread-safe). */
    private static final class Transaction {
        final TransactionId id;
        final int method;
        final ByteBuf request;
        final byte[] integrityKey;
        final CompletableFuture<StunMessage> future = new CompletableFuture<>();
        long startNanos;
        int transmissions;
        boolean integrityFailed;
        ScheduledFuture<?> retransmitTimer;
        ScheduledFuture<?> deadlineTimer;

        Transaction(ByteBuf request, byte[] integrityKey) {
            int start = request.readerIndex();
            this.id = TransactionId.read(request, start + 8);
            this.method = StunClass.methodOf(request.getUnsignedShort(start));
            this.request = request;
            this.integrityKey = integrityKey;
        }
    }
}
