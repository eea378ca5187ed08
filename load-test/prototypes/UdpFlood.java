/*
 * Load for the echo prototypes: SOCKETS connected UDP sockets on 127.0.0.1 send RATE datagrams/s
 * in all (PAYLOAD bytes each) to 127.0.0.1:PORT for SECONDS and count the echoes. One thread,
 * non-blocking NIO; bounded in time. A measurement prototype, not part of the server.
 *
 * Run: java UdpFlood.java PORT RATE SECONDS SOCKETS PAYLOAD
 */
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

public class UdpFlood {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int rate = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        int sockets = Integer.parseInt(args[3]);
        int payload = Integer.parseInt(args[4]);
        DatagramChannel[] chs = new DatagramChannel[sockets];
        for (int i = 0; i < sockets; i++) {
            chs[i] = DatagramChannel.open();
            chs[i].bind(new InetSocketAddress("127.0.0.1", 0));
            chs[i].connect(new InetSocketAddress("127.0.0.1", port));
            chs[i].configureBlocking(false);
        }
        ByteBuffer out = ByteBuffer.allocateDirect(payload);
        ByteBuffer in = ByteBuffer.allocateDirect(4096);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long sent = 0, received = 0;
        int next = 0;
        while (true) {
            long now = System.nanoTime();
            if (now > end + 500_000_000L) {
                break;
            }
            long due = now < end ? (now - start) * rate / 1_000_000_000L : sent;
            while (sent < due) {
                out.clear();
                try {
                    chs[next].write(out);
                } catch (java.net.PortUnreachableException notYetOrNoMore) {
                    // counted as sent, and so as lost
                }
                next = (next + 1) % sockets;
                sent++;
            }
            for (DatagramChannel ch : chs) {
                while (true) {
                    in.clear();
                    try {
                        if (ch.read(in) <= 0) {
                            break;
                        }
                    } catch (java.net.PortUnreachableException notYetOrNoMore) {
                        break; // the server is not up yet, or already gone: those are lost
                    }
                    received++;
                }
            }
        }
        System.out.printf("flood: sent %d, echoed %d (%.3f %% lost)%n", sent, received, 100.0 * (sent - received) / sent);
    }
}
