package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.signaling.JoinTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tern join-token prints a token the server's check accepts for that room and that time. */
class JoinTokenCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsATokenTheServerAccepts() {
        long before = Instant.now().getEpochSecond();
        CliRunner.Result r =
                CliRunner.run("join-token", "--secret", "-starts-with-dash", "--room", "standup", "--ttl", "1h");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String token = r.stdout().strip();
        long expiry = Long.parseLong(token.substring(0, token.indexOf('.')));
        assertThat(expiry).isBetween(before + 3600, Instant.now().getEpochSecond() + 3600);
        assertThat(JoinTokens.verify("-starts-with-dash", "standup", token, before))
                .isEqualTo(JoinTokens.Verdict.OK);
        assertThat(JoinTokens.verify("-starts-with-dash", "other", token, before))
                .isEqualTo(JoinTokens.Verdict.BAD_SIGNATURE);
        assertThat(JoinTokens.verify("-starts-with-dash", "standup", token, expiry))
                .isEqualTo(JoinTokens.Verdict.EXPIRED);
        assertThat(r.all()).doesNotContain("-starts-with-dash");
    }

    @Test
    void readsTheSecretFromAFileAndTheTimeFromNow() throws Exception {
        Path f = dir.resolve("secret");
        Files.write(f, List.of("  file-secret  ", "ignored"), StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run(
                "join-token", "--secret-file", f.toString(), "--room", "r.1", "--ttl", "90s", "--now", "1000");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout().strip()).isEqualTo(JoinTokens.mint("file-secret", "r.1", 1090));
    }

    @Test
    void refusesMistakesWithoutShowingTheSecret() {
        assertThat(CliRunner.run("join-token", "--room", "r").stderr()).contains("--secret SECRET or --secret-file");
        CliRunner.Result both = CliRunner.run("join-token", "--secret", "s3", "--secret-file", "/x", "--room", "r");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("either --secret or --secret-file");
        CliRunner.Result room = CliRunner.run("join-token", "--secret", "s3", "--room", "a b");
        assertThat(room.exitCode()).isEqualTo(2);
        assertThat(room.stderr()).contains("--room");
        CliRunner.Result ttl = CliRunner.run("join-token", "--secret", "s3", "--room", "r", "--ttl", "soon");
        assertThat(ttl.exitCode()).isEqualTo(2);
        assertThat(ttl.stderr()).contains("--ttl soon");
        CliRunner.Result typo = CliRunner.run("join-token", "--secrt", "hunter2", "--room", "r");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.all()).doesNotContain("hunter2");
        CliRunner.Result missingRoom = CliRunner.run("join-token", "--secret", "s3");
        assertThat(missingRoom.exitCode()).isEqualTo(2);
        assertThat(missingRoom.stderr()).contains("--room");
    }
}
