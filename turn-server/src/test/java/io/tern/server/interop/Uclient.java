package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * coturn's turnutils_uclient and turnutils_peer, as the interop tests drive them. The client exits
 * 0 even when it loses packets, so a run is judged by its own report: every message sent must
 * come back and none may be counted lost.
 */
final class Uclient {
    static final String UCLIENT = "/usr/bin/turnutils_uclient";
    static final String PEER = "/usr/bin/turnutils_peer";

    private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");

    private Uclient() {}

    static void require() {
        ExternalTool.require(UCLIENT, "coturn");
        ExternalTool.require(PEER, "coturn");
    }

    /** turnutils_peer on 127.0.0.1, echoing on a port and the one above it (RTP/RTCP pairs). */
    static final class EchoPeer implements AutoCloseable {
        private final Process process;
        private final int port;

        private EchoPeer(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        /** Starts one on the first free even pair in [from, to), below Linux's ephemeral range. */
        static EchoPeer start(int from, int to) throws Exception {
            return start("127.0.0.1", from, to);
        }

        /** The same on another loopback address, e.g. ::1. */
        static EchoPeer start(String ip, int from, int to) throws Exception {
            int port = freeUdpPortPair(ip, from, to);
            Process p = new ProcessBuilder(PEER, "-L", ip, "-p", String.valueOf(port))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Thread.sleep(300);
            return new EchoPeer(p, port);
        }

        int port() {
            return port;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    /** Runs the client against 127.0.0.1:serverPort, relaying to the peer; at most 60 s. */
    static ExternalTool.Result run(int serverPort, int peerPort, List<String> options) throws Exception {
        return run("127.0.0.1", serverPort, "127.0.0.1", peerPort, options);
    }

    /** Runs the client against serverIp:serverPort, relaying to peerIp:peerPort; at most 60 s. */
    static ExternalTool.Result run(String serverIp, int serverPort, String peerIp, int peerPort, List<String> options)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(UCLIENT, "-p", String.valueOf(serverPort)));
        cmd.addAll(options);
        cmd.addAll(List.of("-e", peerIp, "-r", String.valueOf(peerPort), serverIp));
        return ExternalTool.run(60, cmd.toArray(new String[0]));
    }

    /** Asserts the run relayed every message it sent and lost none; returns the totals line. */
    static String assertNoLoss(ExternalTool.Result r) {
        Matcher totals = lastMatch(TOTALS, r.output());
        assertThat(totals).as("no totals in:\n%s", r.output()).isNotNull();
        long sent = Long.parseLong(totals.group(1));
        long received = Long.parseLong(totals.group(2));
        assertThat(sent).as(r.output()).isPositive();
        assertThat(received).as(r.output()).isEqualTo(sent);
        Matcher lost = lastMatch(LOST, r.output());
        assertThat(lost).as(r.output()).isNotNull();
        assertThat(Long.parseLong(lost.group(1))).isZero();
        return totals.group();
    }

    private static Matcher lastMatch(Pattern p, String text) {
        Matcher m = p.matcher(text);
        Matcher last = null;
        while (m.find()) {
            last = p.matcher(text);
            last.find(m.start());
        }
        return last;
    }

    private static int freeUdpPortPair(String ip, int from, int to) {
        for (int port = from; port + 1 < to; port += 2) {
            try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(ip, port));
                    DatagramSocket b = new DatagramSocket(new InetSocketAddress(ip, port + 1))) {
                return port;
            } catch (java.net.SocketException taken) {
                // try the next pair
            }
        }
        throw new IllegalStateException("no free UDP port pair in " + from + "-" + (to - 1));
    }
}
