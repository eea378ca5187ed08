package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tern config check and show: start-up's verdict without starting, and the effective settings. */
class ConfigCommandTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("tern.conf");
        Files.write(f, List.of(lines), StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void checkAcceptsAValidFileAndTheSample() throws Exception {
        CliRunner.Result r = CliRunner.run(
                "config", "check", file("realm=example.org", "user=alice:pw").toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("OK");
        assertThat(CliRunner.run("config", "check", "../config/tern.conf").exitCode())
                .isZero();
    }

    @Test
    void checkRefusesWhatStartUpWouldRefuse() throws Exception {
        CliRunner.Result typo =
                CliRunner.run("config", "check", file("min-prot=50000").toString());
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.stderr()).contains("did you mean min-port?");

        // Values that only the server's own start-up checks would catch.
        CliRunner.Result range = CliRunner.run(
                "config", "check", file("allowed-peer-ip=10.0.0.9-10.0.0.1").toString());
        assertThat(range.exitCode()).isEqualTo(2);
        assertThat(range.stderr()).contains("allowed-peer-ip");

        CliRunner.Result cert = CliRunner.run(
                "config",
                "check",
                file("cert=/nonexistent/cert.pem", "pkey=/nonexistent/key.pem").toString());
        assertThat(cert.exitCode()).isEqualTo(2);
        assertThat(cert.stderr()).contains("cert").contains("/nonexistent/cert.pem");

        CliRunner.Result override =
                CliRunner.run("config", "check", file("realm=x").toString(), "--min-port", "0");
        assertThat(override.exitCode()).isEqualTo(2);
        assertThat(override.stderr()).contains("min-port");
    }

    @Test
    void showPrintsTheEffectiveSettingsWithSecretsHidden() throws Exception {
        Path f = file("min-port=40000", "user=alice:hunter2", "static-auth-secret=s3cr3t-value", "no-tcp");
        CliRunner.Result r = CliRunner.run("config", "show", f.toString(), "--realm", "flag.example");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout())
                .contains("realm=flag.example")
                .contains("min-port=40000")
                .contains("max-port=65535")
                .contains("user=alice:(hidden)")
                .contains("static-auth-secret=(hidden)")
                .containsPattern("(?m)^no-tcp$")
                .containsPattern("(?m)^#no-udp$")
                .doesNotContain("hunter2")
                .doesNotContain("s3cr3t-value");
        // What it prints is itself a configuration file tern accepts.
        Path shown = dir.resolve("shown.conf");
        Files.writeString(shown, r.stdout(), StandardCharsets.UTF_8);
        assertThat(CliRunner.run("config", "check", shown.toString()).exitCode())
                .isZero();
    }
}
