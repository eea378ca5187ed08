package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.SignalingConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The signaling options of tern serve: defaults, values, and refusals naming option, value and fix. */
class SignalingOptionsTest {
    @TempDir
    Path dir;

    private static ServerConfig resolve(Map<String, String> env, String... args) {
        ServeCommand command = new ServeCommand();
        CommandLine cl = new CommandLine(command);
        cl.parseArgs(args);
        return OptionSources.resolve(command, cl.getCommandSpec(), command.configFile, env)
                .toConfig();
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        SignalingConfig s = resolve(Map.of()).signaling();
        assertThat(s).isEqualTo(SignalingConfig.defaults());
        assertThat(s.enabled()).isTrue();
        assertThat(s.webListen()).isNull();
        assertThat(s.maxRoomSize()).isEqualTo(8);
        assertThat(s.maxRooms()).isEqualTo(1000);
        assertThat(s.maxMessageBytes()).isEqualTo(65536);
        assertThat(s.rate()).isEqualTo(50);
        assertThat(s.resumeGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.tokenSecret()).isNull();
        assertThat(s.iceUrls()).isEmpty();
        assertThat(s.credentialTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(s.maxConnections()).isEqualTo(10_000);
        assertThat(s.maxConnectionsPerIp()).isEqualTo(50);
        assertThat(s.allowedOrigins()).isEmpty();
        assertThat(s.originAllowed(null))
                .as("any origin, even none, by default")
                .isTrue();
    }

    @Test
    void everyOptionFromFlagsFileAndEnvironment() throws Exception {
        Path f = dir.resolve("tern.conf");
        Files.write(
                f,
                List.of(
                        "web-listen=0.0.0.0:8443",
                        "signal-max-room-size=6",
                        "signal-max-rooms=20",
                        "signal-ice-url=stun:turn.example.org:3478",
                        "signal-ice-url=turn:turn.example.org:3478?transport=udp",
                        "signal-token-secret=from-file",
                        "signal-max-connections-per-ip=7",
                        "signal-allowed-origin=https://meet.example.org",
                        "signal-allowed-origin=http://localhost:8080"),
                StandardCharsets.UTF_8);
        SignalingConfig s = resolve(
                        Map.of(
                                "TERN_SIGNAL_RATE",
                                "10",
                                "TERN_SIGNAL_RESUME_GRACE",
                                "2m",
                                "TERN_SIGNAL_MAX_CONNECTIONS",
                                "500"),
                        "--config",
                        f.toString(),
                        "--signal-max-message-bytes",
                        "4096",
                        "--signal-idle-timeout",
                        "90s",
                        "--signal-credential-ttl",
                        "1h")
                .signaling();
        assertThat(s.webListen()).isEqualTo(new InetSocketAddress("0.0.0.0", 8443));
        assertThat(s.maxRoomSize()).isEqualTo(6);
        assertThat(s.maxRooms()).isEqualTo(20);
        assertThat(s.maxMessageBytes()).isEqualTo(4096);
        assertThat(s.rate()).isEqualTo(10);
        assertThat(s.resumeGrace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.credentialTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(s.tokenSecret()).isEqualTo("from-file");
        assertThat(s.iceUrls())
                .containsExactly("stun:turn.example.org:3478", "turn:turn.example.org:3478?transport=udp");
        assertThat(s.maxConnections()).isEqualTo(500);
        assertThat(s.maxConnectionsPerIp()).isEqualTo(7);
        assertThat(s.allowedOrigins()).containsExactly("https://meet.example.org", "http://localhost:8080");
        assertThat(s.toString()).doesNotContain("from-file");
        assertThat(resolve(Map.of(), "--no-signaling").signaling().enabled()).isFalse();
        assertThat(resolve(Map.of(), "--signal-resume-grace", "0").signaling().resumeGrace())
                .isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--web-listen example.org:80             | web-listen               | example.org:80",
                "--web-listen 0.0.0.0:70000              | web-listen               | 1 to 65535",
                "--no-signaling --web-listen 0.0.0.0:80  | no-signaling             | --web-listen",
                "--signal-max-room-size 1                | signal-max-room-size     | 2 to 1000",
                "--signal-max-rooms 0                    | signal-max-rooms         | positive",
                "--signal-max-message-bytes 100          | signal-max-message-bytes | 256",
                "--signal-rate 0                         | signal-rate              | 1 to 100000",
                "--signal-resume-grace soon              | signal-resume-grace      | 0 or",
                "--signal-resume-grace 2h                | signal-resume-grace      | up to 1h",
                "--signal-idle-timeout 0                 | signal-idle-timeout      | positive",
                "--signal-credential-ttl 10s             | signal-credential-ttl    | 60s",
                "--signal-ice-url http://x               | signal-ice-url           | stun:HOST",
                "--signal-token-secret=                  | signal-token-secret      | non-empty",
                "--signal-max-connections 0              | signal-max-connections   | 1 to 10000000",
                "--signal-max-connections-per-ip 0       | signal-max-connections-per-ip | 1 to 10000000",
                "--signal-allowed-origin https://x.org/  | signal-allowed-origin    | no path",
                "--signal-allowed-origin *               | signal-allowed-origin    | https://HOST",
                "--signal-allowed-origin x.org           | signal-allowed-origin    | https://HOST",
                "--signal-allowed-origin http://x:99999  | signal-allowed-origin    | https://HOST",
            })
    void refusesABadValueNamingOptionValueAndFix(String args, String option, String fix) {
        assertThatThrownBy(() -> resolve(Map.of(), args.trim().split("\\s+")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(option)
                .hasMessageContaining(fix);
    }

    @Test
    void configShowHidesTheTokenSecret() throws Exception {
        Path f = dir.resolve("tern.conf");
        Files.write(f, List.of("signal-token-secret=very-secret-value"), StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run("config", "show", f.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("signal-token-secret=(hidden)").doesNotContain("very-secret-value");
        assertThat(r.stdout()).contains("signal-max-room-size=8").contains("signal-resume-grace=30s");
    }
}
