package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.TlsConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The TLS options of tern serve: flags, environment, coturn configuration files. */
class TlsOptionsTest {
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
    void defaultsToPort5349WithoutACertificate() {
        TlsConfig tls = resolve(Map.of()).tls();
        assertThat(tls).isEqualTo(TlsConfig.defaults());
        assertThat(tls.port()).isEqualTo(5349);
        assertThat(tls.active()).isFalse();
    }

    @Test
    void flagsSetPortCertificateAndKey() {
        TlsConfig tls = resolve(
                        Map.of(), "--tls-listening-port", "5350", "--cert", "/etc/c.pem", "--pkey", "/etc/k.pem")
                .tls();
        assertThat(tls).isEqualTo(TlsConfig.pem(5350, Path.of("/etc/c.pem"), Path.of("/etc/k.pem")));
        assertThat(tls.active()).isTrue();
        assertThat(resolve(Map.of(), "--cert", "c", "--pkey", "k", "--no-tls")
                        .tls()
                        .active())
                .isFalse();
        assertThat(resolve(Map.of(), "--dev-self-signed").tls()).isEqualTo(TlsConfig.devSelfSigned(5349));
        assertThat(resolve(Map.of("TERN_NO_TLS", "true"), "--dev-self-signed")
                        .tls()
                        .active())
                .isFalse();
    }

    @Test
    void aCoturnConfigurationTurnsTlsOnWithoutWarningAboutIt() throws Exception {
        Path f = dir.resolve("turnserver.conf");
        Files.write(
                f,
                List.of(
                        "tls-listening-port=15349",
                        "cert=/etc/ssl/turn.pem",
                        "pkey=/etc/ssl/turn.key",
                        "cipher-list=ALL"),
                StandardCharsets.UTF_8);
        TlsConfig tls = resolve(Map.of(), "--config", f.toString()).tls();
        assertThat(tls).isEqualTo(TlsConfig.pem(15349, Path.of("/etc/ssl/turn.pem"), Path.of("/etc/ssl/turn.key")));
        assertThat(OptionSources.COTURN_ONLY).doesNotContain("tls-listening-port", "cert", "pkey", "no-tls");
    }

    @Test
    void aCertificateWithoutAKeyNamesTheMissingOption() {
        assertThatThrownBy(() -> resolve(Map.of(), "--cert", "/etc/c.pem"))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("pkey"))
                .hasMessageContaining("/etc/c.pem");
    }

    @Test
    void helpDescribesTheOptions() {
        String usage = new CommandLine(new ServeCommand()).getUsageMessage();
        assertThat(usage)
                .contains("--tls-listening-port=PORT")
                .contains("Default: 5349")
                .contains("--cert=FILE")
                .contains("--pkey=FILE")
                .contains("--no-tls")
                .contains("--dev-self-signed")
                .contains("For development only");
    }
}
