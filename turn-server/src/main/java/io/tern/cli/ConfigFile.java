package io.tern.cli;

import io.tern.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A configuration file in coturn's syntax: one option per line, {@code key=value} or a bare
 * {@code key} for a flag, keys repeated for options that take several values, {@code #} comment
 * lines. A coturn {@code turnserver.conf} parses as is.
 */
final class ConfigFile {
    /** One setting, with where it came from for error messages. */
    record Entry(String key, String value, Path file, int line) {
        /** "FILE:LINE", for messages. */
        String where() {
            return file + ":" + line;
        }
    }

    private ConfigFile() {}

    static List<Entry> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("config", file.toString(), "cannot read it (" + e.getMessage() + ")");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Entry e = parseLine(lines.get(i), file, i + 1);
            if (e != null) {
                entries.add(e);
            }
        }
        return entries;
    }

    /** Null for blank and comment lines. */
    static Entry parseLine(String raw, Path file, int line) {
        String text = raw.strip();
        if (text.isEmpty() || text.startsWith("#")) {
            return null;
        }
        // coturn writes key=value; "key = value" and "key value" are accepted too. A value may
        // contain '=' (base64 secrets), so '=' only splits when nothing but blanks precede it.
        int eq = text.indexOf('=');
        int space = indexOfWhitespace(text);
        boolean spaceForm = space >= 0
                && (eq < 0 || (space < eq && !text.substring(space, eq).isBlank()));
        int split = spaceForm ? space : eq;
        if (split < 0) {
            return new Entry(stripDashes(text), null, file, line);
        }
        String key = stripDashes(text.substring(0, split).strip());
        String value = unquote(text.substring(split + 1).strip());
        return new Entry(key, value, file, line);
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** "--realm" in a file means "realm": some people copy flags into files. */
    private static String stripDashes(String key) {
        return key.startsWith("--") ? key.substring(2) : key;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
