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
 * process gets SIGHUP (by {@code kill}, then by {@code tern reload} through its pid file), SIGUSR1
 * (by {@code tern drain}), then SIGTERM. New users and the log level apply without a restart; a
 * drain refuses new allocations; TERM exits 0 and removes the pid file.
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
        runServer(conf, log, tern -> {
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
        });
    }

    @Test
    void reloadAndDrainCommandsSignalTheServerNamedByItsPidFile() throws Exception {
        int port = freeUdpPort();
        Path conf = dir.resolve("tern.conf");
        Path log = dir.resolve("tern.log");
        Path pidfile = dir.resolve("tern.pid");
        write(conf, port, "alice:first-password", "log-format=json", "log-level=info", "pidfile=" + pidfile);
        runServer(conf, log, tern -> {
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
            awaitTrue(() -> allocates(server, new Credentials("alice", "first-password")));
            awaitTrue(() -> Files.exists(pidfile));
            assertThat(Files.readString(pidfile).trim()).isEqualTo(String.valueOf(tern.pid()));
            assertThat(allocates(server, new Credentials("alice", "wrong"))).isFalse();
            assertThat(jsonLines(log))
                    .as("one JSON object per line")
                    .isNotEmpty()
                    .allSatisfy(line -> assertThat(line.get("level")).isIn("INFO", "WARN"));

            write(conf, port, "bob:second-password", "log-format=json", "log-level=debug", "pidfile=" + pidfile);
            CliRunner.Result reload = CliRunner.run("reload", "--pidfile", pidfile.toString());
            assertThat(reload.exitCode()).as(reload.all()).isZero();
            assertThat(reload.stdout()).contains("pid " + tern.pid());
            awaitTrue(() -> allocates(server, new Credentials("bob", "second-password")));
            assertThat(allocates(server, new Credentials("bob", "wrong"))).isFalse();
            awaitTrue(() -> jsonLines(log).stream()
                    .anyMatch(line -> "DEBUG".equals(line.get("level"))
                            && String.valueOf(line.get("formattedMessage")).contains("BAD_INTEGRITY (user bob)")));

            CliRunner.Result drain = CliRunner.run("drain", "--pidfile", pidfile.toString());
            assertThat(drain.exitCode()).as(drain.all()).isZero();
            awaitTrue(() -> allocationRefusedWith(server, new Credentials("bob", "second-password"), 508));
            assertThat(tern.isAlive()).isTrue();
        });
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void reloadRefusesAProcessThatIsNotTernServe() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            CliRunner.Result r = CliRunner.run("reload", "--pid", String.valueOf(sleeper.pid()));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).contains("is not tern serve").contains("nothing sent");
            assertThat(sleeper.isAlive()).as("a HUP would have ended sleep").isTrue();
        } finally {
            sleeper.destroy();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void drainNamesWhatIsMissing() throws Exception {
        CliRunner.Result none = CliRunner.run("drain");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.stderr()).contains("--pidfile FILE").contains("--pid PID");

        Path missing = dir.resolve("nowhere.pid");
        CliRunner.Result gone = CliRunner.run("drain", "--pidfile", missing.toString());
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.stderr()).contains(missing + " does not exist");

        Path garbage = dir.resolve("garbage.pid");
        Files.writeString(garbage, "not a number\n");
        CliRunner.Result bad = CliRunner.run("reload", "--pidfile", garbage.toString());
        assertThat(bad.stderr()).contains("does not hold a process id");
    }

    @Test
    void serveRefusesAPidFileItCannotWriteAndABadLogLevel() {
        CliRunner.Result pid = CliRunner.run(
                "serve",
                "--listening-ip",
                "127.0.0.1",
                "--listening-port",
                "0",
                // UDP only: with TCP too, the port the kernel gave UDP may be taken on TCP, and
                // that refusal would come before the pidfile's (it did once in CI).
                "--no-tcp",
                "--no-http",
                "--no-tls",
                "--pidfile",
                dir.resolve("no/such/dir/tern.pid").toString());
        assertThat(pid.exitCode()).isEqualTo(2);
        assertThat(pid.stderr()).contains("pidfile").contains("no/such/dir/tern.pid");

        CliRunner.Result level = CliRunner.run("serve", "--log-level", "loud");
        assertThat(level.exitCode()).isEqualTo(2);
        assertThat(level.stderr()).contains("log-level").contains("loud").contains("debug");
    }

    interface WithServer {
        void run(Process tern) throws Exception;
    }

    /**
     * Runs {@code tern serve --config conf} in its own JVM (output to {@code log}), then {@code
     * body}, then SIGTERM, which must end it with status 0. A failure shows the server's output.
     */
    private static void runServer(Path conf, Path log, WithServer body) throws Exception {
        Process tern = serve(conf, log);
        try {
            body.run(tern);
        } catch (Exception | AssertionError e) {
            throw new AssertionError("tern's output:\n" + Files.readString(log), e);
        } finally {
            tern.destroy(); // SIGTERM
            assertThat(tern.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(tern.exitValue()).as(Files.readString(log)).isZero();
    }

    private static Process serve(Path conf, Path log) throws IOException {
        return new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        // FFM downcalls and Netty's JNI, without JDK 22+'s warning (JDK 17 takes it too).
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "serve",
                        "--config",
                        conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** The log's lines, each parsed as a JSON object (a line that is not one fails the test). */
    @SuppressWarnings("unchecked")
    private static List<java.util.Map<String, Object>> jsonLines(Path log) throws IOException {
        return Files.readAllLines(log).stream()
                .filter(line -> !line.isBlank())
                .map(line -> (java.util.Map<String, Object>) TinyJson.parse(line))
                .toList();
    }

    private static void write(Path conf, int port, String user, String... more) throws IOException {
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
        Files.write(conf, List.of(more), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
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
