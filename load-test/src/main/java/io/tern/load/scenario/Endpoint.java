package io.tern.load.scenario;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.TurnAllocation;
import io.tern.load.report.Meter;
import io.tern.stun.channel.ChannelData;
import java.util.ArrayList;
import java.util.List;

/**
 * One allocation of the relay and call scenarios: the client that holds it, the streams it sends
 * (ChannelData on a channel bound to a peer), and the streams it receives. Everything but the
 * configuration is touched only on the client's event loop: the {@link Pacer} and the inbound
 * callbacks both run there.
 *
 * <p>Every message carries its send time and the step it was sent in:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 send time (System.nanoTime, 64 bits)          |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       sequence number                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     step      |         zeros up to the payload size ...      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
final class Endpoint implements InboundListener {
    /** The smallest payload that holds the header above. */
    static final int MIN_PAYLOAD = 13;

    /**
     * In flood mode, when nothing has come back for this long the messages in flight are written
     * off (lost), so a loss does not shrink the window for good. Long, so that a slow round trip
     * under load does not open the window beyond {@link #window}.
     */
    private static final long WRITE_OFF_NANOS = 1_000_000_000L;

    /** A fixed-rate pacer does not catch up more than this behind (a stalled loop drops the backlog). */
    private static final long MAX_BACKLOG_NANOS = 50_000_000L;

    private final Steps steps;
    private final int payload;
    /** Flood: messages in flight per allocation; 0 for fixed rate. */
    private final int window;

    final List<OutStream> out = new ArrayList<>();
    private final InStream[] in = new InStream[0x1000];

    volatile StunClient client;

    /**
     * Set while the raw UDP path ({@link RawUdpPath}) carries this endpoint's ChannelData instead
     * of the client: frames are written here and flushed once per tick (sendmmsg).
     */
    volatile Channel raw;

    private boolean unflushed;
    TurnAllocation allocation;

    private long floodSent;
    private long floodReceived;
    private long writtenOff;
    private long lastReceiveNanos;

    Endpoint(Steps steps, int payload, int window) {
        this.steps = steps;
        this.payload = payload;
        this.window = window;
    }

    /** A stream sent on {@code channel} to {@code peer}; {@code maxMessages} bounds it. */
    static final class OutStream {
        final int channel;
        final java.net.InetSocketAddress peer;
        final long maxMessages;
        /** Nanoseconds between messages, set by the ramp; read by the pacer. */
        volatile long intervalNanos;

        long nextSendNanos;
        long sent;
        int sequence;

        OutStream(int channel, java.net.InetSocketAddress peer, long maxMessages) {
            this.channel = channel;
            this.peer = peer;
            this.maxMessages = maxMessages;
        }
    }

    /** The receiving side of one stream: RFC 3550's interarrival jitter. */
    static final class InStream {
        private long lastTransit = Long.MIN_VALUE;
        private double jitterNanos;
        /** The latest jitter estimate, for the ramp to read at the end of a step. */
        volatile double jitterMillis;

        void arrived(long transitNanos) {
            if (lastTransit != Long.MIN_VALUE) {
                double d = Math.abs(transitNanos - lastTransit);
                jitterNanos += (d - jitterNanos) / 16;
                jitterMillis = jitterNanos / 1e6;
            }
            lastTransit = transitNanos;
        }
    }

    /** The peer a stream of this endpoint sends to on {@code channel}, or null. */
    java.net.InetSocketAddress peerOf(int channel) {
        for (OutStream s : out) {
            if (s.channel == channel) {
                return s.peer;
            }
        }
        return null;
    }

    /** The streams this endpoint receives. */
    List<InStream> inStreams() {
        List<InStream> streams = new ArrayList<>();
        for (InStream s : in) {
            if (s != null) {
                streams.add(s);
            }
        }
        return streams;
    }

    /** Expects a stream on {@code channel} (a peer endpoint sends on it); its jitter is tracked. */
    InStream expect(int channel) {
        InStream s = new InStream();
        in[channel - 0x4000] = s;
        return s;
    }

    @Override
    public void onChannelData(int channel, ByteBuf data) {
        long now = System.nanoTime();
        if (data.readableBytes() < MIN_PAYLOAD) {
            return; // not one of ours
        }
        int at = data.readerIndex();
        long sentAt = data.getLong(at);
        int stamp = data.getUnsignedByte(at + 12);
        Meter meter = steps.meter(stamp);
        meter.received.increment();
        meter.bytesReceived.add(data.readableBytes());
        meter.recordNanos(now - sentAt);
        InStream stream = in[channel - 0x4000];
        if (stream != null) {
            stream.arrived(now - sentAt);
        }
        lastReceiveNanos = now;
        if (window > 0) {
            floodReceived++;
            pump(now);
        }
    }

    /**
     * How often this endpoint wants {@link #tick}: every millisecond in flood mode, else its
     * shortest send interval; {@link Long#MAX_VALUE} while it has nothing to send.
     */
    long tickIntervalNanos() {
        if (window > 0) {
            return 0;
        }
        long shortest = Long.MAX_VALUE;
        for (OutStream s : out) {
            long interval = s.intervalNanos;
            if (interval > 0) {
                shortest = Math.min(shortest, interval);
            }
        }
        return shortest;
    }

    /** Called by the pacer on the client's loop, every millisecond or less often ({@link Pacer}). */
    void tick(long now) {
        if ((client == null && raw == null) || !steps.sending()) {
            return;
        }
        if (window > 0) {
            long inFlight = floodSent - floodReceived - writtenOff;
            if (inFlight > 0 && now - lastReceiveNanos > WRITE_OFF_NANOS) {
                writtenOff += inFlight;
                lastReceiveNanos = now;
            }
            pump(now);
            return;
        }
        try {
            paced(now);
        } finally {
            flush();
        }
    }

    private void paced(long now) {
        for (OutStream s : out) {
            long interval = s.intervalNanos;
            if (interval <= 0) {
                continue;
            }
            if (s.nextSendNanos == 0 || now - s.nextSendNanos > MAX_BACKLOG_NANOS) {
                s.nextSendNanos = now;
            }
            while (now - s.nextSendNanos >= 0 && s.sent < s.maxMessages) {
                send(s, now);
                s.nextSendNanos += interval;
            }
        }
    }

    /** Flood: keep {@link #window} messages in flight on the first stream. */
    private void pump(long now) {
        if (!steps.sending() || out.isEmpty()) {
            return;
        }
        OutStream s = out.get(0);
        if (floodSent - floodReceived - writtenOff <= 0) {
            lastReceiveNanos = now; // the write-off clock starts with the first message in flight
        }
        while (floodSent - floodReceived - writtenOff < window && s.sent < s.maxMessages) {
            send(s, now);
            floodSent++;
        }
        flush();
    }

    private void flush() {
        if (unflushed) {
            unflushed = false;
            raw.flush();
        }
    }

    private void send(OutStream s, long now) {
        int stamp = steps.stamp();
        Channel rawChannel = raw;
        if (rawChannel != null) {
            // One buffer, header and payload, no future: the lean path.
            ByteBuf frame = rawChannel.alloc().ioBuffer(ChannelData.HEADER_LENGTH + payload);
            ChannelData.writeHeader(frame, s.channel, payload);
            frame.writeLong(now).writeInt(s.sequence++).writeByte(stamp).writeZero(payload - MIN_PAYLOAD);
            steps.meter(stamp).sent.increment();
            s.sent++;
            rawChannel.write(frame, rawChannel.voidPromise());
            unflushed = true;
            return;
        }
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(payload);
        data.writeLong(now).writeInt(s.sequence++).writeByte(stamp).writeZero(payload - MIN_PAYLOAD);
        Meter meter = steps.meter(stamp);
        meter.sent.increment();
        s.sent++;
        client.sendChannelData(s.channel, data).whenComplete((ok, error) -> {
            if (error != null) {
                meter.errors.increment();
            }
        });
    }
}
