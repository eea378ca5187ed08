package io.tern.cli;

import io.tern.server.auth.CredentialStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code tern credentials}: prints a TURN REST credential (draft-uberti-behave-turn-rest, coturn's
 * {@code use-auth-secret}) made with the server's shared secret: username {@code
 * <expiry>[:<user>]}, password {@code base64(HMAC-SHA1(secret, username))}. What an application
 * server hands its WebRTC clients, here for an operator's checks and scripts. The secret itself is
 * never printed.
 */
@Command(
        name = "credentials",
        mixinStandardHelpOptions = true,
        description = {
            "Print time-limited TURN REST credentials made with the server's shared secret.",
            "",
            "The username is <expiry>:<user> (Unix seconds), the password base64(HMAC-SHA1(secret, username)),"
                    + " as the server's --static-auth-secret (coturn's use-auth-secret) expects. The secret"
                    + " itself is never printed. On a shared machine prefer --secret-file: a --secret shows in"
                    + " the process list.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  tern credentials --secret-file /etc/tern/secret --user alice --ttl 1h \\",
            "      --uri 'turn:turn.example.org:3478?transport=udp'",
            "  eval \"$(tern credentials --secret-file /etc/tern/secret --format env)\""
        })
final class CredentialsCommand implements Callable<Integer> {
    static final String TTL_FORMS = "use a positive number of seconds, or a number with s, m, h or d"
            + " (for example 90s, 30m, 24h, 7d, 3600)";

    private static final Pattern TTL = Pattern.compile("([0-9]{1,18})([smhd]?)");

    /** The latest expiry a {@link Instant} can show (the server takes up to 18 digits, more). */
    private static final long MAX_EXPIRY = Instant.MAX.getEpochSecond();

    /** RFC 8489 §14.3: a USERNAME is fewer than 509 bytes. */
    private static final int MAX_USERNAME_BYTES = 508;

    enum Format {
        json,
        env,
        text
    }

    @Option(
            names = "--secret",
            paramLabel = "SECRET",
            parameterConsumer = RawSecretValue.class,
            description = "The shared secret, as given to the server's --static-auth-secret.")
    String secret;

    @Option(
            names = "--secret-file",
            paramLabel = "FILE",
            description = "Read the shared secret from the first line of FILE (surrounding whitespace removed).")
    Path secretFile;

