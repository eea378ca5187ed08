package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tern.cli.CliRunner.Result;
import io.tern.server.interop.ExternalTool;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tern probe} against coturn (Debian's {@code /usr/bin/turnserver}) on 127.0.0.1, as the
 * comparison target an operator switching from coturn has: every step passes over UDP and TCP, and a
 * wrong password fails at allocate with 401 as it does against Tern.
 */
class ProbeCoturnTest {
    private static final String TURNSERVER = "/usr/bin/turnserver";
    private static final String PASSWORD = "Cw-never-print-3Rk";

    @TempDir
    static Path dir;

    private static Process coturn;
    private static int port;

    @BeforeAll
    static void startCoturn() throws Exception {
        ExternalTool.require(TURNSERVER, "coturn");
        port = freeUdpAndTcpPort();
        coturn = new ProcessBuilder(List.of(
                        TURNSERVER,
                        "--listening-ip=127.0.0.1",
                        "--relay-ip=127.0.0.1",
                        "--listening-port=" + port,
                        "--min-port=31000",
                        "--max-port=31499",
                        "--no-tls",
                        "--no-dtls",
                        "--lt-cred-mech",
                        "--user=alice:" + PASSWORD,
                        "--realm=tern.test",
                        "--allow-loopback-peers",
                        "--no-cli",
                        "--simple-log",
                        "--log-file=stdout",
                        "--userdb=" + dir.resolve("turndb"),
                        "--pidfile=" + dir.resolve("turnserver.pid")))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("turnserver.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answersBinding(port)) {
            if (!coturn.isAlive() || System.nanoTime() > deadline) {
                fail("turnserver did not answer a binding on 127.0.0.1:" + port + " within 10 s (exit "
                        + (coturn.isAlive() ? "none, still running" : coturn.exitValue()) + "); its log:\n"
                        + Files.readString(dir.resolve("turnserver.log")));
            }
        }
    }

    @AfterAll
    static void stopCoturn() throws Exception {
        if (coturn != null) {
            coturn.destroy();
            if (!coturn.waitFor(5, TimeUnit.SECONDS)) {
                coturn.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static int freeUdpAndTcpPort() throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(0, lo)) {
                int candidate = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(candidate, 1, lo)) {
                    return candidate;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1");
    }

    /** A hand-made RFC 8489 Binding request; true when anything answers within 300 ms. */
    private static boolean answersBinding(int port) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(20)
                .putShort((short) 0x0001)
                .putShort((short) 0)
                .putInt(0x2112A442);
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        request.put(id);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(300);
            socket.send(new DatagramPacket(request.array(), 20, InetAddress.getByName("127.0.0.1"), port));
            DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
            socket.receive(answer);
            return answer.getLength() >= 20 && answer.getData()[0] == 0x01 && answer.getData()[1] == 0x01;
        } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void everyStepPassesAgainstCoturn(String transport) throws Exception {
        Result r = ProbeCommandTest.probe(
                "turn:127.0.0.1:" + port + "?transport=" + transport, "--user", "alice", "--password", PASSWORD);

        assertThat(r.exitCode())
                .as(r.all() + "\nturnserver log:\n" + Files.readString(dir.resolve("turnserver.log")))
                .isZero();
        ProbeCommandTest.assertAllPass(r);
        assertThat(r.stdout()).contains("realm tern.test, user alice").contains("relayed 127.0.0.1:31");
    }

    @Test
    void aWrongPasswordFailsAtAllocateWith401AgainstCoturn() {
        Result r = ProbeCommandTest.probe(
                "turn:127.0.0.1:" + port, "--user", "alice", "--password", "wrong-" + PASSWORD.substring(3));

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(r.stdout().split("\n")[1]).startsWith("FAIL allocate 401 wrong credentials or realm");
    }
}
