package io.tern.cli;

import io.tern.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The {@code --pidfile} of a running {@code tern serve}: how {@code tern reload} and {@code tern
 * drain} find it. Written atomically (a reader never sees half a number) and removed on a clean
 * exit, but only while it still holds this process's id.
 */
final class PidFile implements AutoCloseable {
    private final Path path;
    private final long pid;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** Writes this process's id to {@code path}; a failure is a ConfigException naming pidfile. */
    static PidFile write(Path path) {
        long pid = ProcessHandle.current().pid();
        Path absolute = path.toAbsolutePath();
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp" + pid);
        try {
            Files.writeString(temp, pid + "\n", StandardCharsets.US_ASCII);
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the error below is the one worth reporting
            }
            throw new ConfigException(
                    "pidfile",
                    path.toString(),
                    "cannot write it (" + e
                            + "); choose a path in a directory Tern's user can write, e.g. /run/tern/tern.pid");
        }
        return new PidFile(absolute, pid);
    }

    /** The process id stored in {@code path}, or an exception whose message says what is wrong. */
    static long read(Path path) throws IOException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            throw new IOException(path + " does not exist: is tern serve running with --pidfile " + path + "?");
        }
        try {
            long pid = Long.parseLong(text);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(path + " does not hold a process id");
    }

    @Override
    public void close() {
        try {
            if (Files.exists(path) && read(path) == pid) {
                Files.delete(path);
            }
        } catch (IOException e) {
            // Another process replaced or removed it: it is no longer ours to delete.
        }
    }
}
