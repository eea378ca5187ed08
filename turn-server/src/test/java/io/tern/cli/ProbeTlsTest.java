package io.tern.cli;

import static io.tern.cli.ProbeCommandTest.assertAllPass;
import static io.tern.cli.ProbeCommandTest.probe;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.cli.CliRunner.Result;
import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.tls.CertificateAndKey;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern probe turns:}: the whole check over TLS, and over DTLS with {@code ?transport=udp},
 * with the server's certificate trusted from a file, refused when untrusted or naming another host,
 * and skipped with --insecure.
 */
class ProbeTlsTest {
    @TempDir
    Path dir;

    /** A server on {@code ip} whose certificate names localhost, 127.0.0.1 and ::1; its PEM in cert.pem. */
    private ServerHarness start(String ip) throws Exception {
        CertificateAndKey c = CertificateAndKey.selfSigned("tern probe test", Duration.ofDays(1));
        c.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        return ServerHarness.startTls(TlsConfig.pem(0, dir.resolve("cert.pem"), dir.resolve("key.pem")), ip);
    }

    private static String turns(InetSocketAddress server) {
        return "turns:" + server.getAddress().getHostAddress() + ":" + server.getPort();
    }

    @Test
    void everyStepPassesOverTlsWithTheCertificateTrustedFromAFile() throws Exception {
        try (ServerHarness tern = start("127.0.0.1")) {
            Result r = probe(
                    turns(tern.tls()),
                    "--ca-file",
                    dir.resolve("cert.pem").toString(),
                    "--user",
                    "alice",
                    "--password",
                    "secret");
            assertAllPass(r);
            assertThat(r.stdout()).contains("(server 127.0.0.1:" + tern.tls().getPort() + " tls)");
        }
    }

    @Test
    void everyStepPassesOverDtlsWithTheCertificateTrustedFromAFile() throws Exception {
        try (ServerHarness tern = start("127.0.0.1")) {
            InetSocketAddress dtls = tern.server().dtlsAddresses().get(0);
            Result r = probe(
                    turns(dtls) + "?transport=udp",
                    "--ca-file",
                    dir.resolve("cert.pem").toString(),
                    "--user",
                    "alice",
                    "--password",
                    "secret",
                    "--json");
            assertThat(r.exitCode()).as(r.all()).isZero();
            assertThat(r.stdout())
                    .contains("\"uri\":\"turns:127.0.0.1:" + dtls.getPort() + "?transport=udp\"")
                    .contains("\"transport\":\"dtls\"")
                    .contains("\"result\":\"PASS\",\"steps\"")
                    .doesNotContain("\"FAIL\"");

            Result untrusted =
                    probe(turns(dtls) + "?transport=udp", "--user", "alice", "--password", "secret", "--timeout", "3s");
            assertThat(untrusted.exitCode()).as(untrusted.all()).isEqualTo(1);
            assertThat(untrusted.stdout()).startsWith("FAIL binding").contains("certificate is not trusted");
        }
    }

    @Test
    void aUdpPortWithoutDtlsTimesOutWithTheReason() throws Exception {
        try (java.net.DatagramSocket silent =
                new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            Result r = probe(
                    "turns:127.0.0.1:" + silent.getLocalPort() + "?transport=udp",
                    "--insecure",
                    "--secret",
                    "s",
                    "--timeout",
                    "2s");
            assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
            assertThat(r.stdout())
                    .startsWith("FAIL binding")
                    .contains("no DTLS handshake with 127.0.0.1:" + silent.getLocalPort() + " within 2s");
        }
    }

    @Test
    void anUntrustedCertificateFailsAtBindingAndNamesTheFix() throws Exception {
        try (ServerHarness tern = start("127.0.0.1")) {
            Result r = probe(turns(tern.tls()), "--user", "alice", "--password", "secret", "--timeout", "3s");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stdout())
                    .startsWith("FAIL binding")
                    .contains("certificate is not trusted")
                    .contains("--ca-file");

            Result insecure = probe(turns(tern.tls()), "--insecure", "--user", "alice", "--password", "secret");
            assertAllPass(insecure);
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        // The certificate names 127.0.0.1, not 127.0.0.2, where this server listens.
        try (ServerHarness tern = start("127.0.0.2")) {
            Result r = probe(
                    turns(tern.tls()),
                    "--ca-file",
                    dir.resolve("cert.pem").toString(),
                    "--user",
                    "alice",
                    "--password",
                    "secret",
                    "--timeout",
                    "3s");
            assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
            assertThat(r.stdout()).startsWith("FAIL binding").contains("does not name 127.0.0.2");
        }
    }

    @Test
    void tlsOptionsAndUrisAreCheckedBeforeConnecting() {
        Result plain = probe("turn:127.0.0.1:3478", "--insecure", "--secret", "s");
        assertThat(plain.exitCode()).isEqualTo(2);
        assertThat(plain.stderr()).contains("--insecure is for turns: and stuns:");

        Result both = probe(
                "turns:127.0.0.1",
                "--insecure",
                "--ca-file",
                dir.resolve("x.pem").toString(),
                "--secret",
                "s");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("either --ca-file or --insecure");

        Result missing =
                probe("turns:127.0.0.1", "--ca-file", dir.resolve("none.pem").toString(), "--secret", "s");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("invalid --ca-file");
    }
}
