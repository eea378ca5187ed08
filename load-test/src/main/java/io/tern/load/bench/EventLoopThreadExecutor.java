package io.tern.load.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@code FastThreadLocalThread}s, as the server's event loops
 * are, so that {@code StunCrypto.current()} takes the same indexed fast path it takes in production
 * rather than the {@code java.lang.ThreadLocal} fallback of a plain thread.
 *
 * <p>Selected in the forked JVM with {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=io.tern.load.bench.EventLoopThreadExecutor}; JMH calls the {@code (int,
 * String)} constructor.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {
    public EventLoopThreadExecutor(int maxThreads, String prefix) {
        super(
                maxThreads,
                maxThreads,
                1,
                TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
