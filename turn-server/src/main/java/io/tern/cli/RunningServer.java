package io.tern.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options {@code tern reload} and {@code tern drain} share: which running {@code tern serve}
 * to signal. It checks that the process really is {@code tern serve} before signalling, so a stale
 * pid file whose number now belongs to another program cannot make Tern hang that program up.
 */
final class RunningServer {
    @Option(
            names = "--pidfile",
            paramLabel = "FILE",
            description = "The --pidfile the server was started with. Default: $TERN_PIDFILE.")
    Path pidfile;

    @Option(names = "--pid", paramLabel = "PID", description = "The server's process id, instead of --pidfile.")
    Long pid;

    /** The checked process id of the server, or an exception whose message tells the operator what to do. */
    long find(Map<String, String> env) throws IOException {
        long target;
        if (pid != null) {
            target = pid;
        } else if (pidfile != null) {
            target = PidFile.read(pidfile);
        } else if (env.get("TERN_PIDFILE") != null) {
            target = PidFile.read(Path.of(env.get("TERN_PIDFILE")));
        } else {
            throw new IOException("give --pidfile FILE (the one tern serve was started with) or --pid PID");
        }
        if (!ProcessHandle.of(target).map(ProcessHandle::isAlive).orElse(false)) {
            throw new IOException("no process " + target + " is running (a stale pid file?)");
        }
        if (!isTernServe(target)) {
            throw new IOException("process " + target + " is not tern serve (a stale pid file?); nothing sent");
        }
        return target;
    }

    private static boolean isTernServe(long pid) throws IOException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        } catch (NoSuchFileException e) {
            return false;
        }
        // /proc/PID/cmdline: the arguments, each ended by a NUL byte.
        List<String> args = Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
        boolean tern = args.stream().anyMatch(a -> a.equals(Main.class.getName()) || a.contains("turn-server"));
        return tern && args.contains("serve");
    }

    /** Sends {@code signal} (e.g. {@code HUP}) to {@code target} with the system's kill program. */
    static void signal(long target, String signal) throws IOException, InterruptedException {
        Process kill;
        try {
            kill = new ProcessBuilder("kill", "-s", signal, Long.toString(target))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new IOException(
                    "cannot run kill (" + e.getMessage() + "); send SIG" + signal + " to " + target + " another way");
        }
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -s " + signal + " " + target + " failed: " + output);
        }
    }
}
