package io.tern.server.udp;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * One epoll event loop for tests of the datagram path: sockets are opened, used and closed on it,
 * and the test waits for each step.
 */
final class DatagramLoop implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    final EventLoop loop = group.next();

    /** Runs {@code task} on the loop and returns its result (5 s at most). */
    <T> T call(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    /** A relay-style socket on {@code ip:port} of {@code path}, owned by this loop. */
    UdpSocket open(NativeUdp path, String ip, int port, UdpReceiver receiver) throws Exception {
        return call(() ->
                path.open(loop, new InetSocketAddress(InetAddress.getByName(ip), port), UdpOptions.RELAY, receiver));
    }

    void close(UdpSocket socket) throws Exception {
        call(() -> {
            socket.close();
            return null;
        });
    }

    /** {@code length} bytes that differ from one {@code seed} to the next. */
    static byte[] payload(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    @Override
    public void close() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
