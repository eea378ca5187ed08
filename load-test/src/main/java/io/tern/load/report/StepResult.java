package io.tern.load.report;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one step of a run measured: a fixed offered load (or a closed loop, where {@code offered}
 * is NaN), how long it ran, and what came back.
 *
 * @param label what the step was, e.g. "rate 20000/s" or "4 rooms"
 * @param offered the offered load in messages per second; NaN for a closed loop (flood, binding)
 * @param seconds how long the step sent
 * @param sent messages or requests sent
 * @param received answers or relayed messages received
 * @param lost sent and never answered (timeouts, relay loss)
 * @param errors error responses and failed operations
 * @param bytesReceived payload bytes received
 * @param latencies named latency histograms in microseconds, the main one first
 * @param extra further figures of the scenario (jitter, rooms, allocations...)
 */
public record StepResult(
        String label,
        double offered,
        double seconds,
        long sent,
        long received,
        long lost,
        long errors,
        long bytesReceived,
        Map<String, Histogram> latencies,
        Map<String, Number> extra) {

    public StepResult {
        latencies = new LinkedHashMap<>(latencies);
        extra = new LinkedHashMap<>(extra);
    }

    /** Received per second. */
    public double throughput() {
        return seconds <= 0 ? 0 : received / seconds;
    }

    /** Sent per second: what the generator really offered. */
    public double sentPerSecond() {
        return seconds <= 0 ? 0 : sent / seconds;
    }

    /**
     * True when a fixed-rate step sent less than 95 % of its offered load: the generator, not the
     * server, was the limit (short of CPU), so the step says nothing about the server at that load.
     */
    public boolean clientBound() {
        return !Double.isNaN(offered) && sentPerSecond() < 0.95 * offered;
    }

    /** Payload bytes received per second. */
    public double bytesPerSecond() {
        return seconds <= 0 ? 0 : bytesReceived / seconds;
    }

    /** Lost as a percentage of sent. */
    public double lossPercent() {
        return sent == 0 ? 0 : 100.0 * lost / sent;
    }

    /** The main latency histogram, or null when the scenario records none. */
    public Histogram mainLatency() {
        return latencies.isEmpty() ? null : latencies.values().iterator().next();
    }

    /** A percentile of the main latency in milliseconds; NaN when nothing was recorded. */
    public double latencyMillis(double percentile) {
        return percentileMillis(mainLatency(), percentile);
    }

    static double percentileMillis(Histogram h, double percentile) {
        if (h == null || h.getTotalCount() == 0) {
            return Double.NaN;
        }
        return h.getValueAtPercentile(percentile) / 1000.0;
    }
}
