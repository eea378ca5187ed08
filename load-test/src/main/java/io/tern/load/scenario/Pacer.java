package io.tern.load.scenario;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Drives the endpoints of one event loop: every millisecond, on that loop, each endpoint sends
 * what its streams are due. Endpoints join as the ramp adds them.
 */
final class Pacer implements AutoCloseable {
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> task;

    Pacer(io.netty.channel.EventLoopGroup loop) {
        task = loop.next()
                .scheduleAtFixedRate(
                        () -> {
                            long now = System.nanoTime();
                            for (Endpoint e : endpoints) {
                                e.tick(now);
                            }
                        },
                        1,
                        1,
                        TimeUnit.MILLISECONDS);
    }

    void add(Endpoint e) {
        endpoints.add(e);
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
