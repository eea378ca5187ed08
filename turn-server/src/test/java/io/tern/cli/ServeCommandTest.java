package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad configuration stops {@code tern serve} at once, with a message naming option and fix. */
class ServeCommandTest {
    private record Outcome(int exitCode, String stderr) {}

    private static Outcome serve(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "serve";
            System.arraycopy(args, 0, all, 1, args.length);
            int code = Main.run(all);
            return new Outcome(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--listening-ip example.com                  | listening-ip | example.com",
                "--relay-ip 10.0.0.256                       | relay-ip     | 10.0.0.256",
                "--min-port 0                                | min-port     | 0",
                "--min-port 50000 --max-port 40000           | max-port     | 40000",
                "--use-auth-secret                           | use-auth-secret | --static-auth-secret",
                "--allowed-peer-ip 10.0.0.1-10.0.0           | allowed-peer-ip | 10.0.0.1-10.0.0",
                "--denied-peer-ip 2001:db8::/129             | denied-peer-ip | 2001:db8::/129",
                "--user alice                                | user         | name:password",
                "--external-ip 203.0.113.7/10.9.9.9          | external-ip  | relay IPs",
                "--user-quota -1                             | user-quota   | -1",
                "--max-bps -5                                | max-bps      | -5",
                "--rfc5780                                   | rfc5780      | two specific listening IPs",
                "--rfc5780 --listening-ip 127.0.0.1 --listening-ip ::1 | rfc5780 | of one family",
                "--rfc5780 -L 127.0.0.1 -L 127.0.0.2 --alt-listening-port 3478 | alt-listening-port | 3478",
                "--software-attribute-that-does-not-exist    | Unknown option | --software-attribute-that-does-not-exist",
            })
    void refusesABadValueNamingTheOption(String args, String option, String detail) {
        Outcome o = serve(args.trim().split("\\s+"));
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.stderr()).contains(option).contains(detail);
    }

    @Test
    void refusesAnOverlongRealm() {
        Outcome o = serve("--realm", "r".repeat(200));
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.stderr()).contains("realm").contains("1 to 127");
    }

    @Test
    void refusesAPortInUseAndSaysWhatToDo() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Outcome o = serve("--listening-ip", "127.0.0.1", "-p", String.valueOf(taken.getLocalPort()));
            assertThat(o.exitCode()).isEqualTo(2);
            assertThat(o.stderr()).contains("listening-port").contains("not available");
        }
    }

    @Test
    void suggestsTheNearestOptionForATypo() {
        Outcome o = serve("--listen-port", "3478");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.stderr()).contains("--listen-port").contains("--listening-port");
    }

    @Test
    void neverPrintsAPasswordInAnError() {
        Outcome o = serve("--user", "alice:hunter2", "--user", "alice:hunter3");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.stderr()).contains("user").doesNotContain("hunter2").doesNotContain("hunter3");
    }
}
