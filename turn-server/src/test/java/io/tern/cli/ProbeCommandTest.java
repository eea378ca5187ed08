package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.cli.CliRunner.Result;
import io.tern.server.ServerHarness;
import io.tern.server.config.TurnConfig;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tern probe} against a real Tern on loopback: every step passes over UDP and TCP with a
 * password and with a REST secret; wrong credentials, a server that refuses loopback peers, and a
 * port where nothing listens each fail at the right step with the reason an operator needs; usage
 * errors exit 2; the password and the secret never show.
 */
class ProbeCommandTest {
    /** Distinctive, so that finding either in any output is a leak and not a coincidence. */
    private static final String PASSWORD = "Pw-never-print-7Qx";

    private static final String SECRET = "Sk-never-print-4Jm";

    private static final List<String> ALL_STEPS =
            List.of("binding", "allocate", "allocate-peer", "create-permission", "channel-bind", "data", "refresh");

    private static ServerHarness tern;

    @BeforeAll
    static void startTern() throws Exception {
        tern = ServerHarness.startTurn(config(true, 20000, 20999));
    }

    @AfterAll
    static void stopTern() {
        if (tern != null) {
            tern.close();
        }
    }

    /** {@link ServerHarness#turnConfig()} with this test's user and secret, and loopback peers as given. */
    static TurnConfig config(boolean allowLoopbackPeers, int minPort, int maxPort) throws Exception {
        return ServerHarness.turnConfig()
                .withCredentials(List.of("alice:" + PASSWORD), List.of(SECRET))
                .withPorts(minPort, maxPort)
                .withPeerPolicy(allowLoopbackPeers, List.of(), List.of())
                .withQuotas(0, 0, 0);
    }

    static Result probe(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "probe";
        System.arraycopy(args, 0, all, 1, args.length);
        Result r = CliRunner.run(all);
        // Every password and secret in these tests, the wrong ones too, has "never-print" in it.
        assertThat(r.all()).doesNotContain("never-print");
        return r;
    }

    /** The step names of the output's lines, each checked to be PASS or FAIL. */
    static List<String> lines(Result r) {
        return Arrays.stream(r.stdout().split("\n"))
                .filter(l -> !l.isEmpty())
                .peek(l -> assertThat(l).matches("(PASS|FAIL) [a-z-]+ .+"))
                .collect(Collectors.toList());
    }

    static void assertAllPass(Result r) {
        assertThat(r.exitCode()).as(r.all()).isZero();
        List<String> lines = lines(r);
        assertThat(lines).as(r.all()).allMatch(l -> l.startsWith("PASS "));
        assertThat(lines.stream().map(l -> l.split(" ")[1])).containsExactlyElementsOf(ALL_STEPS);
        assertThat(r.stderr()).isEmpty();
    }

