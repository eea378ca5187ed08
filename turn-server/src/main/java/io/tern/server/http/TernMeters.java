package io.tern.server.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.tern.server.auth.AuthResult;
import io.tern.server.metrics.AllocationEnd;
import io.tern.server.metrics.DropReason;
import io.tern.server.metrics.DtlsDrop;
import io.tern.server.metrics.DtlsHandshake;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.metrics.Rfc5780Answer;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.signaling.MessageType;
import io.tern.server.signaling.SignalError;
import io.tern.server.signaling.SignalMetrics;
import io.tern.server.signaling.UpgradeRefusal;
import io.tern.server.transport.ClientTransport;
import io.tern.server.turn.Quotas;
import io.tern.stun.ParseError;
import io.tern.stun.StunMethod;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Exposes {@link ServerMetrics} and the quota counts as Micrometer meters. Every meter is a
 * function of a counter the event loops already keep (a {@link java.util.concurrent.atomic.LongAdder}
 * read at scrape time), so the data path never calls Micrometer and nothing is counted twice.
 *
 * <p>Names follow coturn/eturnal with a {@code tern_} prefix; Micrometer's Prometheus naming adds
 * {@code _total} to counters, so {@code tern.requests} is scraped as {@code tern_requests_total}.
 */
public final class TernMeters implements AutoCloseable {
    /** Request methods that get their own {@code method} label; every other method is "other". */
    static final int[] REQUEST_METHODS = {
        StunMethod.BINDING,
        StunMethod.ALLOCATE,
        StunMethod.REFRESH,
        StunMethod.CREATE_PERMISSION,
        StunMethod.CHANNEL_BIND,
        StunMethod.CONNECT,
        StunMethod.CONNECTION_BIND
    };

    /** ServerMetrics keeps 16 per-method slots (methods 0x000 to 0x00F). */
    private static final int METHOD_SLOTS = 16;

    private final JvmGcMetrics gc;

    private TernMeters(JvmGcMetrics gc) {
        this.gc = gc;
    }

