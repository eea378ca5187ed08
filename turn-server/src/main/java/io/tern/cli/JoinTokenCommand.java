package io.tern.cli;

import io.tern.server.signaling.JoinTokens;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code tern join-token}: prints a signed join token for one signaling room (docs/signaling.md,
 * "Signed join tokens"), what an application server hands a user it lets into that room. The
 * secret is never printed.
 */
@Command(
        name = "join-token",
        mixinStandardHelpOptions = true,
        description = {
            "Print a signed join token for a signaling room, as a server with --signal-token-secret requires.",
            "",
            "The token is <expiry>.<base64url(HMAC-SHA256(secret, room + \"\\n\" + expiry))>; a client sends it"
                    + " as the \"token\" member of its join message. On a shared machine prefer --secret-file:"
                    + " a --secret shows in the process list.",
            ""
        },
        footer = {"", "Example:", "  tern join-token --secret-file /etc/tern/signal-secret --room standup --ttl 1h"})
final class JoinTokenCommand implements Callable<Integer> {
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    @Option(
            names = "--secret",
            paramLabel = "SECRET",
            parameterConsumer = RawSecretValue.class,
            description = "The secret, as given to the server's --signal-token-secret.")
    String secret;

    @Option(
            names = "--secret-file",
            paramLabel = "FILE",
            description = "Read the secret from the first line of FILE (surrounding whitespace removed).")
    Path secretFile;

    @Option(
            names = "--room",
            paramLabel = "ROOM",
            required = true,
            description = "The room the token admits to: 1-64 characters of A-Z a-z 0-9 _ . -")
    String room;

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            description = "How long the token is valid: 90s, 30m, 1h, 7d or plain seconds. Default: ${DEFAULT-VALUE}.")
    String ttl = "1h";

    /** The current time in Unix seconds; for tests, which need a past time. */
    @Option(names = "--now", hidden = true, paramLabel = "UNIX-SECONDS")
    Long now;

    /** Collected rather than refused by picocli, whose message would quote a mistyped option's secret. */
    @Unmatched
    List<String> unmatched = new ArrayList<>();

    @Override
    public Integer call() {
        String token;
        try {
            if (!unmatched.isEmpty()) {
                throw new CredentialsCommand.UsageException("unexpected arguments (not shown: one may be the"
                        + " secret); the options are --secret, --secret-file, --room and --ttl, see tern join-token"
                        + " --help");
            }
            String key = CredentialsCommand.secret(secret, secretFile, "the server's --signal-token-secret");
            if (!ROOM.matcher(room).matches()) {
                throw new CredentialsCommand.UsageException(
                        "invalid --room " + room + ": use 1-64 characters of A-Z a-z 0-9 _ . -");
            }
            long seconds = CredentialsCommand.parseTtl(ttl);
            long start = now != null ? now : Instant.now().getEpochSecond();
            if (start < 0 || seconds > Instant.MAX.getEpochSecond() - start) {
                throw new CredentialsCommand.UsageException("invalid --ttl " + ttl + ": too long");
            }
            long expiry = start + seconds;
            token = JoinTokens.mint(key, room, expiry);
        } catch (CredentialsCommand.UsageException e) {
            System.err.println("tern join-token: " + e.getMessage());
            return 2;
        }
        System.out.println(token);
        System.out.flush();
        return 0;
    }
}
