package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.tern.stun.StunMessage;
import java.net.InetSocketAddress;

/**
 * Receives what the server sends outside a request/response exchange: relayed data from peers
 * (TURN Data indications and ChannelData) and any other indication. The methods run on the
 * client's event loop, so they must not block, and must not throw: an exception counts as a
 * transport error, which on TCP closes the connection (and so the client).
 *
 * <p>Data is borrowed: the buffers are valid during the call only; {@link ByteBuf#retain()} one
 * to keep it, or copy it out.
 */
public interface InboundListener {
    /** Drops everything. */
    InboundListener IGNORE = new InboundListener() {};

    /**
     * A Data indication (RFC 8656 §11.6): {@code data} came from {@code peer} (its XOR-PEER-ADDRESS)
     * to the client's relayed address. A Data indication without XOR-PEER-ADDRESS or DATA is
     * dropped as malformed and never reaches the listener.
     */
    default void onData(InetSocketAddress peer, ByteBuf data) {}

    /**
     * A ChannelData message (RFC 8656 §12.6): data from the peer bound to {@code channel}, without
     * header or padding.
     */
    default void onChannelData(int channel, ByteBuf data) {}

    /** Any other STUN indication from the server. */
    default void onIndication(StunMessage indication) {}
}