    /**
     * Registers Tern's meters, the JVM basics and Netty's buffer memory on {@code registry}.
     * Close the result to unregister the garbage collector listeners.
     */
    public static TernMeters bind(MeterRegistry registry, ServerMetrics metrics, SignalMetrics signal, Quotas quotas) {
        bindTern(registry, metrics, quotas);
        if (signal != null) {
            bindSignaling(registry, signal);
        }
        bindNetty(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return new TernMeters(gc);
    }

    static void bindTern(MeterRegistry registry, ServerMetrics m, Quotas quotas) {
        Gauge.builder("tern.allocations.active", quotas, Quotas::active)
                .description("Allocations that exist now")
                .register(registry);
        counter(registry, "tern.allocations", m, ServerMetrics::allocationsStartedCount, "Allocations created");
        for (AllocationEnd why : AllocationEnd.values()) {
            FunctionCounter.builder("tern.allocations.ended", m, x -> x.allocationsEndedCount(why))
                    .tag("reason", label(why))
                    .description("Allocations that ended, by why: expired, deleted (Refresh 0), connection_closed")
                    .register(registry);
        }
        Gauge.builder("tern.permissions.active", m, ServerMetrics::permissionsActive)
                .description("Permissions in force (updated by each event loop's once-a-second sweep)")
                .register(registry);
        Gauge.builder("tern.channels.active", m, ServerMetrics::channelsActive)
                .description("Channel bindings in force (updated by each event loop's once-a-second sweep)")
                .register(registry);

        for (ClientTransport t : ClientTransport.values()) {
            int i = t.ordinal();
            String transport = label(t);
            relayed(
                    registry,
                    "tern.relayed.packets",
                    "to_peer",
                    transport,
                    m,
                    x -> x.packetsToPeers(i),
                    "Packets relayed");
            relayed(
                    registry,
                    "tern.relayed.packets",
                    "to_client",
                    transport,
                    m,
                    x -> x.packetsToClients(i),
                    "Packets relayed");
            relayed(registry, "tern.relayed.bytes", "to_peer", transport, m, x -> x.bytesToPeers(i), BYTES_HELP);
            relayed(registry, "tern.relayed.bytes", "to_client", transport, m, x -> x.bytesToClients(i), BYTES_HELP);
        }

        for (int method : REQUEST_METHODS) {
            requests(registry, m, StunMethod.name(method), "success", x -> x.successCount(method));
            requests(registry, m, StunMethod.name(method), "error", x -> x.errorCount(method));
        }
        requests(registry, m, "other", "success", x -> otherMethods(x, true));
        requests(registry, m, "other", "error", x -> otherMethods(x, false));
        for (int method : REQUEST_METHODS) {
            for (int code : ServerMetrics.ERROR_CODES) {
                errors(registry, m, method, String.valueOf(code), x -> x.errorCount(method, code));
            }
            errors(registry, m, method, "other", x -> x.errorCount(method, -1));
        }

        for (ParseError reason : ParseError.values()) {
            FunctionCounter.builder("tern.malformed", m, x -> x.malformedCount(reason))
                    .tag("reason", label(reason))
                    .description("Datagrams and frames dropped because they do not parse")
                    .register(registry);
        }
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder("tern.dropped", m, x -> x.droppedCount(reason))
                    .tag("reason", label(reason))
                    .description("Well-formed messages dropped without an answer")
                    .register(registry);
        }
        for (RelayDrop reason : RelayDrop.values()) {
            FunctionCounter.builder("tern.relay.dropped", m, x -> x.relayDropCount(reason))
                    .tag("reason", label(reason))
                    .description("Relayed data not passed on")
                    .register(registry);
        }
        for (AuthResult.Outcome outcome : AuthResult.Outcome.values()) {
            if (outcome == AuthResult.Outcome.OK) {
                continue;
            }
            FunctionCounter.builder("tern.auth.failures", m, x -> x.authFailureCount(outcome))
                    .tag("reason", label(outcome))
                    .description("TURN requests that did not authenticate, by reason")
                    .register(registry);
        }
        for (Rfc5780Answer what : Rfc5780Answer.values()) {
            FunctionCounter.builder("tern.rfc5780.answers", m, x -> x.rfc5780AnswerCount(what))
                    .tag("kind", label(what))
                    .description("RFC 5780 Binding answers by what they did beyond a plain Binding")
                    .register(registry);
        }
        Gauge.builder("tern.dtls.sessions.active", m, ServerMetrics::dtlsSessions)
                .description("Established DTLS sessions")
                .register(registry);
        Gauge.builder("tern.dtls.handshakes.active", m, ServerMetrics::dtlsHandshaking)
                .description("DTLS sessions still in their handshake (capped; see tern_dtls_dropped_total)")
                .register(registry);
        for (DtlsHandshake outcome : DtlsHandshake.values()) {
            FunctionCounter.builder("tern.dtls.handshakes", m, x -> x.dtlsHandshakeCount(outcome))
                    .tag("result", label(outcome))
                    .description("DTLS handshakes by how they ended: completed, failed, timed_out")
                    .register(registry);
        }
        for (DtlsDrop reason : DtlsDrop.values()) {
            FunctionCounter.builder("tern.dtls.dropped", m, x -> x.dtlsDropCount(reason))
                    .tag("reason", label(reason))
                    .description("Datagrams on the DTLS port dropped before STUN/TURN saw them")
                    .register(registry);
        }
        counter(
                registry,
                "tern.tcp.connections",
                m,
                ServerMetrics::tcpConnectionsOpened,
                "TCP (and later TLS) client connections accepted");
    }

