/*
 * The same UDP echo as FfmUdpEcho.java, the way Tern's listeners do it: one Netty epoll
 * datagram channel with recvmmsg (16 slots), 4 MiB of receive buffer, the pooled allocator, a
 * DatagramPacket written back per datagram and one flush per read batch. A measurement prototype, not part of the server.
 *
 * Run: java -cp load-test/target/benchmarks.jar NettyUdpEcho.java PORT SECONDS
 * Prints the event loop's CPU (user and system) and heap allocation per datagram after the first
 * second.
 */
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

public class NettyUdpEcho {
    static long datagrams;

    public static void main(String[] args) throws Exception {
        System.setProperty("io.netty.leakDetection.level", "disabled");
        int port = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        var group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel ch = new Bootstrap()
                .group(group)
                .channelFactory(() -> new EpollDatagramChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048 * 16))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        ctx.write(new DatagramPacket(p.content().retain(), p.sender()), ctx.voidPromise());
                        datagrams++;
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port))
                .sync()
                .channel();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] start = new long[4];
        ch.eventLoop().schedule(() -> {
            long id = Thread.currentThread().getId();
            start[0] = threads.getThreadCpuTime(id);
            start[1] = threads.getThreadUserTime(id);
            start[2] = threads.getThreadAllocatedBytes(id);
            start[3] = datagrams;
        }, 1, TimeUnit.SECONDS);
        ch.eventLoop().schedule(() -> {
            long id = Thread.currentThread().getId();
            long cpu = threads.getThreadCpuTime(id) - start[0];
            long user = threads.getThreadUserTime(id) - start[1];
            long alloc = threads.getThreadAllocatedBytes(id) - start[2];
            long n = datagrams - start[3];
            System.out.printf("netty: %d datagrams echoed after the first second;"
                            + " per datagram %.2f µs CPU (%.2f user + %.2f system), %.1f B allocated%n",
                    n, cpu / 1e3 / n, user / 1e3 / n, (cpu - user) / 1e3 / n, (double) alloc / n);
            ch.close();
        }, seconds, TimeUnit.SECONDS).sync();
        ch.closeFuture().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
