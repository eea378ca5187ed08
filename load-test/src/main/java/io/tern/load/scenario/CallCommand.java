package io.tern.load.scenario;

import static io.tern.load.scenario.RelayCommand.check;

import io.tern.load.Output;
import io.tern.load.Target;
import io.tern.load.TargetOptions;
import io.tern.load.report.Meter;
import io.tern.load.report.Progress;
import io.tern.load.report.RunResult;
import io.tern.load.report.StepResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern-load call}: the video-call profile. Rooms of K participants in a full mesh, each
 * relaying its stream to every other participant through the server: participant A sends
 * ChannelData on a channel bound to B's relayed address, so every packet crosses the server twice
 * (A's allocation out to B's relay port, B's allocation in to B), as in a relay-only WebRTC call.
 * The ramp adds rooms step by step and stops at the first step whose loss or jitter is over the
 * bound, or at {@code --max-rooms}.
 */
@Command(
        name = "call",
        mixinStandardHelpOptions = true,
        description = {
            "Video calls: rooms of --room-size participants in a mesh, each sending --stream-kib KiB/s in --packet"
                    + " byte packets to every other participant through the server (relay to relay). Adds"
                    + " --rooms-step rooms every --step-duration up to --max-rooms; reports how many concurrent calls"
                    + " the server carries with loss under --max-loss and jitter (RFC 3550, the worst stream) under"
                    + " --max-jitter."
        })
public final class CallCommand implements Callable<Integer> {
    @Mixin
    TargetOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--room-size",
            defaultValue = "4",
            description = "Participants per room (2-16). Default: ${DEFAULT-VALUE}.")
    int roomSize;

    @Option(
            names = "--max-rooms",
            defaultValue = "8",
            description = "The ramp's last step (1-500 rooms). Default: ${DEFAULT-VALUE}.")
    int maxRooms;

    @Option(
            names = "--rooms-step",
            defaultValue = "1",
            description = "Rooms added per step. Default: ${DEFAULT-VALUE}.")
    int roomsStep;

    @Option(
            names = "--step-duration",
            paramLabel = "TIME",
            defaultValue = "3s",
            converter = io.tern.load.Durations.class,
            description = "How long each step is measured. Default: ${DEFAULT-VALUE}.")
    Duration stepDuration;

    @Option(
            names = "--stream-kib",
            defaultValue = "220",
            description = "KiB/s per stream (1-10000). Default: ${DEFAULT-VALUE}.")
    int streamKib;

    @Option(
            names = "--packet",
            defaultValue = "1200",
            description = "Payload bytes per packet (13-1400). Default: ${DEFAULT-VALUE}.")
    int packet;

    @Option(
            names = "--max-loss",
            defaultValue = "0.5",
            description = "Loss bound in percent. Default: ${DEFAULT-VALUE}.")
    double maxLoss;

    @Option(
            names = "--max-jitter",
            paramLabel = "TIME",
            defaultValue = "30ms",
            converter = io.tern.load.Durations.class,
            description = "Jitter bound for the worst stream. Default: ${DEFAULT-VALUE}.")
    Duration maxJitter;

    @Option(
            names = "--data-path",
            paramLabel = "raw|client",
            description = "As for relay: raw (UDP: an epoll socket with a 1 MiB receive buffer per participant, the"
                    + " default over UDP; runs of at most 4m) or client (turn-client, the default over TCP).")
    String dataPath;

    @Option(
            names = "--count",
            defaultValue = "50000000",
            description = "At most this many packets in all. Default: ${DEFAULT-VALUE}.")
    long count;

    /** Settling time after a step before its counters are read, so in-flight packets are not lost. */
    private static final long SETTLE_MILLIS = 200;

    @Override
    public Integer call() throws Exception {
        Output.emit(run(), options, spec.commandLine().getOut());
        return 0;
    }

    RunResult run() throws Exception {
        Target target = options.target();
        target.requireCredentials();
        check(roomSize >= 2 && roomSize <= 16, "--room-size must be 2-16");
        check(maxRooms >= 1 && maxRooms <= 500, "--max-rooms must be 1-500");
        check(roomsStep >= 1, "--rooms-step must be positive");
        check(streamKib >= 1 && streamKib <= 10_000, "--stream-kib must be 1-10000");
        check(packet >= Endpoint.MIN_PAYLOAD && packet <= 1400, "--packet must be 13-1400 bytes");
        check(maxLoss >= 0 && maxLoss <= 100, "--max-loss must be 0-100");
        check(!stepDuration.isNegative() && !stepDuration.isZero(), "--step-duration must be positive");
        int stepCount = Math.min(Steps.SETUP - 1, (maxRooms + roomsStep - 1) / roomsStep);
        long streamsAtMost = (long) maxRooms * roomSize * (roomSize - 1);
        long perStream = Math.max(1, count / streamsAtMost);
        long interval = Math.round(1e9 * packet / (streamKib * 1024.0));
        double maxJitterMillis = maxJitter.toNanos() / 1e6;
        PrintWriter err = spec.commandLine().getErr();
        long runSeconds = Math.min(options.duration().toSeconds(), stepDuration.toSeconds() * stepCount);
        boolean useRaw = RawUdpPath.choose(dataPath, target, runSeconds);

        Steps ramp = new Steps(stepCount);
        List<List<Endpoint>> rooms = new ArrayList<>();
        List<Endpoint> all = new ArrayList<>();
        List<StepResult> results = new ArrayList<>();
        String stoppedBy = "--max-rooms reached";
        int carried = 0;
        int deleted;
        try (ClientPool pool = new ClientPool(target, options.threads(), options.timeout(), options.sourceIps());
                RawUdpPath raw = useRaw ? new RawUdpPath(options.threads()) : null) {
            List<Pacer> pacers = new ArrayList<>();
            for (int i = 0; i < pool.size(); i++) {
                pacers.add(new Pacer(raw != null ? raw.loop(i) : pool.loop(i)));
            }
            int[] current = {0};
            try (Progress progress = new Progress(
                    "call",
                    err,
                    options.quiet(),
                    () -> new Progress.Current(rooms.size() + " rooms", ramp.meter(current[0])))) {
                long deadline = System.nanoTime() + options.duration().toNanos();
                for (int s = 0; s < stepCount && System.nanoTime() < deadline; s++) {
                    int want = Math.min(maxRooms, (s + 1) * roomsStep);
                    while (rooms.size() < want) {
                        List<Endpoint> room = openRoom(pool, ramp, all.size(), perStream, interval);
                        rooms.add(room);
                        all.addAll(room);
                        for (int i = 0; i < room.size(); i++) {
                            int index = all.size() - room.size() + i;
                            if (raw != null) {
                                raw.attach(index, room.get(i), target.server(), pool.loop(index));
                            }
                            pacers.get(index % pacers.size()).add(room.get(i));
                        }
                    }
                    current[0] = s;
                    long start = System.nanoTime();
                    ramp.measure(s);
                    long end = Math.min(deadline, start + stepDuration.toNanos());
                    while (System.nanoTime() < end) {
                        Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    ramp.pause();
                    double[] jitter = jitter(rooms);
                    Thread.sleep(SETTLE_MILLIS);
                    StepResult r = result(ramp.meter(s), rooms.size(), seconds, jitter, all);
                    results.add(r);
                    if (r.lossPercent() >= maxLoss) {
                        stoppedBy =
                                String.format(Locale.ROOT, "loss %.3f%% at %d rooms", r.lossPercent(), rooms.size());
                        break;
                    }
                    if (jitter[1] > maxJitterMillis) {
                        stoppedBy = String.format(Locale.ROOT, "jitter %.1f ms at %d rooms", jitter[1], rooms.size());
                        break;
                    }
                    carried = rooms.size();
                    if (System.nanoTime() >= deadline && rooms.size() < maxRooms) {
                        stoppedBy = "--duration";
                    }
                }
                ramp.stopSending();
            } finally {
                pacers.forEach(Pacer::close);
                if (raw != null) {
                    raw.detachAll(pool, all, options.timeout());
                }
                deleted = Allocations.release(all, options.timeout());
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("calls_carried", carried);
        summary.put("participants_carried", carried * roomSize);
        summary.put("room_size", roomSize);
        summary.put("stream_kib_per_s", streamKib);
        summary.put("packet_bytes", packet);
        summary.put("bounds", "loss < " + maxLoss + "%, jitter <= " + maxJitter.toMillis() + " ms");
        summary.put("stopped_by", stoppedBy);
        summary.put("data_path", useRaw ? "raw" : "client");
        summary.put("allocations_deleted", deleted);
        return new RunResult("call", target.describe(), RelayCommand.transport(target), results, summary);
    }

    /** K allocations, then every participant binds a channel to every other's relayed address. */
    private List<Endpoint> openRoom(ClientPool pool, Steps ramp, int firstIndex, long perStream, long interval) {
        List<Endpoint> room = new ArrayList<>();
        List<CompletableFuture<Endpoint>> allocating = new ArrayList<>();
        for (int i = 0; i < roomSize; i++) {
            Endpoint e = new Endpoint(ramp, packet, 0);
            room.add(e);
            allocating.add(Allocations.allocate(pool, firstIndex + i, e));
        }
        Allocations.await("Allocate", allocating, pool);
        List<CompletableFuture<Void>> binding = new ArrayList<>();
        for (int a = 0; a < roomSize; a++) {
            for (int b = 0; b < roomSize; b++) {
                if (a != b) {
                    Endpoint from = room.get(a);
                    Endpoint to = room.get(b);
                    int channel = 0x4000 + b;
                    from.out.add(new Endpoint.OutStream(channel, to.allocation.relayedAddress(), perStream));
                    to.expect(0x4000 + a);
                    binding.add(Allocations.bind(from, channel, to.allocation.relayedAddress()));
                }
            }
        }
        Allocations.await("ChannelBind to another participant's relayed address", binding, pool);
        for (Endpoint e : room) {
            for (Endpoint.OutStream s : e.out) {
                s.intervalNanos = interval;
            }
        }
        return room;
    }

    /** Mean and worst RFC 3550 jitter over every stream, in milliseconds. */
    private static double[] jitter(List<List<Endpoint>> rooms) {
        double sum = 0;
        double max = 0;
        int n = 0;
        for (List<Endpoint> room : rooms) {
            for (Endpoint e : room) {
                for (Endpoint.InStream s : e.inStreams()) {
                    sum += s.jitterMillis;
                    max = Math.max(max, s.jitterMillis);
                    n++;
                }
            }
        }
        return new double[] {n == 0 ? 0 : sum / n, max};
    }

    private StepResult result(Meter m, int roomCount, double seconds, double[] jitter, List<Endpoint> all) {
        m.drain();
        long sent = m.sent.sum();
        long received = m.received.sum();
        Map<String, Number> extra = new LinkedHashMap<>();
        extra.put("rooms", roomCount);
        extra.put("streams", roomCount * roomSize * (roomSize - 1));
        extra.put("jitter_mean_ms", jitter[0]);
        extra.put("jitter_max_ms", jitter[1]);
        return new StepResult(
                roomCount + " rooms",
                roomCount * roomSize * (roomSize - 1) * (streamKib * 1024.0 / packet),
                seconds,
                sent,
                received,
                Math.max(0, sent - received),
                m.errors.sum(),
                m.bytesReceived.sum(),
                Map.of("delay", m.total()),
                extra);
    }
}
