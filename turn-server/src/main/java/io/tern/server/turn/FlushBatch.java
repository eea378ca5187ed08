package io.tern.server.turn;

import io.netty.channel.Channel;
import java.util.Arrays;

/**
 * Channels written to during one read batch of an event loop, flushed together when the batch
 * ends. Relaying writes to a different channel than the one being read (client socket → relay
 * socket and back); flushing each write would cost a syscall per packet, flushing once lets epoll
 * send a whole batch with sendmmsg. One per event loop; not thread-safe.
 */
public final class FlushBatch {
    private Channel[] pending = new Channel[8];
    private int size;

    /** Remembers that {@code channel} has unflushed writes. */
    public void add(Channel channel) {
        for (int i = 0; i < size; i++) {
            if (pending[i] == channel) {
                return;
            }
        }
        if (size == pending.length) {
            pending = Arrays.copyOf(pending, size * 2);
        }
        pending[size++] = channel;
    }

    /** Flushes every remembered channel. */
    public void flush() {
        for (int i = 0; i < size; i++) {
            pending[i].flush();
            pending[i] = null;
        }
        size = 0;
    }
}
