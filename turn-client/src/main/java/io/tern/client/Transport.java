package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * A connected path to one server that moves whole frames: one datagram over UDP, one STUN or
 * ChannelData message over a stream. It knows nothing of transactions; {@link Transactions} sits
 * on top of it. TLS and DTLS are handlers in the same pipelines, behind this seam.
 *
 * <p>All inbound calls arrive on {@link #eventLoop()}, which also owns every piece of client state
 * above the transport; nothing needs a lock.
 */
interface Transport {

    /** Receives what the server sends. Every method runs on the transport's event loop. */
    interface Listener {
        /**
         * One frame, starting at its reader index. Borrowed: the transport releases it after the
         * call returns.
         */
        void onFrame(ByteBuf frame);

        /** Something went wrong that does not end the transport (an ICMP error on UDP). */
        void onError(Throwable cause);

        /** The transport is closed, by us or the peer. {@code cause} is null on an orderly close. */
        void onClosed(Throwable cause);
    }

    /** Starts delivering frames; nothing is read before this is called. Call once. */
    void start(Listener listener);

    TransportProtocol protocol();

    /** The thread that delivers frames and runs the client's timers. */
    EventLoop eventLoop();

    /** The allocator to encode outgoing frames with. */
    ByteBufAllocator alloc();

    InetSocketAddress localAddress();

    InetSocketAddress remoteAddress();

    /** Sends one frame and takes ownership of it (it is released even when sending fails). */
    ChannelFuture send(ByteBuf frame);

    /** Closes the transport; the future completes once {@link Listener#onClosed} has run. */
    ChannelFuture close();
}
