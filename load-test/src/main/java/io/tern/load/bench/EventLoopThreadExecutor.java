package io.tern.load.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@code FastThreadLocalThread}s, as the server's event loops
 * are, so that {@code StunCrypto.current()} takes the same indexed fast path it takes in production
 * rather than the {@code java.lang.ThreadLocal} fallback of a plain thread.
 *
 * <p>Selected in the forked JVM with {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=io.tern.load.bench.EventLoopThreadExecutor}; JMH calls the {@code (int,
 * String)} constructor. The threads it starts are recorded in {@link #workers()} so that {@link
 * CpuTimeProfiler} can read their CPU time.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {
    private static final Set<Thread> WORKERS = ConcurrentHashMap.newKeySet();

    public EventLoopThreadExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), recording(prefix));
    }

    /** Every thread any instance has started in this JVM and that is still alive. */
    static Set<Thread> workers() {
        WORKERS.removeIf(t -> !t.isAlive());
        return WORKERS;
    }

    private static ThreadFactory recording(String prefix) {
        ThreadFactory netty = new DefaultThreadFactory(prefix, true);
        return task -> {
            Thread t = netty.newThread(task);
            WORKERS.add(t);
            return t;
        };
    }
}
