package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/k8s stays true to the code: the ConfigMap's tern.conf passes {@code tern config check}
 * with the settings the DaemonSet adds from its environment, and every {@code TERN_*} variable the
 * DaemonSet sets names a real option of {@code tern serve}.
 */
class KubernetesManifestsTest {
    private static final Path K8S = Path.of("..", "config", "k8s");

    @TempDir
    Path dir;

    @Test
    void theConfigMapsTernConfPassesConfigCheck() throws Exception {
        List<String> conf = new ArrayList<>();
        boolean inside = false;
        for (String line : Files.readAllLines(K8S.resolve("configmap.yaml"))) {
            if (line.trim().equals("tern.conf: |")) {
                inside = true;
            } else if (inside && (line.isBlank() || line.startsWith("    "))) {
                conf.add(line.isBlank() ? "" : line.substring(4));
            } else if (inside) {
                break;
            }
        }
        assertThat(conf).anyMatch(l -> l.startsWith("realm="));
        Path file = dir.resolve("tern.conf");
        Files.write(file, conf);
        // What the DaemonSet's environment adds (TERN_STATIC_AUTH_SECRET, TERN_RELAY_IP, ...).
        CliRunner.Result r = CliRunner.run(
                "config",
                "check",
                file.toString(),
                "--static-auth-secret",
                "from-the-secret",
                "--relay-ip",
                "127.0.0.1",
                "--http-listen",
                "127.0.0.1:9641");
        assertThat(r.exitCode()).as(r.all()).isZero();
    }

    @Test
    void everyTernVariableOfTheDaemonSetIsAServeOption() throws Exception {
        String daemonSet = Files.readString(K8S.resolve("daemonset.yaml"));
        Matcher m = Pattern.compile("name: TERN_([A-Z_]+)").matcher(daemonSet);
        List<String> options = new ArrayList<>();
        while (m.find()) {
            options.add("--" + m.group(1).toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        assertThat(options).contains("--static-auth-secret", "--relay-ip", "--http-listen");
        String help = CliRunner.run("serve", "--help").stdout();
        assertThat(options).allSatisfy(option -> assertThat(help).contains(option));
        assertThat(daemonSet).contains("\"--config\", \"/etc/tern/tern.conf\"").contains("mountPath: /etc/tern");
        assertThat(Files.readString(K8S.resolve("secret.yaml"))).contains("static-auth-secret:");
    }
}