    private static String uri(InetSocketAddress server, String transport) {
        return "turn:" + server.getAddress().getHostAddress() + ":" + server.getPort() + "?transport=" + transport;
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void everyStepPassesWithAPassword(String transport) {
        InetSocketAddress server = transport.equals("udp") ? tern.udp() : tern.tcp();
        Result r = probe(uri(server, transport), "--user", "alice", "--password", PASSWORD, "--timeout", "3s");

        assertAllPass(r);
        assertThat(r.stdout())
                .contains("PASS binding reflexive 127.0.0.1:")
                .contains("(server 127.0.0.1:" + server.getPort() + " " + transport + ")")
                .contains("PASS allocate relayed 127.0.0.1:2")
                .contains("realm tern.test, user alice")
                .contains("PASS data 5/5 messages relayed to the peer allocation and 5 replies back, bytes exact,"
                        + " rtt min/avg/max ")
                .contains("PASS refresh both allocations deleted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void everyStepPassesWithTheRestSecret(String transport) {
        InetSocketAddress server = transport.equals("udp") ? tern.udp() : tern.tcp();
        long before = System.currentTimeMillis() / 1000;
        Result r = probe(uri(server, transport), "--secret", SECRET);

        assertAllPass(r);
        String user = r.stdout().replaceAll("(?s).*, user ([0-9]+):probe\n.*", "$1");
        assertThat(Long.parseLong(user)).isBetween(before + 3600, before + 3600 + 60);
    }

    @Test
    void theSecretMayComeFromAFileAndTheUserPartFromUser(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("secret");
        java.nio.file.Files.writeString(file, SECRET + "\n");
        Result r = probe(uri(tern.udp(), "udp"), "--secret-file", file.toString(), "--user", "ops");

        assertAllPass(r);
        assertThat(r.stdout()).containsPattern(", user [0-9]+:ops\n");
    }

    @Test
    void jsonHasEveryStepWithItsFacts() {
        Result r = probe(uri(tern.udp(), "udp"), "--user", "alice", "--password", PASSWORD, "--json");

        assertThat(r.exitCode()).as(r.all()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) TinyJson.parse(r.stdout());
        assertThat(json)
                .containsEntry("uri", uri(tern.udp(), "udp"))
                .containsEntry("server", "127.0.0.1:" + tern.udp().getPort())
                .containsEntry("transport", "udp")
                .containsEntry("user", "alice")
                .containsEntry("peer_check", "relay")
                .containsEntry("timeout_ms", 5000L)
                .containsEntry("result", "PASS");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) json.get("steps");
        assertThat(steps.stream().map(s -> s.get("step"))).containsExactlyElementsOf(ALL_STEPS);
        assertThat(steps).allSatisfy(s -> assertThat(s).containsEntry("result", "PASS"));
        assertThat(steps.get(0)).containsKeys("reflexive", "rtt_us");
        assertThat(steps.get(1)).containsEntry("realm", "tern.test").containsKeys("relayed", "lifetime_s");
        assertThat(steps.get(5)).containsEntry("messages", 5L).containsKeys("rtt_min_us", "rtt_avg_us", "rtt_max_us");
        assertThat((Long) steps.get(5).get("rtt_min_us"))
                .isLessThanOrEqualTo((Long) steps.get(5).get("rtt_avg_us"));
        assertThat((Long) steps.get(5).get("rtt_avg_us"))
                .isLessThanOrEqualTo((Long) steps.get(5).get("rtt_max_us"));
    }

    @Test
    void aWrongPasswordFailsAtAllocateWith401() {
        Result r = probe(uri(tern.udp(), "udp"), "--user", "alice", "--password", "wrong-" + PASSWORD.substring(3));

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(lines(r)).hasSize(2);
        assertThat(r.stdout()).startsWith("PASS binding ");
        assertThat(lines(r).get(1))
                .startsWith("FAIL allocate 401 wrong credentials or realm: the server (realm tern.test) refused user"
                        + " alice; check --user and --password");
    }

    @Test
    void aWrongSecretFailsAtAllocateWith401AndSaysSo() {
        Result r = probe(uri(tern.tcp(), "tcp"), "--secret", "not-the-" + SECRET.substring(3), "--json");

        assertThat(r.exitCode()).isEqualTo(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) TinyJson.parse(r.stdout());
        assertThat(json).containsEntry("result", "FAIL");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) json.get("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(1))
                .containsEntry("step", "allocate")
                .containsEntry("result", "FAIL")
                .containsEntry("code", 401L);
        assertThat((String) steps.get(1).get("detail"))
                .contains("static-auth-secret")
                .contains("clocks");
    }

    @Test
    void aServerThatRefusesLoopbackPeersFailsAtCreatePermissionWith403() throws Exception {
        try (ServerHarness strict = ServerHarness.startTurn(config(false, 21000, 21999))) {
            Result r = probe(uri(strict.udp(), "udp"), "--user", "alice", "--password", PASSWORD);

            assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
            List<String> lines = lines(r);
            assertThat(lines.stream().map(l -> l.substring(0, 4) + " " + l.split(" ")[1]))
                    .containsExactly("PASS binding", "PASS allocate", "PASS allocate-peer", "FAIL create-permission");
            assertThat(lines.get(3))
                    .startsWith("FAIL create-permission 403 peer refused: the server refuses relaying to 127.0.0.1"
                            + " (a loopback address: the server must allow loopback peers (allow-loopback-peers)")
                    .contains("--peer-check none");

            // ... and with --peer-check none the same server passes what it can.
            Result none =
                    probe(uri(strict.udp(), "udp"), "--user", "alice", "--password", PASSWORD, "--peer-check", "none");
            assertThat(none.exitCode()).as(none.all()).isZero();
            assertThat(lines(none).stream().map(l -> l.split(" ")[1]))
                    .containsExactly("binding", "allocate", "refresh");
            assertThat(none.stdout()).contains("PASS refresh allocation deleted (lifetime 0)");
        }
    }

    @Test
    void nothingListeningOnUdpFailsAtBindingWithinTheTimeout() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long start = System.nanoTime();
        Result r = probe("turn:127.0.0.1:" + port, "--user", "alice", "--password", PASSWORD, "--timeout", "1500ms");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(lines(r)).hasSize(1);
        assertThat(r.stdout())
                .startsWith("FAIL binding timeout: no answer from 127.0.0.1:" + port + " (udp) within 1500ms");
        assertThat(millis).isLessThan(1500 + 1000);
    }

