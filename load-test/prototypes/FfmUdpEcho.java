/*
 * A UDP echo server with no allocation per datagram: recvmmsg and sendmmsg called through the
 * Foreign Function & Memory API (JDK 22+) on native arrays made once, one blocking thread. A
 * measurement prototype for a datagram path of Tern's own (docs/benchmarks.md, "A datagram path
 * of Tern's own"), not part of the server.
 *
 * Run: java --enable-native-access=ALL-UNNAMED FfmUdpEcho.java PORT SECONDS
 * Binds 127.0.0.1:PORT, echoes every datagram to its sender for SECONDS, then prints the echo
 * thread's CPU (user and system) and heap allocation per datagram after the first second.
 */
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;

public class FfmUdpEcho {
    static final int AF_INET = 2, SOCK_DGRAM = 2, SOL_SOCKET = 1, SO_RCVBUF = 8, SO_RCVTIMEO = 20;
    static final int MSG_WAITFORONE = 0x10000;
    static final int VLEN = 64, SLOT = 2048;
    static final int MSGHDR = 56, MMSGHDR = 64, IOVEC = 16, SOCKADDR = 16;

    public static void main(String[] args) throws Throwable {
        int port = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MethodHandle socket = linker.downcallHandle(libc.find("socket").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle bind = linker.downcallHandle(libc.find("bind").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle setsockopt = linker.downcallHandle(libc.find("setsockopt").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle recvmmsg = linker.downcallHandle(libc.find("recvmmsg").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle sendmmsg = linker.downcallHandle(libc.find("sendmmsg").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        Arena arena = Arena.global();
        int fd = (int) socket.invokeExact(AF_INET, SOCK_DGRAM, 0);
        MemorySegment addr = arena.allocate(SOCKADDR);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
        addr.set(ValueLayout.JAVA_BYTE, 2, (byte) (port >> 8));
        addr.set(ValueLayout.JAVA_BYTE, 3, (byte) port);
        addr.set(ValueLayout.JAVA_INT, 4, Integer.reverseBytes(0x7f000001));
        if ((int) bind.invokeExact(fd, addr, SOCKADDR) != 0) {
            throw new IllegalStateException("bind 127.0.0.1:" + port + " failed");
        }
        // A receive timeout, so the loop can stop at the deadline when no datagram comes.
        MemorySegment tv = arena.allocate(16);
        tv.set(ValueLayout.JAVA_LONG, 0, 0);
        tv.set(ValueLayout.JAVA_LONG, 8, 200_000);
        int ignored = (int) setsockopt.invokeExact(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
        // 4 MiB of receive buffer, as Tern's listeners ask for.
        MemorySegment rcvbuf = arena.allocate(4);
        rcvbuf.set(ValueLayout.JAVA_INT, 0, 4 << 20);
        ignored = (int) setsockopt.invokeExact(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, 4);

        MemorySegment slots = arena.allocate((long) VLEN * SLOT, 64);
        MemorySegment names = arena.allocate((long) VLEN * SOCKADDR, 8);
        MemorySegment iovs = arena.allocate((long) VLEN * IOVEC, 8);
        MemorySegment msgs = arena.allocate((long) VLEN * MMSGHDR, 8);
        for (int i = 0; i < VLEN; i++) {
            iovs.set(ValueLayout.ADDRESS, (long) i * IOVEC, slots.asSlice((long) i * SLOT, SLOT));
            long m = (long) i * MMSGHDR;
            msgs.set(ValueLayout.ADDRESS, m, names.asSlice((long) i * SOCKADDR, SOCKADDR));
            msgs.set(ValueLayout.ADDRESS, m + 16, iovs.asSlice((long) i * IOVEC, IOVEC));
            msgs.set(ValueLayout.JAVA_LONG, m + 24, 1);
        }

        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        long warm = start + 1_000_000_000L;
        long datagrams = 0, counted = 0, calls = 0;
        long cpu0 = 0, user0 = 0, alloc0 = 0;
        boolean measuring = false;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < VLEN; i++) {
                long m = (long) i * MMSGHDR;
                msgs.set(ValueLayout.JAVA_INT, m + 8, SOCKADDR);
                iovs.set(ValueLayout.JAVA_LONG, (long) i * IOVEC + 8, SLOT);
            }
            int n = (int) recvmmsg.invokeExact(fd, msgs, VLEN, MSG_WAITFORONE, MemorySegment.NULL);
            if (n <= 0) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                long m = (long) i * MMSGHDR;
                int len = msgs.get(ValueLayout.JAVA_INT, m + MSGHDR);
                iovs.set(ValueLayout.JAVA_LONG, (long) i * IOVEC + 8, len);
            }
            int sent = (int) sendmmsg.invokeExact(fd, msgs, n, 0);
            datagrams += n;
            calls++;
            if (!measuring && System.nanoTime() > warm) {
                measuring = true;
                cpu0 = threads.getThreadCpuTime(id);
                user0 = threads.getThreadUserTime(id);
                alloc0 = threads.getThreadAllocatedBytes(id);
                counted = datagrams;
            }
        }
        long cpu = threads.getThreadCpuTime(id) - cpu0;
        long user = threads.getThreadUserTime(id) - user0;
        long alloc = threads.getThreadAllocatedBytes(id) - alloc0;
        long n = datagrams - counted;
        ignored = (int) close.invokeExact(fd);
        System.out.printf("ffm: %d datagrams echoed after the first second, %.1f per recvmmsg;"
                        + " per datagram %.2f µs CPU (%.2f user + %.2f system), %.1f B allocated%n",
                n, (double) datagrams / Math.max(1, calls), cpu / 1e3 / n, user / 1e3 / n, (cpu - user) / 1e3 / n,
                (double) alloc / n);
    }
}
