package io.tern.load.report;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The counters and the latency recorder of one step of a run. Event loops count and record without
 * locks (a {@link LongAdder} each, HdrHistogram's {@link Recorder}); the progress printer and the
 * end of the step {@link #drain()} the recorder, which adds the interval to the step's total.
 */
public final class Meter {
    /** Latencies are recorded in microseconds, up to a minute, to 3 significant digits. */
    private static final long MAX_MICROS = 60_000_000L;

    public final LongAdder sent = new LongAdder();
    public final LongAdder received = new LongAdder();
    public final LongAdder bytesReceived = new LongAdder();
    public final LongAdder errors = new LongAdder();
    public final LongAdder timeouts = new LongAdder();

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);
    private final Histogram total = new Histogram(MAX_MICROS, 3);
    private Histogram interval;

    /** Records one latency; any thread. Values beyond a minute are clamped to it. */
    public void recordNanos(long nanos) {
        long micros = Math.max(0, Math.min(MAX_MICROS, nanos / 1000));
        recorder.recordValue(micros);
    }

    /** Moves what was recorded since the last call into the total and returns that interval. */
    public synchronized Histogram drain() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval;
    }

    /** Everything recorded so far, once {@link #drain()} has run after the last record. */
    public synchronized Histogram total() {
        return total.copy();
    }
}
