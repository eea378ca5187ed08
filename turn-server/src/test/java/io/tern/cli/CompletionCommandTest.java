package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsABashScriptThatKnowsEveryCommandAndCompletesServeOptions() throws Exception {
        CliRunner.Result r = CliRunner.run("completion");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout())
                .contains("complete -F")
                .contains("serve")
                .contains("reload")
                .contains("drain")
                .contains("--pidfile")
                .contains("--static-auth-secret");

        Path script = dir.resolve("tern-completion.bash");
        Files.writeString(script, r.stdout(), StandardCharsets.UTF_8);
        // bash itself completes "tern serve --static-a": proof the script is not just text.
        Process bash = new ProcessBuilder(
                        "bash",
                        "-c",
                        "source " + script + " && COMP_WORDS=(tern serve --static-a) && COMP_CWORD=2"
                                + " && COMP_LINE='tern serve --static-a' && COMP_POINT=${#COMP_LINE}"
                                + " && _complete_tern && printf '%s\\n' \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true)
                .start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(out).isZero();
        assertThat(out.lines()).contains("--static-auth-secret");
    }
}
