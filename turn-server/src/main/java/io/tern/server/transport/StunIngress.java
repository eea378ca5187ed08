package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.tern.server.metrics.DropReason;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.stun.StunDispatcher;
import io.tern.server.turn.Allocation;
import io.tern.server.turn.ClientRelay;
import io.tern.server.turn.RelayLoop;
import io.tern.stun.ParseError;
import io.tern.stun.StunReader;
import io.tern.stun.channel.ChannelData;

/**
 * The demultiplexer every client transport feeds: one whole message in (a datagram or a stream
 * frame), and by its first byte (RFC 7983) either STUN to the dispatcher or ChannelData to the
 * relay. One per event loop thread; it owns the reader that parses on that thread.
 */
public final class StunIngress {
    private final StunReader reader = new StunReader();
    private final StunDispatcher dispatcher;
    private final ServerMetrics metrics;
    private final RelayLoop relayLoop;
    private final ClientRelay relay;

    /**
     * @param relayLoop this loop's TURN state, or null when TURN is off (STUN only)
     * @param relay the ChannelData path of that state, or null
     */
    public StunIngress(StunDispatcher dispatcher, ServerMetrics metrics, RelayLoop relayLoop, ClientRelay relay) {
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.relayLoop = relayLoop;
        this.relay = relay;
    }

    /** Flushes relay sockets written during the read batch that just ended. */
    public void flush() {
        if (relayLoop != null) {
            relayLoop.flushes().flush();
        }
    }

    /** A client stream closed: its allocation, if any, ends with it. */
    public void connectionClosed(Exchange exchange) {
        if (relayLoop != null) {
            Allocation a = exchange.allocation();
            if (a != null) {
                relayLoop.end(a, io.tern.server.metrics.AllocationEnd.CONNECTION_CLOSED);
            }
        }
    }

    /** Handles one message; never retains or releases {@code message}. */
    public void onMessage(Exchange exchange, ByteBuf message) {
        if (!message.isReadable()) {
            metrics.dropped(DropReason.EMPTY);
            return;
        }
        int first = message.getUnsignedByte(message.readerIndex());
        if (first < 0x40) {
            // RFC 3489 clients are let through here; the dispatcher only answers their Bindings.
            ParseError error = reader.wrap(message, true);
            if (error == null) {
                dispatcher.dispatch(exchange, reader);
            } else {
                dispatcher.malformed(exchange, reader, error);
            }
        } else if (ChannelData.isRfc5766ChannelData(first)) {
            if (relay != null) {
                relay.onChannelData(exchange, message);
            } else {
                metrics.dropped(DropReason.CHANNEL_DATA_WITHOUT_ALLOCATION);
            }
        } else {
            metrics.malformed(ParseError.UNKNOWN_FRAME);
        }
    }
}
