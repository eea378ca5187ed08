package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.StunErrorResponseException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process: {@code tern serve --config FILE} in its own JVM; the file is edited and the
 * process gets SIGHUP, SIGUSR1, then SIGTERM. New users apply without a restart; USR1 drains; TERM
 * exits 0.
 */
class ReloadSignalTest {
    @TempDir
    Path dir;

    @Test
    void sighupReloadsUsersFromTheFileAndSigtermStopsCleanly() throws Exception {
        int port = freeUdpPort();
        Path conf = dir.resolve("tern.conf");
        Path log = dir.resolve("tern.log");
        write(conf, port, "alice:first-password");
        Process tern = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "serve",
                        "--config",
                        conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
            awaitTrue(() -> allocates(server, new Credentials("alice", "first-password")));
            assertThat(allocates(server, new Credentials("bob", "second-password")))
                    .isFalse();

            write(conf, port, "bob:second-password");
            new ProcessBuilder("kill", "-HUP", String.valueOf(tern.pid()))
                    .start()
                    .waitFor();

            awaitTrue(() -> allocates(server, new Credentials("bob", "second-password")));
            assertThat(allocates(server, new Credentials("alice", "first-password")))
                    .isFalse();
            assertThat(tern.isAlive()).isTrue();
        } catch (Exception | AssertionError e) {
            throw new AssertionError("tern's output:\n" + Files.readString(log), e);
        } finally {
            tern.destroy(); // SIGTERM
            assertThat(tern.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(tern.exitValue()).as(Files.readString(log)).isZero();
    }

    private static void write(Path conf, int port, String user) throws IOException {
        Files.write(
                conf,
                List.of(
                        "listening-ip=127.0.0.1",
                        "listening-port=" + port,
                        "no-tls",
                        "http-listen=127.0.0.1:0",
                        "realm=reload.test",
                        "user=" + user,
                        "relay-ip=127.0.0.1",
                        "min-port=33000",
                        "max-port=33099",
                        "allow-loopback-peers"),
                StandardCharsets.UTF_8);
    }

    /** Whether an Allocate with these credentials succeeds (false on 401). */
    private static boolean allocates(InetSocketAddress server, Credentials credentials) throws Exception {
        try (StunClient client = StunClient.builder(server)
                .credentials(credentials)
                .timeout(Duration.ofSeconds(2))
                .connect()
                .get(3, TimeUnit.SECONDS)) {
            client.allocate().get(3, TimeUnit.SECONDS);
            client.refresh(Duration.ZERO).get(3, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StunErrorResponseException error && error.code() == 401) {
                return false;
            }
            throw e;
        }
    }

    private static boolean allocationRefusedWith(InetSocketAddress server, Credentials credentials, int code)
            throws Exception {
        try (StunClient client = StunClient.builder(server)
                .credentials(credentials)
                .timeout(Duration.ofSeconds(2))
                .connect()
                .get(3, TimeUnit.SECONDS)) {
            client.allocate().get(3, TimeUnit.SECONDS);
            client.refresh(Duration.ZERO).get(3, TimeUnit.SECONDS);
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof StunErrorResponseException error && error.code() == code;
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls for up to 15 s (the JVM has to start); transport errors count as not yet. */
    private static void awaitTrue(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 15 s");
            }
            Thread.sleep(200);
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }
}
