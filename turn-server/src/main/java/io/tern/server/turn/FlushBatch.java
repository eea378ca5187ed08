package io.tern.server.turn;

import io.netty.channel.Channel;
import io.tern.server.udp.UdpSocket;
import java.util.Arrays;

/**
 * Sockets written to during one read batch of an event loop, flushed together when the batch
 * ends. Relaying writes to a different socket than the one being read (client socket → relay
 * socket and back); flushing each write would cost a syscall per packet, flushing once sends a
 * whole batch with sendmmsg. One per event loop; not thread-safe.
 */
public final class FlushBatch {
    private Channel[] channels = new Channel[8];
    private int channelCount;
    private UdpSocket[] sockets = new UdpSocket[8];
    private int socketCount;

    /** Remembers that {@code channel} has unflushed writes. */
    public void add(Channel channel) {
        for (int i = 0; i < channelCount; i++) {
            if (channels[i] == channel) {
                return;
            }
        }
        if (channelCount == channels.length) {
            channels = Arrays.copyOf(channels, channelCount * 2);
        }
        channels[channelCount++] = channel;
    }

    /** Remembers that {@code socket} has queued datagrams. */
    public void add(UdpSocket socket) {
        for (int i = 0; i < socketCount; i++) {
            if (sockets[i] == socket) {
                return;
            }
        }
        if (socketCount == sockets.length) {
            sockets = Arrays.copyOf(sockets, socketCount * 2);
        }
        sockets[socketCount++] = socket;
    }

    /** Flushes every remembered channel and socket. */
    public void flush() {
        for (int i = 0; i < socketCount; i++) {
            sockets[i].flush();
            sockets[i] = null;
        }
        socketCount = 0;
        for (int i = 0; i < channelCount; i++) {
            channels[i].flush();
            channels[i] = null;
        }
        channelCount = 0;
    }
}
