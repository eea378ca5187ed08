package io.tern.client;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link ClientStats}: written on the event loop, read from anywhere. */
final class Counters {
    final LongAdder transactions = new LongAdder();
    final LongAdder retransmissions = new LongAdder();
    final LongAdder responses = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder droppedMalformed = new LongAdder();
    final LongAdder droppedUnknownTransaction = new LongAdder();
    final LongAdder droppedIntegrity = new LongAdder();
    final LongAdder droppedUnexpected = new LongAdder();
    final LongAdder transportErrors = new LongAdder();

    ClientStats snapshot() {
        return new ClientStats(
                transactions.sum(),
                retransmissions.sum(),
                responses.sum(),
                timeouts.sum(),
                droppedMalformed.sum(),
                droppedUnknownTransaction.sum(),
                droppedIntegrity.sum(),
                droppedUnexpected.sum(),
                transportErrors.sum());
    }
}
