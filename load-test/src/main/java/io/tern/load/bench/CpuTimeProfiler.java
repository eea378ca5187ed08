package io.tern.load.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark threads per operation, next to JMH's wall-clock score.
 *
 * <p>On a small machine shared with other work (two cores, other builds running), a benchmark thread
 * that is descheduled for part of an iteration still has that time counted in the wall-clock
 * {@code ns/op}; its CPU time is not. So {@code cpu.time.norm} stays close to the uncontended cost
 * when the score does not, and {@code cpu.share} (CPU time over wall time of the iteration, per
 * thread) says how much the score can be trusted: near 1 it is clean, at 0.5 it is about doubled.
 *
 * <p>Reads the threads of {@link EventLoopThreadExecutor}, so it needs {@code
 * -Djmh.executor=CUSTOM -Djmh.executor.class=io.tern.load.bench.EventLoopThreadExecutor} (the
 * benchmarks' {@code @Fork} sets it). Use it as {@code -prof io.tern.load.bench.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> cpuBefore = new HashMap<>();
    private long wallBefore;

    @Override
    public String getDescription() {
        return "CPU time of the benchmark threads per operation, and their share of the wall-clock time";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuBefore.clear();
        for (Thread t : EventLoopThreadExecutor.workers()) {
            cpuBefore.put(t.getId(), threads.getThreadCpuTime(t.getId()));
        }
        wallBefore = System.nanoTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long wall = System.nanoTime() - wallBefore;
        long cpu = 0;
        int counted = 0;
        for (Thread t : EventLoopThreadExecutor.workers()) {
            long now = threads.getThreadCpuTime(t.getId());
            if (now >= 0) {
                cpu += now - cpuBefore.getOrDefault(t.getId(), 0L);
                counted++;
            }
        }
        long ops = result.getMetadata().getAllOps();
        if (counted == 0 || ops == 0) {
            return List.of(); // not run with EventLoopThreadExecutor: nothing to report
        }
        return List.of(
                new ScalarResult("cpu.time.norm", (double) cpu / ops, "ns/op", AggregationPolicy.AVG),
                new ScalarResult(
                        "cpu.share", (double) cpu / ((double) wall * counted), "ratio", AggregationPolicy.AVG));
    }
}
