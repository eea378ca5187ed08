package io.tern.server.interop;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a client that nobody on this team wrote (coturn's tools, aioice) with a hard time limit.
 *
 * <p>When the tool is not installed the test is skipped, unless {@code -Dtern.requireInterop=true}
 * (set by the README's test command and CI), where a missing tool is a failure: interop must never
 * pass by silently not running.
 */
public final class ExternalTool {
    private ExternalTool() {}

    public static void require(String path, String debianPackage) {
        if (Files.isExecutable(Path.of(path))) {
            return;
        }
        String why = path + " is missing; install it with: apt-get install " + debianPackage;
        if (Boolean.getBoolean("tern.requireInterop")) {
            fail(why);
        }
        Assumptions.abort(why);
    }

    static void requirePythonModule(String module, String debianPackage) throws Exception {
        require("/usr/bin/python3", "python3");
        Result r = run(10, "/usr/bin/python3", "-c", "import " + module);
        if (r.exitCode() != 0) {
            String why = "python3 module " + module + " is missing; install it with: apt-get install " + debianPackage;
            if (Boolean.getBoolean("tern.requireInterop")) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    record Result(int exitCode, String output) {}

    /** Runs a command, merging stderr into stdout; kills it after {@code seconds}. */
    static Result run(int seconds, String... command) throws IOException, InterruptedException {
        return run(seconds, java.util.Map.of(), command);
    }

    /** As {@link #run(int, String...)} with these variables added to the environment. */
    static Result run(int seconds, java.util.Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (var in = p.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        boolean finished = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(2000);
        String output;
        synchronized (lines) {
            output = String.join("\n", lines);
        }
        return new Result(finished ? p.exitValue() : -1, output);
    }
}
