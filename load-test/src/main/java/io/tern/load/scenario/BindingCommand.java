package io.tern.load.scenario;

import static io.tern.load.scenario.RelayCommand.check;

import io.tern.client.StunClient;
import io.tern.load.Output;
import io.tern.load.Target;
import io.tern.load.TargetOptions;
import io.tern.load.report.Meter;
import io.tern.load.report.Progress;
import io.tern.load.report.RunResult;
import io.tern.load.report.StepResult;
import io.tern.stun.StunClass;
import io.tern.stun.StunMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern-load binding}: STUN Binding requests in a closed loop, {@code --window} in flight on
 * each of {@code --clients} sockets; each request is sent once, so a lost one counts as lost.
 */
@Command(
        name = "binding",
        mixinStandardHelpOptions = true,
        description = {
            "STUN Binding requests/s and latency: --clients sockets, each keeping --window requests in flight,"
                    + " until --count requests or --duration. No credentials needed."
        })
public final class BindingCommand implements Callable<Integer> {
    @Mixin
    TargetOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--clients",
            defaultValue = "8",
            description = "Client sockets (1-1024). Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(
            names = "--window",
            defaultValue = "8",
            description = "Requests in flight per client (1-256). Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(
            names = "--count",
            defaultValue = "10000000",
            description = "At most this many requests. Default: ${DEFAULT-VALUE}.")
    long count;

    @Override
    public Integer call() throws Exception {
        Output.emit(run(), options, spec.commandLine().getOut());
        return 0;
    }

    RunResult run() throws Exception {
        Target target = options.target();
        check(clients >= 1 && clients <= 1024, "--clients must be 1-1024");
        check(window >= 1 && window <= 256, "--window must be 1-256");
        check(count >= 1, "--count must be positive");
        Meter meter = new Meter();
        AtomicReference<Meter> recording =
                new AtomicReference<>(options.warmup().isZero() ? meter : new Meter());
        double seconds;
        try (ClientPool pool = new ClientPool(target, options.threads(), options.timeout(), options.sourceIps())) {
            List<CompletableFuture<StunClient>> connecting = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                connecting.add(pool.connectOneShot(i));
            }
            List<StunClient> connected = Allocations.await("connect", connecting, pool);
            try {
                // One answered request first: a missing server is a clear error, not a run of timeouts.
                Allocations.await("Binding", List.of(connected.get(0).binding()), pool);
                AtomicLong budget = new AtomicLong(count);
                AtomicInteger running = new AtomicInteger(clients * window);
                CompletableFuture<Void> finished = new CompletableFuture<>();
                long deadline = System.nanoTime()
                        + options.warmup().toNanos()
                        + options.duration().toNanos();
                long start;
                try (Progress progress = new Progress(
                        "binding",
                        spec.commandLine().getErr(),
                        options.quiet(),
                        () -> new Progress.Current("closed loop", recording.get()))) {
                    for (StunClient c : connected) {
                        for (int w = 0; w < window; w++) {
                            next(c, recording, budget, deadline, running, finished);
                        }
                    }
                    Thread.sleep(options.warmup().toMillis());
                    start = System.nanoTime();
                    recording.set(meter);
                    finished.get(
                            options.duration().toMillis() + options.timeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
                }
                seconds = (System.nanoTime() - start) / 1e9;
            } finally {
                connected.forEach(StunClient::close);
            }
        }
        meter.drain();
        long sent = meter.sent.sum();
        StepResult step = new StepResult(
                clients + " clients x " + window,
                Double.NaN,
                seconds,
                sent,
                meter.received.sum(),
                meter.timeouts.sum(),
                meter.errors.sum(),
                0,
                Map.of("latency", meter.total()),
                Map.of());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("requests_per_s", step.throughput());
        summary.put("clients", clients);
        summary.put("window", window);
        return new RunResult("binding", target.describe(), RelayCommand.transport(target), List.of(step), summary);
    }

    /** Sends one request and, when it ends, the next: a chain per window slot, on the client's loop. */
    private static void next(
            StunClient c,
            AtomicReference<Meter> recording,
            AtomicLong budget,
            long deadline,
            AtomicInteger running,
            CompletableFuture<Void> finished) {
        if (System.nanoTime() >= deadline || budget.getAndDecrement() <= 0) {
            if (running.decrementAndGet() == 0) {
                finished.complete(null);
            }
            return;
        }
        long start = System.nanoTime();
        Meter meter = recording.get();
        meter.sent.increment();
        c.request(StunMethod.BINDING).whenComplete((response, error) -> {
            if (error == null && response.messageClass() == StunClass.SUCCESS_RESPONSE) {
                meter.recordNanos(System.nanoTime() - start);
                meter.received.increment();
            } else if (error != null && Failures.isTimeout(error)) {
                meter.timeouts.increment();
            } else {
                meter.errors.increment();
            }
            next(c, recording, budget, deadline, running, finished);
        });
    }
}
