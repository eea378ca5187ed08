package io.tern.load.scenario;

import io.tern.load.LoadException;
import io.tern.load.Output;
import io.tern.load.Target;
import io.tern.load.TargetOptions;
import io.tern.load.report.Meter;
import io.tern.load.report.Progress;
import io.tern.load.report.RunResult;
import io.tern.load.report.StepResult;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern-load relay}: N allocations, each with a channel to a built-in echo peer on loopback;
 * ChannelData goes client → server → peer → server → client, at fixed rates (one step per rate) or
 * as a closed-loop flood with a window of messages in flight per allocation.
 */
@Command(
        name = "relay",
        mixinStandardHelpOptions = true,
        description = {
            "Relayed round trips through N allocations to a built-in echo peer on loopback.",
            "Each --rate is a step of the ramp (total messages/s over all allocations); --flood keeps --window"
                    + " messages in flight per allocation instead. Reports sent/received/lost, msgs/s, bytes/s"
                    + " and the round trip p50/p90/p99/p99.9 per step."
        })
public final class RelayCommand implements Callable<Integer> {
    @Mixin
    TargetOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-n", "--allocations"},
            defaultValue = "4",
            description = "Allocations (1-4096). Default: ${DEFAULT-VALUE}.")
    int allocations;

    @Option(
            names = "--rate",
            split = ",",
            paramLabel = "MSGS",
            defaultValue = "2000",
            description =
                    "Offered messages/s over all allocations; a list (1000,5000,20000) is a ramp. Default: ${DEFAULT-VALUE}.")
    List<Integer> rates;

    @Option(names = "--flood", description = "Closed loop: keep --window messages in flight per allocation.")
    boolean flood;

    @Option(
            names = "--window",
            defaultValue = "8",
            description = "Messages in flight per allocation with --flood. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(
            names = "--payload",
            defaultValue = "160",
            description = "Payload bytes per message (13-1400). Default: ${DEFAULT-VALUE}.")
    int payload;

    @Option(
            names = "--step-duration",
            paramLabel = "TIME",
            converter = io.tern.load.Durations.class,
            description = "How long each step runs. Default: --duration divided by the steps.")
    Duration stepDuration;

    @Option(
            names = "--data-path",
            paramLabel = "raw|client",
            description = "How ChannelData is sent and received after turn-client has set up the allocations:"
                    + " raw (UDP only: an epoll socket on the same address, batched sends; the default over UDP"
                    + " when epoll is available; runs of at most 4m, as nothing refreshes permissions) or client"
                    + " (turn-client's sendChannelData; the default over TCP).")
    String dataPath;

    @Option(
            names = "--count",
            defaultValue = "20000000",
            description = "At most this many messages in all. Default: ${DEFAULT-VALUE}.")
    long count;

    @Override
    public Integer call() throws Exception {
        RunResult result = run();
        Output.emit(result, options, spec.commandLine().getOut());
        return 0;
    }

    RunResult run() throws Exception {
        Target target = options.target();
        target.requireCredentials();
        check(allocations >= 1 && allocations <= 4096, "--allocations must be 1-4096");
        check(payload >= Endpoint.MIN_PAYLOAD && payload <= 1400, "--payload must be 13-1400 bytes");
        check(window >= 1 && window <= 1024, "--window must be 1-1024");
        check(count >= 1, "--count must be positive");
        List<Integer> steps = flood ? List.of(0) : rates;
        check(!steps.isEmpty() && steps.size() < Steps.SETUP, "--rate takes 1-254 rates");
        for (int r : steps) {
            check(flood || (r >= 1 && r <= 10_000_000), "each --rate must be 1-10000000 messages/s");
        }
        Duration total = options.duration();
        Duration perStep = stepDuration != null ? stepDuration : total.dividedBy(steps.size());
        check(!perStep.isNegative() && !perStep.isZero(), "--step-duration must be positive");
        PrintWriter err = spec.commandLine().getErr();
        long runSeconds = Math.min(total.toSeconds(), perStep.toSeconds() * steps.size())
                + options.warmup().toSeconds();
        boolean useRaw = RawUdpPath.choose(dataPath, target, runSeconds);
        String path = useRaw ? "raw" : "client";

        Steps ramp = new Steps(steps.size());
        List<Endpoint> endpoints = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        int deleted;
        long echoed;
        try (ClientPool pool = new ClientPool(target, options.threads(), options.timeout(), options.sourceIps());
                EchoPeer echo = new EchoPeer(loopbackLike(target.server().getAddress()))) {
            long perStream = Math.max(1, count / allocations);
            List<CompletableFuture<Endpoint>> allocating = new ArrayList<>();
            for (int i = 0; i < allocations; i++) {
                Endpoint e = new Endpoint(ramp, payload, flood ? window : 0);
                e.out.add(new Endpoint.OutStream(0x4000, echo.address(), perStream));
                e.expect(0x4000);
                endpoints.add(e);
                allocating.add(Allocations.allocate(pool, i, e));
            }
            RawUdpPath raw = useRaw ? new RawUdpPath(options.threads()) : null;
            try {
                Allocations.await("Allocate", allocating, pool);
                List<CompletableFuture<Void>> binding = new ArrayList<>();
                for (Endpoint e : endpoints) {
                    binding.add(Allocations.bind(e, 0x4000, echo.address()));
                }
                Allocations.await("ChannelBind to the echo peer " + echo.address(), binding, pool);

                List<Pacer> pacers = new ArrayList<>();
                if (raw != null) {
                    for (int i = 0; i < endpoints.size(); i++) {
                        raw.attach(i, endpoints.get(i), target.server(), pool.loop(i));
                    }
                    for (int i = 0; i < raw.size(); i++) {
                        pacers.add(new Pacer(raw.loop(i)));
                    }
                } else {
                    for (int i = 0; i < pool.size(); i++) {
                        pacers.add(new Pacer(pool.loop(i)));
                    }
                }
                for (int i = 0; i < endpoints.size(); i++) {
                    pacers.get(i % pacers.size()).add(endpoints.get(i));
                }
                int[] current = {0};
                try (Progress progress = new Progress(
                        "relay",
                        err,
                        options.quiet(),
                        () -> new Progress.Current(label(steps, current[0]), ramp.meter(current[0])))) {
                    if (!options.warmup().isZero()) {
                        // Step 0's load, stamped as set-up: counted nowhere.
                        long interval = flood ? 0 : Math.max(1, Math.round(1e9 * allocations / steps.get(0)));
                        for (Endpoint e : endpoints) {
                            e.out.get(0).intervalNanos = interval;
                        }
                        Thread.sleep(options.warmup().toMillis());
                    }
                    long deadline = System.nanoTime() + total.toNanos();
                    long sliceNanos = REFRESH_EVERY.toNanos() / REFRESH_SLICES;
                    long nextSlice = System.nanoTime() + sliceNanos;
                    int slice = 0;
                    for (int s = 0; s < steps.size() && System.nanoTime() < deadline; s++) {
                        current[0] = s;
                        long interval = flood ? 0 : Math.max(1, Math.round(1e9 * allocations / steps.get(s)));
                        for (Endpoint e : endpoints) {
                            e.out.get(0).intervalNanos = interval;
                        }
                        long start = System.nanoTime();
                        ramp.measure(s);
                        long end = Math.min(deadline, start + perStep.toNanos());
                        while (System.nanoTime() < end) {
                            Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
                            if (System.nanoTime() - nextSlice >= 0) {
                                nextSlice += sliceNanos;
                                Allocations.refresh(
                                        slice(endpoints, slice),
                                        LIFETIME,
                                        error -> ramp.meter(ramp.stamp()).errors.increment());
                                slice = (slice + 1) % REFRESH_SLICES;
                            }
                        }
                        seconds.add((System.nanoTime() - start) / 1e9);
                    }
                    ramp.stopSending();
                    drain(ramp, seconds.size());
                }
                pacers.forEach(Pacer::close);
            } finally {
                if (raw != null) {
                    raw.detachAll(pool, endpoints, options.timeout());
                    raw.close();
                }
                deleted = Allocations.release(endpoints, options.timeout());
            }
            echoed = echo.echoed.sum();
        }

        List<StepResult> results = new ArrayList<>();
        double best = 0;
        for (int s = 0; s < seconds.size(); s++) {
            Meter m = ramp.meter(s);
            m.drain();
            long sent = m.sent.sum();
            long received = m.received.sum();
            StepResult r = new StepResult(
                    label(steps, s),
                    flood ? Double.NaN : steps.get(s),
                    seconds.get(s),
                    sent,
                    received,
                    Math.max(0, sent - received),
                    m.errors.sum(),
                    m.bytesReceived.sum(),
                    Map.of("rtt", m.total()),
                    Map.of());
            results.add(r);
            if (r.lossPercent() <= 0.1) {
                best = Math.max(best, r.throughput());
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("allocations", allocations);
        summary.put("data_path", path);
        summary.put("payload_bytes", payload);
        summary.put("best_msgs_per_s_at_0.1%_loss", best);
        summary.put("echoed_by_peer", echoed);
        summary.put("allocations_deleted", deleted);
        if (seconds.size() < steps.size()) {
            summary.put("note", "--duration ended the ramp after " + seconds.size() + " of " + steps.size() + " steps");
        }
        return new RunResult("relay", target.describe(), transport(target), results, summary);
    }

    /** Allocations and channels are refreshed this often, so a long run keeps its permissions. */
    static final Duration REFRESH_EVERY = Duration.ofSeconds(60);

    /**
     * Refreshes go out a sixtieth of the allocations a second rather than all at once: a burst of
     * thousands of authenticated requests every minute stalled both servers' relaying (and the
     * generator) for hundreds of milliseconds and made p99 depend on whether a step met it.
     */
    static final int REFRESH_SLICES = 60;

    /** The endpoints of refresh slice {@code slice}: every {@link #REFRESH_SLICES}-th one. */
    static List<Endpoint> slice(List<Endpoint> endpoints, int slice) {
        List<Endpoint> out = new ArrayList<>(endpoints.size() / REFRESH_SLICES + 1);
        for (int i = slice; i < endpoints.size(); i += REFRESH_SLICES) {
            out.add(endpoints.get(i));
        }
        return out;
    }

    static final Duration LIFETIME = Duration.ofSeconds(600);

    /** Waits up to a second for messages still in flight, then stops. */
    static void drain(Steps ramp, int stepsRun) throws InterruptedException {
        long until = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < until) {
            long sent = 0;
            long received = 0;
            for (int s = 0; s < stepsRun; s++) {
                sent += ramp.meter(s).sent.sum();
                received += ramp.meter(s).received.sum();
            }
            if (received >= sent) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private String label(List<Integer> steps, int s) {
        return flood ? "flood w=" + window : "rate " + steps.get(s) + "/s";
    }

    static String transport(Target target) {
        return target.protocol().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The echo peer listens on the loopback address of the server's family. */
    static InetAddress loopbackLike(InetAddress server) throws java.net.UnknownHostException {
        return server instanceof Inet6Address ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new LoadException(LoadException.USAGE, message);
        }
    }
}
