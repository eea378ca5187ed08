package io.tern.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * tern-load against a server nobody on this team wrote: Debian's coturn {@code turnserver} on
 * loopback, with the settings compare-coturn.sh uses. Skipped when coturn is not installed, unless
 * {@code -Dtern.requireInterop=true}, where that is a failure.
 */
@Timeout(60)
class CoturnLoadTest {
    private static final String TURNSERVER = "/usr/bin/turnserver";

    @TempDir
    static Path dir;

    private static Process coturn;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(Path.of(TURNSERVER))) {
            String why = TURNSERVER + " is missing; install it with: apt-get install coturn";
            if (Boolean.getBoolean("tern.requireInterop")) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        port = freePort();
        coturn = new ProcessBuilder(List.of(
                        TURNSERVER,
                        "-n",
                        "--no-cli",
                        "--no-tls",
                        "--no-dtls",
                        "--listening-ip",
                        "127.0.0.1",
                        "--listening-port",
                        Integer.toString(port),
                        "--relay-ip",
                        "127.0.0.1",
                        "--min-port",
                        "23000",
                        "--max-port",
                        "23999",
                        "--allow-loopback-peers",
                        "--lt-cred-mech",
                        "--realm",
                        "coturn.test",
                        "--user",
                        "alice:secret",
                        "--pidfile",
                        dir.resolve("turnserver.pid").toString(),
                        "--log-file",
                        dir.resolve("turnserver.log").toString(),
                        "--simple-log",
                        "--no-stdout-log"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("turnserver.out").toFile())
                .start();
        // Ready when it answers a Binding.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Cli probe = Cli.run("binding", "--server", "127.0.0.1:" + port, "--count", "1", "--timeout", "300ms", "-q");
            if (probe.exitCode() == 0) {
                break;
            }
            if (!coturn.isAlive() || System.nanoTime() > deadline) {
                fail("coturn did not start: " + Files.readString(dir.resolve("turnserver.out")));
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (coturn != null) {
            coturn.destroy();
            if (!coturn.waitFor(5, TimeUnit.SECONDS)) {
                coturn.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void relayThroughCoturnLosesNothingAtALowRate() {
        Cli run = Cli.run(
                "relay",
                "--server",
                "127.0.0.1:" + port,
                "--user",
                "alice",
                "--password",
                "secret",
                "--allocations",
                "2",
                "--rate",
                "200",
                "--duration",
                "1s",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        long sent = run.count("sent");
        assertThat(sent).isBetween(50L, 260L);
        assertThat(run.count("received")).isEqualTo(sent);
        assertThat(run.count("rtt_count")).isEqualTo(sent);
        assertThat(run.count("allocations_deleted")).isEqualTo(2);
    }

    @Test
    void allocationChurnAgainstCoturn() {
        Cli run = Cli.run(
                "allocate",
                "--server",
                "127.0.0.1:" + port,
                "--user",
                "alice",
                "--password",
                "secret",
                "--count",
                "20",
                "--concurrency",
                "4",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.count("allocations")).isEqualTo(20);
        assertThat(run.count("deleted")).isEqualTo(20);
    }

    @Test
    void coturnRefusesAWrongPassword() {
        Cli run = Cli.run(
                "allocate",
                "--server",
                "127.0.0.1:" + port,
                "--user",
                "alice",
                "--password",
                "nope",
                "--count",
                "1",
                "-q");
        assertThat(run.exitCode()).isEqualTo(LoadException.AUTH);
        assertThat(run.err()).contains("authentication failed");
    }

    /** A port free for UDP and TCP on 127.0.0.1 a moment ago (outside the relay ranges). */
    private static int freePort() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(0, loopback)) {
                int p = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(p, 1, loopback)) {
                    return p;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }
}