    static void bindSignaling(MeterRegistry registry, SignalMetrics s) {
        Gauge.builder("tern.signal.connections.active", s, SignalMetrics::connectionsActive)
                .description("Open signaling WebSocket connections")
                .register(registry);
        Gauge.builder("tern.signal.rooms.active", s, SignalMetrics::roomsActive)
                .description("Signaling rooms with at least one participant")
                .register(registry);
        for (MessageType type : MessageType.values()) {
            FunctionCounter.builder("tern.signal.messages", s, x -> x.messages(type))
                    .tag("type", type.wire())
                    .description("Signaling messages received, by type")
                    .register(registry);
        }
        for (SignalError code : SignalError.values()) {
            FunctionCounter.builder("tern.signal.errors", s, x -> x.errors(code))
                    .tag("code", code.code())
                    .description("Signaling error messages sent, by code")
                    .register(registry);
        }
        for (UpgradeRefusal reason : UpgradeRefusal.values()) {
            FunctionCounter.builder("tern.signal.connections.refused", s, x -> x.refused(reason))
                    .tag("reason", reason.reason())
                    .description("Signaling WebSocket upgrades refused before the handshake, by reason")
                    .register(registry);
        }
    }

    private static void bindNetty(MeterRegistry registry) {
        // Relay and listener buffers come from the pooled allocator; Netty's default (adaptive) one
        // serves the rest, including this HTTP server.
        allocator(registry, "pooled", PooledByteBufAllocator.DEFAULT);
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT) {
            allocator(registry, "default", ByteBufAllocator.DEFAULT);
        }
    }

    private static void allocator(MeterRegistry registry, String name, ByteBufAllocator allocator) {
        if (!(allocator instanceof ByteBufAllocatorMetricProvider provider)) {
            return;
        }
        ByteBufAllocatorMetric metric = provider.metric();
        Gauge.builder("tern.netty.memory.used", metric, ByteBufAllocatorMetric::usedDirectMemory)
                .tags("allocator", name, "memory", "direct")
                .description("Memory held by Netty's buffer allocators")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("tern.netty.memory.used", metric, ByteBufAllocatorMetric::usedHeapMemory)
                .tags("allocator", name, "memory", "heap")
                .description("Memory held by Netty's buffer allocators")
                .baseUnit("bytes")
                .register(registry);
    }

    private static long otherMethods(ServerMetrics m, boolean success) {
        long sum = 0;
        outer:
        for (int method = 0; method < METHOD_SLOTS; method++) {
            for (int named : REQUEST_METHODS) {
                if (named == method) {
                    continue outer;
                }
            }
            sum += success ? m.successCount(method) : m.errorCount(method);
        }
        return sum;
    }

    private static void requests(
            MeterRegistry registry, ServerMetrics m, String method, String result, ToDoubleFunction<ServerMetrics> f) {
        FunctionCounter.builder("tern.requests", m, f)
                .tags("method", method, "result", result)
                .description("STUN/TURN requests answered, by method and result (error: any error response)")
                .register(registry);
    }

    private static void errors(
            MeterRegistry registry, ServerMetrics m, int method, String code, ToDoubleFunction<ServerMetrics> f) {
        FunctionCounter.builder("tern.request.errors", m, f)
                .tags("method", StunMethod.name(method), "code", code)
                .description("Error responses by method and ERROR-CODE (401 includes every new client's challenge)")
                .register(registry);
    }

    private static final String BYTES_HELP = "Application bytes relayed (payload, without STUN/ChannelData framing)";

    private static void relayed(
            MeterRegistry registry,
            String name,
            String direction,
            String transport,
            ServerMetrics m,
            ToDoubleFunction<ServerMetrics> f,
            String help) {
        FunctionCounter.builder(name, m, f)
                .tags("direction", direction, "transport", transport)
                .description(help + ", by direction and the client's transport")
                .register(registry);
    }

    private static void counter(
            MeterRegistry registry, String name, ServerMetrics m, ToDoubleFunction<ServerMetrics> f, String help) {
        FunctionCounter.builder(name, m, f).description(help).register(registry);
    }

    private static String label(Enum<?> reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        gc.close();
    }
}