    @Test
    void nothingListeningOnTcpFailsAtBindingAsRefused() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Result r = probe("turn:127.0.0.1:" + port + "?transport=tcp", "--secret", SECRET, "--timeout", "2s");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(r.stdout()).startsWith("FAIL binding connection refused: nothing listens on TCP 127.0.0.1:" + port);
    }

    @Test
    void aStunUriRunsTheBindingStepOnlyWithoutCredentials() {
        Result r = probe("stun:127.0.0.1:" + tern.udp().getPort());

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(lines(r)).singleElement().asString().startsWith("PASS binding reflexive 127.0.0.1:");
    }

    @Test
    void anUnresolvableNameFailsAtBinding() {
        Result r = probe("turn:no-such-host.invalid:3478", "--secret", SECRET, "--timeout", "3s");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(r.stdout()).startsWith("FAIL binding ").contains("no-such-host.invalid");
    }

    @Test
    void usageErrorsExit2AndNameTheFix() {
        String u = uri(tern.udp(), "udp");
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {u});
        cases.add(new String[] {u, "--user", "alice"});
        cases.add(new String[] {u, "--password", PASSWORD});
        cases.add(new String[] {u, "--user", "alice", "--password", PASSWORD, "--secret", SECRET});
        cases.add(new String[] {"turns:127.0.0.1:5349?transport=sctp", "--secret", SECRET});
        cases.add(new String[] {"http://127.0.0.1", "--secret", SECRET});
        cases.add(new String[] {PASSWORD, "--user", "alice"}); // the password where the URI belongs
        cases.add(new String[] {"turn:127.0.0.1:70000", "--secret", SECRET});
        cases.add(new String[] {"turn:::1:3478", "--secret", SECRET});
        cases.add(new String[] {"turn:300.1.1.1", "--secret", SECRET});
        cases.add(new String[] {"turn:host_name", "--secret", SECRET});
        cases.add(new String[] {u + "&x=1", "--secret", SECRET});
        cases.add(new String[] {"stun:127.0.0.1?transport=tcp"});
        cases.add(new String[] {u, "--secret", SECRET, "--timeout", "0s"});
        cases.add(new String[] {u, "--secret", SECRET, "--timeout", "soon"});
        cases.add(new String[] {u, "--secret", SECRET, "--peer-check", "maybe"});
        cases.add(new String[] {u, "--pasword", PASSWORD, "--user", "alice"}); // a typo: the value must not show
        cases.add(new String[] {u, "--user", "alice", PASSWORD});
        cases.add(new String[] {u, "--user", "alice", "--password"});
        for (String[] args : cases) {
            Result r = probe(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.all()).isEqualTo(2);
            assertThat(r.stdout()).as(String.join(" ", args)).isEmpty();
            assertThat(r.stderr()).as(String.join(" ", args)).isNotBlank();
        }
        assertThat(probe(u).stderr())
                .contains("--user NAME --password PASSWORD")
                .contains("--secret SECRET");
    }

    @Test
    void helpListsTheOptions() {
        Result r = CliRunner.run("probe", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout())
                .contains("turn:HOST[:PORT][?transport=udp|tcp]")
                .contains("--password")
                .contains("--secret")
                .contains("--peer-check")
                .contains("--timeout")
                .contains("--json")
                .contains("Exit status: 0 when every step passes, 1 when one fails, 2 for a usage error.");
    }
}
