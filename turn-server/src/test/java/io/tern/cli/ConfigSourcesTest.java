package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** tern.conf, TERN_* variables and flags, and the order they win in. */
class ConfigSourcesTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("tern.conf");
        Files.write(f, java.util.List.of(lines), StandardCharsets.UTF_8);
        return f;
    }

    /** Parses {@code tern serve ARGS} and applies file and environment like {@code call()} does. */
    private static ServerConfig resolve(Map<String, String> env, String... args) {
        ServeCommand command = new ServeCommand();
        CommandLine cl = new CommandLine(command);
        cl.parseArgs(args);
        return OptionSources.resolve(command, cl.getCommandSpec(), command.configFile, env)
                .toConfig();
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path f = file("min-port=40000", "max-port=41000", "realm=from-file", "user-quota=3");
        ServerConfig c = resolve(
                Map.of("TERN_MAX_PORT", "42000", "TERN_REALM", "from-env"),
                "--config",
                f.toString(),
                "--realm",
                "from-flag");
        assertThat(c.turn().realm()).isEqualTo("from-flag");
        assertThat(c.turn().maxPort()).isEqualTo(42000);
        assertThat(c.turn().minPort()).isEqualTo(40000);
        assertThat(c.turn().userQuota()).isEqualTo(3);
        assertThat(c.turn().totalQuota()).as("default").isZero();
    }

    @Test
    void readsCoturnSyntaxRepeatedKeysFlagsAndComments() throws Exception {
        Path f = file(
                "# a comment",
                "",
                "listening-port=3479",
                "user=alice:secret",
                "user = bob:0x0123456789abcdef0123456789abcdef",
                "static-auth-secret \"c2VjcmV0PT0=\"",
                "no-tcp",
                "allow-loopback-peers=true",
                "lt-cred-mech",
                "fingerprint",
                "--listening-ip=127.0.0.1");
        ServerConfig c = resolve(Map.of(), "--config", f.toString());
        assertThat(c.listeningPort()).isEqualTo(3479);
        assertThat(c.turn().users()).containsExactly("alice:secret", "bob:0x0123456789abcdef0123456789abcdef");
        assertThat(c.turn().staticAuthSecrets()).containsExactly("c2VjcmV0PT0=");
        assertThat(c.tcp()).isFalse();
        assertThat(c.turn().allowLoopbackPeers()).isTrue();
        assertThat(c.listeningIps()).containsExactly(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void listOptionsFromTheEnvironmentAreCommaSeparated() {
        ServerConfig c = resolve(Map.of("TERN_USER", "alice:a,bob:b", "TERN_NO_UDP", "yes"));
        assertThat(c.turn().users()).containsExactly("alice:a", "bob:b");
        assertThat(c.udp()).isFalse();
    }

    @Test
    void aRealCoturnConfigLoadsWithItsUnsupportedOptionsIgnored() throws Exception {
        Path f = file(
                "listening-port=3478",
                "tls-listening-port=5349",
                "fingerprint",
                "lt-cred-mech",
                "use-auth-secret",
                "static-auth-secret=north",
                "realm=example.org",
                "total-quota=100",
                "stale-nonce=600",
                "cert=/etc/ssl/turn_server_cert.pem",
                "pkey=/etc/ssl/turn_server_pkey.pem",
                "no-cli",
                "log-file=/var/log/turnserver.log",
                "denied-peer-ip=10.0.0.0-10.255.255.255");
        ServerConfig c = resolve(Map.of(), "--config", f.toString());
        assertThat(c.turn().realm()).isEqualTo("example.org");
        assertThat(c.turn().staticAuthSecrets()).containsExactly("north");
        assertThat(c.turn().deniedPeerIps()).containsExactly("10.0.0.0-10.255.255.255");
    }

    @Test
    void aMisspeltOptionStopsStartUpWithTheNearestName() throws Exception {
        Path f = file("listening-prot=3478");
        assertThatThrownBy(() -> resolve(Map.of(), "--config", f.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listening-prot")
                .hasMessageContaining("tern.conf:1")
                .hasMessageContaining("did you mean listening-port?");
    }

    @Test
    void aBadValueNamesTheOptionAndWhereItCameFrom() throws Exception {
        Path f = file("realm=ok", "", "min-port=lots");
        assertThatThrownBy(() -> resolve(Map.of(), "--config", f.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("min-port")
                .hasMessageContaining("tern.conf:3");
        assertThatThrownBy(() -> resolve(Map.of("TERN_MAX_PORT", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max-port")
                .hasMessageContaining("TERN_MAX_PORT");
        assertThatThrownBy(() -> resolve(Map.of("TERN_NO_TCP", "perhaps")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no-tcp");
    }

    @Test
    void aSingleValueOptionSetTwiceIsAnError() throws Exception {
        Path f = file("min-port=40000", "min-port=41000");
        assertThatThrownBy(() -> resolve(Map.of(), "--config", f.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("min-port")
                .hasMessageContaining("tern.conf:1")
                .hasMessageContaining("tern.conf:2");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() ->
                        resolve(Map.of("TERN_CONFIG", dir.resolve("nope.conf").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config")
                .hasMessageContaining("nope.conf");
    }

    /** config/tern.conf documents exactly the options tern serve has: none missing, none stale. */
    @Test
    void theSampleConfigurationListsEveryOptionAndNoOther() throws Exception {
        Path sample = Path.of("..", "config", "tern.conf");
        Set<String> documented = new TreeSet<>();
        Pattern option = Pattern.compile("^#?([a-z][a-z0-9-]*)(=.*)?$");
        for (String line : Files.readAllLines(sample, StandardCharsets.UTF_8)) {
            Matcher m = option.matcher(line.strip());
            if (m.matches()) {
                documented.add(m.group(1));
            }
        }
        Set<String> actual = new TreeSet<>();
        for (var o : new CommandLine(new ServeCommand()).getCommandSpec().options()) {
            String key = o.longestName().replaceFirst("^--?", "");
            if (!Set.of("help", "version", "config").contains(key)) {
                actual.add(key);
            }
        }
        assertThat(documented).isEqualTo(actual);
        // And the sample itself loads: every line is valid, and commented out it changes nothing.
        assertThat(resolve(Map.of(), "--config", sample.toString())).isEqualTo(resolve(Map.of()));
    }
}
