package io.tern.load.report;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * One line per second while a run goes: the step, what was sent and received in the last second,
 * and the latency of that second. Runs on its own daemon thread; {@link #close()} stops it.
 */
public final class Progress implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final long start = System.nanoTime();

    /** What the progress line reads: the meter of the current step and its label. */
    public record Current(String label, Meter meter) {}

    private long lastSent;
    private long lastReceived;
    private Meter lastMeter;

    public Progress(String scenario, PrintWriter out, boolean quiet, Supplier<Current> current) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tern-load-progress");
            t.setDaemon(true);
            return t;
        });
        if (!quiet) {
            timer.scheduleAtFixedRate(() -> print(scenario, out, current.get()), 1, 1, TimeUnit.SECONDS);
        }
    }

    private void print(String scenario, PrintWriter out, Current c) {
        if (c == null) {
            return;
        }
        Meter m = c.meter();
        if (m != lastMeter) {
            lastMeter = m;
            lastSent = 0;
            lastReceived = 0;
        }
        long sent = m.sent.sum();
        long received = m.received.sum();
        Histogram h = m.drain();
        double elapsed = (System.nanoTime() - start) / 1e9;
        out.printf(
                Locale.ROOT,
                "[%5.1fs] %s %s: sent %d/s, received %d/s, p50 %s ms, p99 %s ms, errors %d, timeouts %d%n",
                elapsed,
                scenario,
                c.label(),
                sent - lastSent,
                received - lastReceived,
                Table.millis(StepResult.percentileMillis(h, 50)),
                Table.millis(StepResult.percentileMillis(h, 99)),
                m.errors.sum(),
                m.timeouts.sum());
        out.flush();
        lastSent = sent;
        lastReceived = received;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
