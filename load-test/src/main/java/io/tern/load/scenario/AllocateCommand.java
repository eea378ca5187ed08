package io.tern.load.scenario;

import static io.tern.load.scenario.RelayCommand.check;

import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.load.LoadException;
import io.tern.load.Output;
import io.tern.load.Target;
import io.tern.load.TargetOptions;
import io.tern.load.report.Meter;
import io.tern.load.report.Progress;
import io.tern.load.report.RunResult;
import io.tern.load.report.StepResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern-load allocate}: allocation churn as new clients make it. Each of {@code --concurrency}
 * workers repeats: a new socket (or TCP connection), Allocate with the full long-term dance (the
 * 401 challenge, then the signed request), Refresh, Refresh with LIFETIME 0 (delete), close.
 */
@Command(
        name = "allocate",
        mixinStandardHelpOptions = true,
        description = {
            "Allocation churn with full authentication: each of --concurrency workers opens a new socket, allocates"
                    + " (401 challenge + signed Allocate), refreshes, deletes and closes, again and again, until"
                    + " --count allocations or --duration. Reports allocations/s and the p50/p99 of each step."
        })
public final class AllocateCommand implements Callable<Integer> {
    @Mixin
    TargetOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--concurrency", defaultValue = "16", description = "Workers (1-1024). Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(
            names = "--count",
            defaultValue = "100000",
            description = "At most this many allocations. Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "--no-refresh", description = "Skip the Refresh between Allocate and delete.")
    boolean noRefresh;

    @Option(
            names = "--client",
            paramLabel = "raw|turn-client",
            description = "raw (UDP: a thread per worker with a blocking socket and the codec, tens of µs of"
                    + " tern-load's CPU per allocation; the default over UDP) or turn-client (the project's"
                    + " client library, several hundred µs each; the default over TCP, the only choice there).")
    String client;

    @Override
    public Integer call() throws Exception {
        Output.emit(run(), options, spec.commandLine().getOut());
        return 0;
    }

    RunResult run() throws Exception {
        Target target = options.target();
        target.requireCredentials();
        check(concurrency >= 1 && concurrency <= 1024, "--concurrency must be 1-1024");
        check(count >= 1, "--count must be positive");
        Meter allocate = new Meter();
        Meter refresh = new Meter();
        Meter delete = new Meter();
        LongAdder authFailures = new LongAdder();
        boolean raw = useRaw(target);
        double seconds;
        try (ClientPool pool = new ClientPool(target, options.threads(), options.timeout(), options.sourceIps())) {
            preflight(pool);
            AtomicLong budget = new AtomicLong(count);
            AtomicInteger running = new AtomicInteger(concurrency);
            CompletableFuture<Void> finished = new CompletableFuture<>();
            long deadline = System.nanoTime()
                    + options.warmup().toNanos()
                    + options.duration().toNanos();
            Meter[] measured = {allocate, refresh, delete};
            AtomicReference<Meter[]> recording = new AtomicReference<>(
                    options.warmup().isZero() ? measured : new Meter[] {new Meter(), new Meter(), new Meter()});
            Churn churn = raw ? null : new Churn(pool, recording, authFailures, budget, deadline, running, finished);
            RawAllocations lean = raw
                    ? new RawAllocations(
                            target.server(),
                            target.credentials(),
                            (int) options.timeout().toMillis(),
                            options.sourceIps(),
                            !noRefresh,
                            recording,
                            authFailures,
                            budget,
                            deadline)
                    : null;
            long start;
            try (Progress progress = new Progress(
                    "allocate",
                    spec.commandLine().getErr(),
                    options.quiet(),
                    () -> new Progress.Current("churn", recording.get()[0]))) {
                Thread[] workers = null;
                if (lean != null) {
                    workers = lean.start(concurrency);
                } else {
                    for (int w = 0; w < concurrency; w++) {
                        churn.cycle(w);
                    }
                }
                Thread.sleep(options.warmup().toMillis());
                start = System.nanoTime();
                recording.set(measured);
                // Each cycle is at most 4 transactions, each bounded by --timeout.
                long wait =
                        options.duration().toMillis() + 4 * options.timeout().toMillis() + 5000;
                if (workers != null) {
                    long until = System.currentTimeMillis() + wait;
                    for (Thread t : workers) {
                        t.join(Math.max(1, until - System.currentTimeMillis()));
                        if (t.isAlive()) {
                            throw new TimeoutException("allocate workers did not stop");
                        }
                    }
                } else {
                    finished.get(wait, TimeUnit.MILLISECONDS);
                }
            }
            seconds = (System.nanoTime() - start) / 1e9;
        }
        allocate.drain();
        refresh.drain();
        delete.drain();
        Map<String, org.HdrHistogram.Histogram> latencies = new LinkedHashMap<>();
        latencies.put("allocate", allocate.total());
        if (!noRefresh) {
            latencies.put("refresh", refresh.total());
        }
        latencies.put("delete", delete.total());
        Map<String, Number> extra = new LinkedHashMap<>();
        extra.put("refreshed", refresh.received.sum());
        extra.put("deleted", delete.received.sum());
        StepResult step = new StepResult(
                concurrency + " workers",
                Double.NaN,
                seconds,
                allocate.sent.sum(),
                allocate.received.sum(),
                allocate.timeouts.sum() + refresh.timeouts.sum() + delete.timeouts.sum(),
                allocate.errors.sum() + refresh.errors.sum() + delete.errors.sum(),
                0,
                latencies,
                extra);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("allocations_per_s", step.throughput());
        summary.put("allocations", allocate.received.sum());
        summary.put("deleted", delete.received.sum());
        summary.put("auth_failures", authFailures.sum());
        summary.put("client", raw ? "raw" : "turn-client");
        return new RunResult("allocate", target.describe(), RelayCommand.transport(target), List.of(step), summary);
    }

    /** Whether the lean UDP client runs the churn (see {@link RawAllocations}). */
    private boolean useRaw(Target target) {
        if (client == null) {
            return target.protocol() == TransportProtocol.UDP;
        }
        return switch (client) {
            case "raw" -> {
                check(target.protocol() == TransportProtocol.UDP, "--client raw is for UDP only");
                yield true;
            }
            case "turn-client" -> false;
            default -> throw new LoadException(LoadException.USAGE, "--client must be raw or turn-client: " + client);
        };
    }

    /** One allocation before the churn, so that wrong credentials or no server end the run with a clear error. */
    private void preflight(ClientPool pool) {
        StunClient client = Allocations.await("connect", List.of(pool.connect(0, InboundListener.IGNORE)), pool)
                .get(0);
        try {
            Allocations.await("Allocate", List.of(client.allocate()), pool);
            Allocations.await("Refresh (delete)", List.of(client.refresh(Duration.ZERO)), pool);
        } finally {
            client.close();
        }
    }

    /** The workers' loop; each step chains the next on the client's event loop. */
    private final class Churn {
        private final ClientPool pool;
        private final AtomicInteger clients = new AtomicInteger();
        private final AtomicReference<Meter[]> recording;
        private final LongAdder authFailures;
        private final AtomicLong budget;
        private final long deadline;
        private final AtomicInteger running;
        private final CompletableFuture<Void> finished;

        Churn(
                ClientPool pool,
                AtomicReference<Meter[]> recording,
                LongAdder authFailures,
                AtomicLong budget,
                long deadline,
                AtomicInteger running,
                CompletableFuture<Void> finished) {
            this.pool = pool;
            this.recording = recording;
            this.authFailures = authFailures;
            this.budget = budget;
            this.deadline = deadline;
            this.running = running;
            this.finished = finished;
        }

        void cycle(int worker) {
            if (System.nanoTime() >= deadline || budget.getAndDecrement() <= 0) {
                if (running.decrementAndGet() == 0) {
                    finished.complete(null);
                }
                return;
            }
            Meter[] meters = recording.get();
            Meter allocate = meters[0];
            Meter refresh = meters[1];
            Meter delete = meters[2];
            allocate.sent.increment();
            // Each allocation from the next source address, so a busy worker does not meet the
            // server's per-IP limit on 401 answers (see --source-ips).
            pool.connect(clients.getAndIncrement(), InboundListener.IGNORE).whenComplete((client, error) -> {
                if (error != null) {
                    count(allocate, error);
                    cycle(worker);
                    return;
                }
                long t0 = System.nanoTime();
                client.allocate()
                        .thenCompose(a -> {
                            allocate.recordNanos(System.nanoTime() - t0);
                            allocate.received.increment();
                            if (noRefresh) {
                                return CompletableFuture.completedFuture(null);
                            }
                            long t1 = System.nanoTime();
                            refresh.sent.increment();
                            return client.refresh(RelayCommand.LIFETIME).handle((d, e) -> {
                                if (e == null) {
                                    refresh.recordNanos(System.nanoTime() - t1);
                                    refresh.received.increment();
                                } else {
                                    count(refresh, e);
                                }
                                return null;
                            });
                        })
                        .thenCompose(ignored -> {
                            long t2 = System.nanoTime();
                            delete.sent.increment();
                            return client.refresh(Duration.ZERO).handle((d, e) -> {
                                if (e == null) {
                                    delete.recordNanos(System.nanoTime() - t2);
                                    delete.received.increment();
                                } else {
                                    count(delete, e);
                                }
                                return null;
                            });
                        })
                        .whenComplete((ignored, e) -> {
                            if (e != null) {
                                count(allocate, e);
                            }
                            client.close();
                            cycle(worker);
                        });
            });
        }

        private void count(Meter meter, Throwable error) {
            Throwable e = Failures.unwrap(error);
            if (Failures.isTimeout(e)) {
                meter.timeouts.increment();
            } else {
                meter.errors.increment();
                if (e instanceof io.tern.client.StunErrorResponseException r && r.code() == 401) {
                    authFailures.increment();
                }
            }
        }
    }
}
