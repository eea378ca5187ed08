package io.tern.server.transport;

import io.netty.buffer.ByteBuf;
import io.tern.server.metrics.DropReason;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.stun.StunDispatcher;
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

    public StunIngress(StunDispatcher dispatcher, ServerMetrics metrics) {
        this.dispatcher = dispatcher;
        this.metrics = metrics;
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
        } else if (ChannelData.isChannelData(first)) {
            metrics.dropped(DropReason.CHANNEL_DATA_WITHOUT_ALLOCATION);
        } else {
            metrics.malformed(ParseError.UNKNOWN_FRAME);
        }
    }
}
