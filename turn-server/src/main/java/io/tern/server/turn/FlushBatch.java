package io.tern.server.turn;

import io.netty.channel.Channel;
import io.tern.server.udp.UdpSocket;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Sockets written to during one read batch of an event loop, flushed together when the batch
 * ends. Relaying writes to a different socket than the one being read (client socket → relay
 * socket and back); flushing each write would cost a syscall per packet, flushing once sends a
 * whole batch with sendmmsg. One per event loop; not thread-safe.
 */
public final class FlushBatch {
    private final Pending<UdpSocket> sockets = new Pending<>(UdpSocket::flush);
    private final Pending<Channel> channels = new Pending<>(Channel::flush);

    /** Remembers that {@code channel} has unflushed writes. */
    public void add(Channel channel) {
        channels.add(channel);
    }

    /** Remembers that {@code socket} has queued datagrams. */
    public void add(UdpSocket socket) {
        sockets.add(socket);
    }

    /** Flushes every remembered socket and channel. */
    public void flush() {
        sockets.flush();
        channels.flush();
    }

    /** A small set kept in insertion order: a batch touches a handful of sockets. */
    private static final class Pending<T> {
        private final Consumer<T> flush;
        private Object[] items = new Object[8];
        private int size;

        Pending(Consumer<T> flush) {
            this.flush = flush;
        }

        void add(T item) {
            for (int i = 0; i < size; i++) {
                if (items[i] == item) {
                    return;
                }
            }
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = item;
        }

        @SuppressWarnings("unchecked")
        void flush() {
            for (int i = 0; i < size; i++) {
                flush.accept((T) items[i]);
                items[i] = null;
            }
            size = 0;
        }
    }
}
