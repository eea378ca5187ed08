package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rfc5780} and {@code alt-listening-port} from flags, the environment and tern.conf. */
class Rfc5780OptionsTest {
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
    void isOffByDefault() {
        ServerConfig c = resolve(Map.of());
        assertThat(c.rfc5780()).isFalse();
        assertThat(c.altListeningPort()).isZero();
    }

    @Test
    void flagsTurnItOnWithAnAlternatePort() {
        ServerConfig c =
                resolve(Map.of(), "--rfc5780", "-L", "127.0.0.1", "-L", "127.0.0.2", "--alt-listening-port", "3480");
        assertThat(c.rfc5780()).isTrue();
        assertThat(c.altListeningPort()).isEqualTo(3480);
    }

    @Test
    void aConfigFileAndTheEnvironmentTurnItOnAndCoturnsNoRfc5780IsTheDefault() throws Exception {
        Path conf = dir.resolve("tern.conf");
        Files.writeString(conf, "listening-ip=127.0.0.1\nlistening-ip=127.0.0.2\nrfc5780\n");
        ServerConfig fromFile = resolve(Map.of(), "--config", conf.toString());
        assertThat(fromFile.rfc5780()).isTrue();
        assertThat(fromFile.altListeningPort()).isZero();

        ServerConfig fromEnv = resolve(Map.of(
                "TERN_RFC5780", "true", "TERN_LISTENING_IP", "127.0.0.1,127.0.0.2", "TERN_ALT_LISTENING_PORT", "4000"));
        assertThat(fromEnv.rfc5780()).isTrue();
        assertThat(fromEnv.altListeningPort()).isEqualTo(4000);

        Path coturn = dir.resolve("turnserver.conf");
        Files.writeString(coturn, "no-rfc5780\nresponse-origin-only-with-rfc5780\n");
        assertThat(resolve(Map.of(), "--config", coturn.toString()).rfc5780()).isFalse();
    }
}