    @Option(
            names = "--user",
            paramLabel = "NAME",
            description = "Who the credential is for; the username becomes <expiry>:NAME. Without --user it is"
                    + " the expiry alone (coturn accepts both).")
    String user;

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            description =
                    "How long the credential is valid: 90s, 30m, 24h, 7d or plain seconds. Default: ${DEFAULT-VALUE}.")
    String ttl = "24h";

    @Option(
            names = "--uri",
            paramLabel = "URI",
            description = "A TURN or STUN URI (RFC 7064/7065) to hand out with the credential, e.g."
                    + " turn:turn.example.org:3478?transport=udp; repeat for several.")
    List<String> uris = new ArrayList<>();

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "json ({\"username\", \"password\", \"ttl\", \"uris\"}: the TURN REST API answer),"
                    + " env (TURN_USERNAME, TURN_PASSWORD, TURN_TTL and TURN_URIS, comma-separated, as"
                    + " shell-quoted lines) or text (for people). Default: ${DEFAULT-VALUE}.")
    Format format = Format.json;

    /** The current time in Unix seconds; for tests, which need a fixed or a past time. */
    @Option(names = "--now", hidden = true, paramLabel = "UNIX-SECONDS")
    Long now;

    /**
     * What picocli could not match. Collected rather than refused by picocli, whose message would
     * quote every argument, a mistyped {@code --secrt S}'s secret among them.
     */
    @Unmatched
    List<String> unmatched = new ArrayList<>();

    /** A mistake in the arguments; its message names the option and the fix. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() {
        String sharedSecret;
        long ttlSeconds;
        String username;
        try {
            checkUnmatched();
            sharedSecret = secret();
            ttlSeconds = parseTtl(ttl);
            long start = now != null ? now : Instant.now().getEpochSecond();
            if (start < 0) {
                throw new UsageException("invalid --now " + start + ": give Unix seconds, 0 or more");
            }
            long expiry = start + ttlSeconds;
            if (expiry < 0 || expiry > MAX_EXPIRY) {
                throw new UsageException("invalid --ttl " + ttl + ": the expiry would be out of range; " + TTL_FORMS);
            }
            username = username(expiry);
            checkUris();
        } catch (UsageException e) {
            System.err.println("tern credentials: " + e.getMessage());
            return 2;
        }
        String password = CredentialStore.restPassword(sharedSecret, username);
        // UTF-8 whatever the platform's default, so a name or URI outside ASCII survives; the
        // wrapper only encodes, the bytes go through System.out as they are.
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(
                switch (format) {
                    case json -> json(username, password, ttlSeconds, uris) + "\n";
                    case env -> env(username, password, ttlSeconds, uris);
                    case text -> text(username, password, ttlSeconds, uris);
                });
        out.flush();
        return 0;
    }

    private void checkUnmatched() throws UsageException {
        if (unmatched.isEmpty()) {
            return;
        }
        List<String> options = new ArrayList<>();
        for (String arg : unmatched) {
            if (arg.startsWith("-")) {
                int eq = arg.indexOf('=');
                options.add(eq < 0 ? arg : arg.substring(0, eq) + "=...");
            }
        }
        String what = options.isEmpty()
                ? "unexpected argument (not shown: it may be the secret)"
                : "unknown option " + String.join(", ", options) + " (values not shown: one may be the secret)";
        throw new UsageException(what + "; the options are --secret, --secret-file, --user, --ttl, --uri and"
                + " --format, see tern credentials --help");
    }

    private String secret() throws UsageException {
        return secret(secret, secretFile, "the server's --static-auth-secret");
    }

    /**
     * The secret from {@code --secret} or the first line of {@code --secret-file} (exactly one of
     * them); {@code what} says which server option it must match, for the error.
     */
    static String secret(String secret, Path secretFile, String what) throws UsageException {
        if (secret != null && secretFile != null) {
            throw new UsageException("give either --secret or --secret-file, not both");
        }
        if (secret == null && secretFile == null) {
            throw new UsageException(
                    "give the shared secret (" + what + ") with --secret SECRET or --secret-file FILE");
        }
        if (secret != null) {
            if (secret.isEmpty()) {
                throw new UsageException("invalid --secret (empty): the shared secret must not be empty");
            }
            return secret;
        }
        String line = firstLine(secretFile);
        if (line.isEmpty()) {
            throw new UsageException(
                    "invalid --secret-file " + secretFile + ": its first line is empty; put the shared secret there");
        }
        return line;
    }

    private static String firstLine(Path file) throws UsageException {
        if (Files.isDirectory(file)) {
            throw new UsageException("invalid --secret-file " + file + ": it is a directory, not a file");
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            return line == null ? "" : line.trim();
        } catch (NoSuchFileException e) {
            throw new UsageException("invalid --secret-file " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UsageException("invalid --secret-file " + file + ": permission denied");
        } catch (CharacterCodingException e) {
            throw new UsageException("invalid --secret-file " + file + ": its first line is not UTF-8 text");
        } catch (IOException e) {
            throw new UsageException("invalid --secret-file " + file + ": cannot read it ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private String username(long expiry) throws UsageException {
        if (user == null) {
            return Long.toString(expiry);
        }
        if (user.isEmpty()) {
            throw new UsageException(
                    "invalid --user (empty): give a name, or leave --user out for an" + " expiry-only username");
        }
        String username = expiry + ":" + user;
        if (username.getBytes(StandardCharsets.UTF_8).length > MAX_USERNAME_BYTES) {
            throw new UsageException("invalid --user (a " + user.length() + "-character name): the username"
                    + " <expiry>:<user> must be shorter than 509 bytes (RFC 8489)");
        }
        return username;
    }

    private void checkUris() throws UsageException {
        for (String uri : uris) {
            String scheme = uri.toLowerCase(Locale.ROOT);
            boolean known = scheme.startsWith("turn:")
                    || scheme.startsWith("turns:")
                    || scheme.startsWith("stun:")
                    || scheme.startsWith("stuns:");
            if (!known || uri.indexOf(':') == uri.length() - 1 || uri.chars().anyMatch(c -> c <= ' ')) {
                throw new UsageException("invalid --uri " + uri
                        + ": use turn:HOST[:PORT][?transport=udp|tcp], turns:..., stun:HOST[:PORT] or stuns:...");
            }
        }
    }

    /** Seconds from {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d} or plain seconds; positive. */
    static long parseTtl(String value) throws UsageException {
        Matcher m = TTL.matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            throw new UsageException("invalid --ttl " + value + ": " + TTL_FORMS);
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "m" -> 60;
            case "h" -> 3600;
            case "d" -> 86_400;
            default -> 1;
        };
        if (n <= 0) {
            throw new UsageException("invalid --ttl " + value + ": it must be more than 0; " + TTL_FORMS);
        }
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new UsageException("invalid --ttl " + value + ": too long; " + TTL_FORMS);
        }
    }

    /** The TURN REST API answer: {@code {"username":…,"password":…,"ttl":…,"uris":[…]}}. */
    static String json(String username, String password, long ttl, List<String> uris) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("{\"username\":");
        jsonString(sb, username);
        sb.append(",\"password\":");
        jsonString(sb, password);
        sb.append(",\"ttl\":").append(ttl).append(",\"uris\":[");
        for (int i = 0; i < uris.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            jsonString(sb, uris.get(i));
        }
        return sb.append("]}").toString();
    }

    /** A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped. */
    static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    // Control characters must be escaped; U+2028/2029 too, for JavaScript consumers.
                    if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    static String env(String username, String password, long ttl, List<String> uris) {
        return "TURN_USERNAME=" + shellQuote(username) + "\n"
                + "TURN_PASSWORD=" + shellQuote(password) + "\n"
                + "TURN_TTL=" + ttl + "\n"
                + "TURN_URIS=" + shellQuote(String.join(",", uris)) + "\n";
    }

    /**
     * A word a POSIX shell reads back as exactly {@code s}: as it is when it has only characters
     * no shell treats specially, else in single quotes (each {@code '} written {@code '"'"'}).
     */
    static String shellQuote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9@%+=:,./_-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }

    static String text(String username, String password, long ttl, List<String> uris) {
        StringBuilder sb = new StringBuilder();
        String expiry = username.contains(":") ? username.substring(0, username.indexOf(':')) : username;
        sb.append("TURN REST credentials, valid for ")
                .append(humanDuration(ttl))
                .append(" (until ")
                .append(Instant.ofEpochSecond(Long.parseLong(expiry)))
                .append(")\n");
        sb.append("username: ").append(username).append('\n');
        sb.append("password: ").append(password).append('\n');
        sb.append("ttl:      ").append(ttl).append(" s\n");
        if (uris.isEmpty()) {
            sb.append("uris:     (none given; add --uri turn:HOST:3478?transport=udp)\n");
        } else {
            for (int i = 0; i < uris.size(); i++) {
                sb.append(i == 0 ? "uris:     " : "          ")
                        .append(uris.get(i))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    /** 86400 → "24h", 90 → "1m 30s". */
    static String humanDuration(long seconds) {
        long d = seconds / 86_400;
        long h = seconds % 86_400 / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        StringBuilder sb = new StringBuilder();
        if (d > 0) {
            sb.append(d).append("d ");
        }
        if (h > 0) {
            sb.append(h).append("h ");
        }
        if (m > 0) {
            sb.append(m).append("m ");
        }
        if (s > 0 || sb.length() == 0) {
            sb.append(s).append("s ");
        }
        return sb.toString().trim();
    }
}
