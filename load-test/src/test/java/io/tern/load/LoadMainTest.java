package io.tern.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every scenario, small and bounded, against a real Tern server in this JVM, over real loopback
 * sockets; and the ways a run must refuse or fail.
 */
@Timeout(60)
class LoadMainTest {
    private static InProcessTern tern;

    @BeforeAll
    static void start() throws Exception {
        tern = new InProcessTern();
    }

    @AfterAll
    static void stop() {
        tern.close();
    }

    @Test
    void bindingAnswersEveryRequest() {
        Cli run = Cli.run(
                "binding",
                "--server",
                tern.address(),
                "--count",
                "400",
                "--clients",
                "2",
                "--window",
                "4",
                "--duration",
                "30s",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.count("sent")).isEqualTo(400);
        assertThat(run.count("received")).isEqualTo(400);
        assertThat(run.count("lost")).isZero();
        assertThat(run.count("latency_count")).isEqualTo(400);
        assertThat(run.number("latency_p99_ms")).isPositive();
    }

    @Test
    void bindingOverTcp() {
        Cli run = Cli.run(
                "binding",
                "--server",
                tern.address(),
                "--transport",
                "tcp",
                "--count",
                "200",
                "--clients",
                "2",
                "--window",
                "2",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.count("received")).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw", "turn-client"})
    void allocateMakesAndDeletesEveryAllocation(String client) throws Exception {
        Cli run = Cli.run(
                "allocate",
                "--server",
                tern.address(),
                "--user",
                InProcessTern.USER,
                "--password",
                InProcessTern.PASSWORD,
                "--client",
                client,
                "--count",
                "40",
                "--concurrency",
                "4",
                "--duration",
                "30s",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.count("allocations")).isEqualTo(40);
        assertThat(run.count("deleted")).isEqualTo(40);
        assertThat(run.count("refreshed")).isEqualTo(40);
        assertThat(run.count("errors")).isZero();
        assertThat(run.count("allocate_count")).isEqualTo(40);
        assertThat(run.out()).contains("\"client\":\"" + client + "\"");
        assertThat(tern.activeAllocationsSettled()).isZero();
    }

    @Test
    void theRawAllocateClientTakesRestCredentialsAndIsTheDefaultOverUdp() throws Exception {
        Cli run = Cli.run(
                "allocate",
                "--server",
                tern.address(),
                "--secret",
                InProcessTern.REST_SECRET,
                "--count",
                "10",
                "--concurrency",
                "2",
                "--no-refresh",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.count("allocations")).isEqualTo(10);
        assertThat(run.count("deleted")).isEqualTo(10);
        assertThat(run.count("refreshed")).isZero();
        assertThat(run.out()).contains("\"client\":\"raw\"");
        assertThat(tern.activeAllocationsSettled()).isZero();
    }

    @Test
    void theRawAllocateClientIsForUdpOnly() {
        Cli run = Cli.run(
                "allocate",
                "--server",
                tern.address(),
                "--transport",
                "tcp",
                "--secret",
                InProcessTern.REST_SECRET,
                "--client",
                "raw",
                "-q");
        assertThat(run.exitCode()).isEqualTo(LoadException.USAGE);
        assertThat(run.err()).contains("--client raw is for UDP only");
    }

    @Test
    void allocateWithRestCredentialsOverTcp() throws Exception {
        Cli run = Cli.run(
                "allocate",
                "--server",
                tern.address(),
                "--transport",
                "tcp",
                "--secret",
                InProcessTern.REST_SECRET,
                "--count",
                "10",
                "--concurrency",
                "2",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.count("allocations")).isEqualTo(10);
        assertThat(run.count("deleted")).isEqualTo(10);
        assertThat(tern.activeAllocationsSettled()).isZero();
    }

    @Test
    void relayAtALowFixedRateLosesNothing(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("relay.svg");
        Cli run = Cli.run(
                "relay",
                "--server",
                tern.address(),
                "--user",
                InProcessTern.USER,
                "--password",
                InProcessTern.PASSWORD,
                "--allocations",
                "2",
                "--rate",
                "100,200",
                "--duration",
                "2s",
                "--json",
                "-q",
                "--svg",
                svg.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.steps()).isEqualTo(2);
        assertThat(run.out()).as("the default over UDP").contains("\"data_path\":\"raw\"");
        long sent = run.count("sent");
        assertThat(sent)
                .as("about 100/s for 1 s, then 200/s for 1 s (fewer on a starved machine)")
                .isBetween(50L, 330L);
        assertThat(run.count("received")).isEqualTo(sent);
        assertThat(run.count("lost")).isZero();
        assertThat(run.count("rtt_count")).isPositive();
        assertThat(run.count("echoed_by_peer")).isEqualTo(sent);
        assertThat(run.count("allocations_deleted")).isEqualTo(2);
        assertThat(tern.activeAllocationsSettled()).isZero();
        String chart = Files.readString(svg, StandardCharsets.UTF_8);
        assertThat(chart)
                .startsWith("<svg")
                .contains("<polyline")
                .contains("offered load")
                .endsWith("</svg>\n");
    }

    @Test
    void relayThroughTurnClientOverUdpLosesNothing() throws Exception {
        Cli run = Cli.run(
                "relay",
                "--server",
                tern.address(),
                "--secret",
                InProcessTern.REST_SECRET,
                "--data-path",
                "client",
                "--allocations",
                "3",
                "--rate",
                "300",
                "--duration",
                "1s",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("\"data_path\":\"client\"");
        long sent = run.count("sent");
        assertThat(sent).isBetween(50L, 330L);
        assertThat(run.count("received")).isEqualTo(sent);
        assertThat(tern.activeAllocationsSettled()).isZero();
    }

    @Test
    void rawPathIsRefusedOverTcpAndForLongRuns() {
        Cli tcp = Cli.run(
                "relay",
                "--server",
                tern.address(),
                "--transport",
                "tcp",
                "--secret",
                InProcessTern.REST_SECRET,
                "--data-path",
                "raw",
                "-q");
        assertThat(tcp.exitCode()).isEqualTo(LoadException.USAGE);
        assertThat(tcp.err()).contains("--data-path raw is for UDP");
        Cli longRun = Cli.run(
                "relay",
                "--server",
                tern.address(),
                "--secret",
                InProcessTern.REST_SECRET,
                "--data-path",
                "raw",
                "--duration",
                "5m",
                "-q");
        assertThat(longRun.exitCode()).isEqualTo(LoadException.USAGE);
        assertThat(longRun.err()).contains("at most 4m");
    }

    @Test
    void relayFloodOnTheRawPathStopsAtItsCount() throws Exception {
        Cli run = Cli.run(
                "relay",
                "--server",
                tern.address(),
                "--user",
                InProcessTern.USER,
                "--password",
                InProcessTern.PASSWORD,
                "--allocations",
                "2",
                "--flood",
                "--window",
                "4",
                "--count",
                "3000",
                "--duration",
                "5s",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        long sent = run.count("sent");
        assertThat(sent).as("1500 per allocation at most").isPositive().isLessThanOrEqualTo(3000);
        assertThat(run.count("received")).isEqualTo(sent);
        assertThat(run.count("lost")).isZero();
        assertThat(tern.activeAllocationsSettled()).isZero();
    }

    @Test
    void relayFloodOverTcpLosesNothing() throws Exception {
        Cli run = Cli.run(
                "relay",
                "--server",
                tern.address(),
                "--transport",
                "tcp",
                "--secret",
                InProcessTern.REST_SECRET,
                "--allocations",
                "2",
                "--flood",
                "--window",
                "4",
                "--count",
                "2000",
                "--payload",
                "500",
                "--duration",
                "3s",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        long sent = run.count("sent");
        assertThat(sent).isPositive().isLessThanOrEqualTo(2000);
        assertThat(run.count("received")).isEqualTo(sent);
        assertThat(run.count("bytes_per_s")).isPositive();
        assertThat(tern.activeAllocationsSettled()).isZero();
    }

    @Test
    void callRampCarriesSmallRoomsAtALowRate() throws Exception {
        Cli run = Cli.run(
                "call",
                "--server",
                tern.address(),
                "--user",
                InProcessTern.USER,
                "--password",
                InProcessTern.PASSWORD,
                "--room-size",
                "3",
                "--max-rooms",
                "2",
                "--step-duration",
                "1s",
                "--stream-kib",
                "10",
                "--packet",
                "500",
                "--max-jitter",
                "2000ms",
                "--duration",
                "10s",
                "--json",
                "-q");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.steps()).isEqualTo(2);
        assertThat(run.count("calls_carried")).isEqualTo(2);
        assertThat(run.count("sent")).isPositive();
        assertThat(run.count("received")).isEqualTo(run.count("sent"));
        assertThat(run.count("allocations_deleted")).isEqualTo(6);
        assertThat(run.out()).contains("\"jitter_max_ms\":").contains("\"data_path\":\"raw\"");
        assertThat(tern.activeAllocationsSettled()).isZero();
    }

    @Test
    void wrongPasswordIsAnAuthenticationFailure() {
        Cli run = Cli.run(
                "allocate",
                "--server",
                tern.address(),
                "--user",
                InProcessTern.USER,
                "--password",
                "wrong",
                "--count",
                "5",
                "-q");
        assertThat(run.exitCode()).isEqualTo(LoadException.AUTH);
        assertThat(run.err()).contains("authentication failed").contains("401").doesNotContain("wrong");
    }

    @Test
    void wrongRestSecretIsAnAuthenticationFailure() {
        Cli run = Cli.run("relay", "--server", tern.address(), "--secret", "not-the-secret", "-q");
        assertThat(run.exitCode()).isEqualTo(LoadException.AUTH);
        assertThat(run.err()).contains("authentication failed");
    }

    @Test
    void aServerThatIsNotLoopbackIsRefused() {
        for (String server : new String[] {"192.0.2.1:3478", "8.8.8.8", "[2001:db8::1]:3478"}) {
            Cli run = Cli.run("binding", "--server", server, "--count", "1", "-q");
            assertThat(run.exitCode()).as(server).isEqualTo(LoadException.USAGE);
            assertThat(run.err()).contains("refusing --server").contains("loopback");
        }
    }

    @Test
    void noServerIsAClearFailure() throws Exception {
        int port;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        Cli run = Cli.run("binding", "--server", "127.0.0.1:" + port, "--timeout", "500ms", "--count", "1", "-q");
        assertThat(run.exitCode()).isEqualTo(LoadException.FAILED);
        assertThat(run.err()).contains("no answer to Binding");
    }

    @Test
    void turnScenariosNeedCredentials() {
        Cli run = Cli.run("relay", "--server", tern.address(), "-q");
        assertThat(run.exitCode()).isEqualTo(LoadException.USAGE);
        assertThat(run.err()).contains("--user U --password P").contains("--secret S");
    }
}
