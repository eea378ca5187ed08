package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.tern.stun.StunMessage;

/**
 * Receives what the server sends outside a request/response exchange: indications (a TURN Data
 * indication) and ChannelData messages. Both methods run on the client's event loop, so they must
 * not block, and must not throw: an exception counts as a transport error, which on TCP closes the
 * connection (and so the client).
 */
public interface InboundListener {
    /** Drops everything. */
    InboundListener IGNORE = new InboundListener() {};

    /** A STUN indication from the server, e.g. a Data indication with XOR-PEER-ADDRESS and DATA. */
    default void onIndication(StunMessage indication) {}

    /**
     * A ChannelData message. {@code data} is the application data without header or padding. It is
     * borrowed: valid during the call only; {@link ByteBuf#retain()} it to keep it.
     */
    default void onChannelData(int channel, ByteBuf data) {}
}
