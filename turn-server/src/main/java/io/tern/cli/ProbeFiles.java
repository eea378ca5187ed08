package io.tern.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a password or secret file for {@code tern probe}; messages name the option, never the contents. */
final class ProbeFiles {
    private ProbeFiles() {}

    /** The first line of {@code file}, surrounding whitespace removed; "" for an empty file. */
    static String firstLine(Path file, String option) throws CredentialsCommand.UsageException {
        if (Files.isDirectory(file)) {
            throw new CredentialsCommand.UsageException(
                    "invalid " + option + " " + file + ": it is a directory, not a file");
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            return line == null ? "" : line.trim();
        } catch (NoSuchFileException e) {
            throw new CredentialsCommand.UsageException("invalid " + option + " " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CredentialsCommand.UsageException("invalid " + option + " " + file + ": permission denied");
        } catch (CharacterCodingException e) {
            throw new CredentialsCommand.UsageException(
                    "invalid " + option + " " + file + ": its first line is not UTF-8 text");
        } catch (IOException e) {
            throw new CredentialsCommand.UsageException("invalid " + option + " " + file + ": cannot read it ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
