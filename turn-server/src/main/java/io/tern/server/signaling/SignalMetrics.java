package io.tern.server.signaling;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Signaling counters, read at scrape time by {@code /metrics}: connections and rooms now, messages
 * received by type, errors sent by code, upgrades refused by reason.
 */
public final class SignalMetrics {
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger rooms = new AtomicInteger();
    private final LongAdder[] messages = adders(MessageType.values().length);
    private final LongAdder[] errors = adders(SignalError.values().length);
    private final LongAdder[] refused = adders(UpgradeRefusal.values().length);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** Open WebSocket connections on {@code /signal}. */
    public int connectionsActive() {
        return connections.get();
    }

    /** Rooms with at least one participant (connected or within its grace period). */
    public int roomsActive() {
        return rooms.get();
    }

    public long messages(MessageType type) {
        return messages[type.ordinal()].sum();
    }

    public long errors(SignalError code) {
        return errors[code.ordinal()].sum();
    }

    /** WebSocket upgrades refused before the handshake, for this reason. */
    public long refused(UpgradeRefusal reason) {
        return refused[reason.ordinal()].sum();
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    void roomCreated() {
        rooms.incrementAndGet();
    }

    void roomRemoved() {
        rooms.decrementAndGet();
    }

    void message(MessageType type) {
        messages[type.ordinal()].increment();
    }

    void error(SignalError code) {
        errors[code.ordinal()].increment();
    }

    void countRefused(UpgradeRefusal reason) {
        refused[reason.ordinal()].increment();
    }
}
