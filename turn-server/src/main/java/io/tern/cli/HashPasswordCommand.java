package io.tern.cli;

import io.tern.server.auth.CredentialStore;
import io.tern.server.config.ConfigException;
import io.tern.server.config.TurnConfig;
import io.tern.stun.integrity.LongTermKey;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tern hash-password}: turns a password into the MD5 long-term key {@code MD5(user ":"
 * realm ":" password)} (RFC 8489 §9.2.2), printed as {@code user:0x<32 hex digits>}, the form
 * {@code --user} accepts, so the configuration need not hold the password (coturn's {@code
 * turnadmin -k}). The password comes from stdin, never from the command line.
 */
@Command(
        name = "hash-password",
        mixinStandardHelpOptions = true,
        description = {
            "Print a TURN user's MD5 long-term key, to configure instead of the password.",
            "",
            "Prints NAME:0x<32 hex digits>, which tern serve --user accepts in place of NAME:PASSWORD (like"
                    + " coturn's turnadmin -k). The password is read from stdin, its first line; at a terminal it"
                    + " is asked for twice, without echo. The key depends on the realm: give the server's --realm."
                    + " A user configured by key can only authenticate with MD5 (a client that insists on"
                    + " SHA-256 gets 401).",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  tern hash-password --user alice --realm example.org",
            "  printf '%%s\\n' \"$PASSWORD\" | tern hash-password -u alice -r example.org"
        })
final class HashPasswordCommand implements Callable<Integer> {
    /** More than any password anyone types; stops a wrong pipe from filling memory. */
    private static final int MAX_PASSWORD_BYTES = 4096;

    @Option(
            names = {"-u", "--user"},
            required = true,
            paramLabel = "NAME",
            description = "The user's name, as the client sends it in USERNAME.")
    String user;

    @Option(
            names = {"-r", "--realm"},
            paramLabel = "REALM",
            description = "The server's realm (its --realm). Default: ${DEFAULT-VALUE}, the server's default.")
    String realm = TurnConfig.defaults().realm();

    @Override
    public Integer call() {
        try {
            CredentialStore.builder(realm); // checks the realm as the server would
        } catch (ConfigException e) {
            return fail(e.getMessage().replaceFirst("^invalid realm", "invalid --realm"));
        }
        if (user.isEmpty()) {
            return fail("invalid --user (empty): give the user's name");
        }
        if (user.indexOf(':') >= 0) {
            return fail("invalid --user " + user + ": a name cannot contain ':' (the server splits NAME:KEY at the"
                    + " first ':')");
        }
        String password;
        try {
            password = readPassword();
        } catch (IOException e) {
            return fail("cannot read the password: " + e.getMessage());
        }
        if (password == null) {
            return fail("no password: type it at the prompt or pipe it in, e.g. printf '%s\\n' \"$PASSWORD\" |"
                    + " tern hash-password --user " + user + " --realm " + realm);
        }
        if (password.isEmpty()) {
            return fail("the password is empty; the server accepts no empty password");
        }
        byte[] key;
        try {
            key = LongTermKey.md5(user, realm, password);
        } catch (IllegalArgumentException e) {
            // StringPrep's message names the code point and its index, never the password.
            return fail("the password cannot be prepared with SASLprep: " + e.getMessage());
        }
        String spec = user + ":0x" + HexFormat.of().formatHex(key);
        try {
            // The same check tern serve makes, so what is printed here is what it accepts.
            CredentialStore.builder(realm).user(spec).build();
        } catch (ConfigException e) {
            return fail(e.getMessage().replaceFirst("^invalid user", "invalid --user"));
        }
        System.out.println(spec);
        System.out.flush();
        return 0;
    }

    private static int fail(String message) {
        System.err.println("tern hash-password: " + message);
        return 2;
    }

    /** The password, from the terminal without echo when there is one, else stdin's first line; null when none. */
    private String readPassword() throws IOException {
        Console console = interactiveConsole();
        if (console != null) {
            char[] first = console.readPassword("Password for %s in realm %s: ", user, realm);
            if (first == null) {
                return null;
            }
            char[] again = console.readPassword("Again: ");
            try {
                if (again == null || !Arrays.equals(first, again)) {
                    throw new IOException("the two passwords differ");
                }
                return new String(first);
            } finally {
                Arrays.fill(first, '\0');
                if (again != null) {
                    Arrays.fill(again, '\0');
                }
            }
        }
        return firstLine(System.in);
    }

    /**
     * The console when stdin and stdout are a terminal and stdin is the process's own. Since JDK 22
     * {@link System#console()} returns a console even when redirected, so {@code isTerminal()} (JDK
     * 22+, called reflectively: this code compiles for 17) decides there.
     */
    private static Console interactiveConsole() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            Object terminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(terminal) ? console : null;
        } catch (NoSuchMethodException e) {
            return console; // JDK 17 to 21: a console exists only at a terminal
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /**
     * The first line of {@code in} without its line ending ({@code \n} or {@code \r\n}); null at
     * once-empty input. Strict UTF-8: a password that is not UTF-8 would give a key nobody can match.
     */
    static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            any = true;
            if (b == '\n') {
                break;
            }
            if (bytes.size() >= MAX_PASSWORD_BYTES) {
                throw new IOException("the first line is longer than " + MAX_PASSWORD_BYTES + " bytes");
            }
            bytes.write(b);
        }
        if (!any) {
            return null;
        }
        byte[] line = bytes.toByteArray();
        int length = line.length;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("it is not UTF-8 text");
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }
}
