package io.tern.load.scenario;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Drives the endpoints of one event loop: on that loop, each endpoint sends what its streams are
 * due. The pacer runs every millisecond while any endpoint sends that often or floods; with only
 * slow senders (thousands of allocations each sending once in a while, as a background of held
 * allocations does) it runs as rarely as an eighth of the shortest interval, at most every 40 ms:
 * visiting 4,096 endpoints a millisecond cost the generator 40 % of a core doing nothing.
 * Late sends are sent on the next run, so the rate holds; their timestamps are taken when sent.
 * Endpoints join as the ramp adds them.
 */
final class Pacer implements AutoCloseable {
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Below {@link Endpoint}'s backlog limit (50 ms), so a run never finds a send too late to make. */
    private static final long MAX_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(40);

    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final EventExecutor loop;
    private volatile boolean closed;
    private ScheduledFuture<?> next;

    Pacer(io.netty.channel.EventLoopGroup group) {
        this.loop = group.next();
        next = loop.schedule(this::run, 1, TimeUnit.MILLISECONDS);
    }

    private void run() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        long shortest = Long.MAX_VALUE;
        for (Endpoint e : endpoints) {
            e.tick(now);
            shortest = Math.min(shortest, e.tickIntervalNanos());
        }
        long period = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, shortest / 8));
        next = loop.schedule(this::run, period, TimeUnit.NANOSECONDS);
    }

    void add(Endpoint e) {
        endpoints.add(e);
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> n = next;
        if (n != null) {
            n.cancel(false);
        }
    }
}
