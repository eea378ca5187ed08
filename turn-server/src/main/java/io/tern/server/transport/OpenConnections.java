package io.tern.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The connections a server has accepted, closed before its event loops stop. A connection left
 * for the loops' own shutdown to close may never see its channelInactive, and whatever its
 * decoders hold then leaks: a partial STUN frame, an HTTP request still arriving (both found by
 * {@code ShutdownTest}). Thread-safe; a connection leaves the set when it closes.
 */
public final class OpenConnections {
    private static final long WAIT_SECONDS = 2;

    private final ChannelGroup channels;

    public OpenConnections(String name) {
        this.channels = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
    }

    /** Tracks an accepted connection until it closes. */
    public void add(Channel connection) {
        channels.add(connection);
    }

    /**
     * Closes every connection, then waits until each loop of {@code group} has run what the
     * closes queued: tasks run in order, so once a task submitted now has run, so have the
     * channelInactive events before it.
     */
    public void closeAll(EventLoopGroup group) {
        channels.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        for (EventExecutor loop : group) {
            loop.submit(() -> {}).awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
