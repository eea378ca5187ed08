package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.cli.CliRunner.Result;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.StunErrorResponseException;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tern credentials}: the password is the TURN REST HMAC, the three output forms are exact and
 * parse back, TTLs and mistakes are handled, the secret never shows, and a real server accepts the
 * credential until it expires.
 */
class CredentialsCommandTest {
    /** Distinctive, so that finding it in any output is a leak and not a coincidence. */
    private static final String SECRET = "Zq9-never-print-this-secret";

    private static final long NOW = 1_700_000_000L;

    /** HMAC-SHA1 then Base64 with the JDK alone, apart from the code under test. */
    private static String hmac(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }

    private static Result credentials(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "credentials";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliRunner.run(all);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Result r) {
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).endsWith("}\n");
        return (Map<String, Object>) TinyJson.parse(r.stdout());
    }

    @Test
    void thePasswordIsTheBase64HmacSha1OfTheUsername() throws Exception {
        Map<String, Object> c =
                json(credentials("--secret", SECRET, "--user", "alice", "--ttl", "1h", "--now", "" + NOW));

        assertThat(c.get("username")).isEqualTo((NOW + 3600) + ":alice");
        assertThat(c.get("password")).isEqualTo(hmac(SECRET, (NOW + 3600) + ":alice"));
    }

    @Test
    void theJsonHasExactlyTheRestApiShape() throws Exception {
        Result r = credentials(
                "--secret", SECRET,
                "--user", "alice",
                "--ttl", "24h",
                "--now", "" + NOW,
                "--uri", "turn:turn.example.org:3478?transport=udp",
                "--uri", "turns:turn.example.org:5349?transport=tcp");

        String username = (NOW + 86_400) + ":alice";
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout())
                .isEqualTo("{\"username\":\"" + username + "\",\"password\":\"" + hmac(SECRET, username)
                        + "\",\"ttl\":86400,\"uris\":[\"turn:turn.example.org:3478?transport=udp\","
                        + "\"turns:turn.example.org:5349?transport=tcp\"]}\n");
        Map<String, Object> c = json(r);
        assertThat(c).containsOnlyKeys("username", "password", "ttl", "uris");
        assertThat(c.get("ttl")).isEqualTo(86_400L);
        assertThat(c.get("uris"))
                .isEqualTo(List.of(
                        "turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"));
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void withoutUrisTheJsonHasAnEmptyList() {
        Map<String, Object> c = json(credentials("--secret", SECRET, "--user", "alice"));
        assertThat(c.get("uris")).isEqualTo(List.of());
    }

    @Test
    void withoutUserTheUsernameIsTheExpiryAlone() throws Exception {
        Map<String, Object> c = json(credentials("--secret", SECRET, "--ttl", "90s", "--now", "" + NOW));

        assertThat(c.get("username")).isEqualTo(Long.toString(NOW + 90));
        assertThat(c.get("password")).isEqualTo(hmac(SECRET, Long.toString(NOW + 90)));
    }

    @Test
    void theExpiryIsNowPlusTheTtlByDefault() {
        long before = Instant.now().getEpochSecond();
        Map<String, Object> c = json(credentials("--secret", SECRET, "--user", "alice"));
        long after = Instant.now().getEpochSecond();

        long expiry = Long.parseLong(((String) c.get("username")).split(":")[0]);
        assertThat(expiry).isBetween(before + 86_400, after + 86_400);
        assertThat(c.get("ttl")).isEqualTo(86_400L);
    }

    @Test
    void quotesAndControlCharactersAreEscapedInJson() throws Exception {
        String user = "o\"brien\\x\ty\u0001z\u00e9";
        Map<String, Object> c = json(credentials("--secret", SECRET, "--user", user, "--now", "" + NOW));

        String username = (NOW + 86_400) + ":" + user;
        assertThat(c.get("username")).isEqualTo(username);
        assertThat(c.get("password")).isEqualTo(hmac(SECRET, username));
    }

    @Test
    void theEnvFormIsShellQuotedLines() throws Exception {
        Result r = credentials(
                "--secret", SECRET,
                "--user", "alice",
                "--ttl", "30m",
                "--now", "" + NOW,
                "--format", "env",
                "--uri", "turn:a.example:3478?transport=udp",
                "--uri", "turn:b.example:3478?transport=tcp");

        String username = (NOW + 1800) + ":alice";
        String password = hmac(SECRET, username);
        String quotedPassword = password.matches("[A-Za-z0-9+/=]+") ? password : "'" + password + "'";
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout())
                .isEqualTo("TURN_USERNAME=" + username + "\n"
                        + "TURN_PASSWORD=" + quotedPassword + "\n"
                        + "TURN_TTL=1800\n"
                        + "TURN_URIS='turn:a.example:3478?transport=udp,turn:b.example:3478?transport=tcp'\n");
    }

    @Test
    void aShellReadsTheEnvFormBackExactly() throws Exception {
        String user = "o'brien $(touch /tmp/tern-pwned) `id` \"x\" *";
        Result r = credentials(
                "--secret",
                SECRET,
                "--user",
                user,
                "--now",
                "" + NOW,
                "--format",
                "env",
                "--uri",
                "turn:h.example:3478?transport=udp");
        assertThat(r.exitCode()).isZero();

        String script =
                r.stdout() + "printf '%s\\n' \"$TURN_USERNAME\" \"$TURN_PASSWORD\" \"$TURN_TTL\" \"$TURN_URIS\"\n";
        String username = (NOW + 86_400) + ":" + user;
        assertThat(sh(script))
                .isEqualTo(username + "\n" + hmac(SECRET, username) + "\n86400\nturn:h.example:3478?transport=udp\n");
    }

    private static String sh(String script) throws Exception {
        Process p =
                new ProcessBuilder("/bin/sh", "-s").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream stdout = p.getInputStream()) {
            stdout.transferTo(out);
        }
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theTextFormShowsEverythingForPeople() throws Exception {
        Result r = credentials(
                "--secret", SECRET,
                "--user", "alice",
                "--ttl", "90s",
                "--now", "" + NOW,
                "--format", "text",
                "--uri", "turn:a.example:3478?transport=udp",
                "--uri", "turns:a.example:5349");

        String username = (NOW + 90) + ":alice";
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout())
                .isEqualTo("TURN REST credentials, valid for 1m 30s (until 2023-11-14T22:14:50Z)\n"
                        + "username: " + username + "\n"
                        + "password: " + hmac(SECRET, username) + "\n"
                        + "ttl:      90 s\n"
                        + "uris:     turn:a.example:3478?transport=udp\n"
                        + "          turns:a.example:5349\n");
    }

    @ParameterizedTest(name = "--ttl {0} = {1} s")
    @CsvSource({"90s, 90", "30m, 1800", "24h, 86400", "7d, 604800", "3600, 3600", "1, 1"})
    void acceptsEveryTtlForm(String ttl, long seconds) throws Exception {
        Map<String, Object> c = json(credentials("--secret", SECRET, "--user", "bob", "--ttl", ttl, "--now", "" + NOW));

        assertThat(c.get("ttl")).isEqualTo(seconds);
        assertThat(c.get("username")).isEqualTo((NOW + seconds) + ":bob");
        assertThat(c.get("password")).isEqualTo(hmac(SECRET, (NOW + seconds) + ":bob"));
    }

    @ParameterizedTest(name = "--ttl \"{0}\"")
    @ValueSource(strings = {"0", "0h", "-5", "-1h", "1w", "abc", "", "1.5h", "h", "24 h", "99999999999999999d"})
    void refusesABadTtlNamingTheOptionAndTheForms(String ttl) {
        Result r = credentials("--secret", SECRET, "--user", "alice", "--ttl", ttl);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).contains("--ttl").contains("90s, 30m, 24h, 7d");
        assertThat(r.all()).doesNotContain(SECRET);
    }

    @Test
    void readsTheSecretFromTheFirstLineOfAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, "  " + SECRET + "  \r\nsecond line is ignored\n");

        Result fromFile = credentials("--secret-file", file.toString(), "--user", "alice", "--now", "" + NOW);
        Result given = credentials("--secret", SECRET, "--user", "alice", "--now", "" + NOW);

        assertThat(fromFile.exitCode()).isZero();
        assertThat(fromFile.stdout()).isEqualTo(given.stdout());
        assertThat(json(fromFile).get("password")).isEqualTo(hmac(SECRET, (NOW + 86_400) + ":alice"));
    }

    @Test
    void aMissingSecretFileIsNamedWithItsPath(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-secret");
        Result r = credentials("--secret-file", missing.toString(), "--user", "alice");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr())
                .contains("--secret-file")
                .contains(missing.toString())
                .contains("no such file");
    }

    @Test
    void anEmptySecretFileIsRefused(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Result r = credentials("--secret-file", empty.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr())
                .contains("--secret-file")
                .contains(empty.toString())
                .contains("empty");
    }

    @Test
    void theSecretIsRequiredOnceEitherWay(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), SECRET);
        Result neither = credentials("--user", "alice");
        Result both = credentials("--secret", SECRET, "--secret-file", file.toString());
        Result empty = credentials("--secret", "");

        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.stderr()).contains("--secret").contains("--secret-file");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("not both");
        assertThat(both.all()).doesNotContain(SECRET);
        assertThat(empty.exitCode()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://turn.example.org", "turn.example.org:3478", "turn:", "turn:a b"})
    void refusesSomethingThatIsNotATurnOrStunUri(String uri) {
        Result r = credentials("--secret", SECRET, "--uri", uri);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--uri").contains(uri).contains("turn:HOST");
    }

    @Test
    void refusesAnUnknownFormat() {
        Result r = credentials("--secret", SECRET, "--format", "yaml");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--format").contains("json, env, text");
        assertThat(r.all()).doesNotContain(SECRET);
    }

    @ParameterizedTest
    @EnumSource(CredentialsCommand.Format.class)
    void theSecretIsNeverPrinted(CredentialsCommand.Format format, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), SECRET + "\n");
        List<Result> runs = new ArrayList<>();
        runs.add(credentials("--secret", SECRET, "--user", "alice", "--format", format.name()));
        runs.add(credentials("--secret-file", file.toString(), "--format", format.name(), "--uri", "turn:h:3478"));
        runs.add(credentials("--secret", SECRET, "--format", format.name(), "--ttl", "forever"));
        runs.add(credentials("--secret", SECRET, "--format", format.name(), "--uri", "nonsense"));
        runs.add(credentials("--secret", SECRET, "--format", format.name(), "--user", ""));
        for (Result r : runs) {
            assertThat(r.all()).doesNotContain(SECRET);
        }
        assertThat(runs.get(0).exitCode()).isZero();
        assertThat(runs.get(1).exitCode()).isZero();
    }

    @Test
    void aSecretThatStartsWithADashIsTakenAsItIs() throws Exception {
        String dashed = "-" + SECRET;
        Map<String, Object> c = json(credentials("--secret", dashed, "--user", "alice", "--now", "" + NOW));

        assertThat(c.get("password")).isEqualTo(hmac(dashed, (NOW + 86_400) + ":alice"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--secrt", "--secret-fil", "--scret="})
    void aMistypedOptionIsNamedWithoutQuotingTheSecret(String typo) {
        Result r = typo.endsWith("=")
                ? credentials(typo + SECRET, "--user", "alice")
                : credentials(typo, SECRET, "--user", "alice");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).contains(typo.replace("=", "")).contains("--secret-file");
        assertThat(r.all()).doesNotContain(SECRET);
    }

    @Test
    void theSecretGivenTwiceIsRefusedWithoutQuotingIt() {
        Result r = credentials("--secret", SECRET, "--secret", SECRET + "2");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--secret").contains("only once");
        assertThat(r.all()).doesNotContain(SECRET);
    }

    @Test
    void helpDescribesEveryOptionAndHidesNow() {
        Result r = credentials("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout())
                .contains("--secret=SECRET", "--secret-file=FILE", "--user=NAME", "--ttl=DURATION", "--uri=URI")
                .contains("--format=FORMAT", "90s, 30m, 24h, 7d")
                .doesNotContain("--now");
    }

    @Test
    void ternListsTheCommand() {
        Result r = CliRunner.run("--help");
        assertThat(r.stdout()).contains("credentials").contains("hash-password");
    }

    // ---- against a real server ----

    private static Credentials printed(Result r) {
        Map<String, Object> c = json(r);
        return new Credentials((String) c.get("username"), (String) c.get("password"));
    }

    private static TurnAllocation allocate(ServerHarness server, TransportProtocol transport, Credentials credentials)
            throws Exception {
        InetSocketAddress address = transport == TransportProtocol.UDP ? server.udp() : server.tcp();
        try (StunClient client = StunClient.builder(address)
                .protocol(transport)
                .credentials(credentials)
                .timeout(Duration.ofSeconds(3))
                .connectTimeout(Duration.ofSeconds(3))
                .connect()
                .get(5, TimeUnit.SECONDS)) {
            return client.allocate().get(5, TimeUnit.SECONDS);
        }
    }

    private static int errorCode(ServerHarness server, TransportProtocol transport, Credentials credentials) {
        Throwable thrown =
                org.assertj.core.api.Assertions.catchThrowable(() -> allocate(server, transport, credentials));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(StunErrorResponseException.class);
        return ((StunErrorResponseException) thrown.getCause()).code();
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void ternAcceptsThePrintedCredentials(TransportProtocol transport) throws Exception {
        try (ServerHarness server = ServerHarness.startTurn()) {
            Credentials c =
                    printed(credentials("--secret", ServerHarness.REST_SECRET, "--user", "alice", "--ttl", "1h"));

            TurnAllocation allocation = allocate(server, transport, c);

            assertThat(allocation.relayedAddress().getAddress().getHostAddress())
                    .isEqualTo("127.0.0.1");
        }
    }

    @Test
    void ternAcceptsAnExpiryOnlyUsername() throws Exception {
        try (ServerHarness server = ServerHarness.startTurn()) {
            Credentials c = printed(credentials("--secret", ServerHarness.REST_SECRET, "--ttl", "10m"));

            assertThat(c.username()).matches("[0-9]+");
            assertThat(allocate(server, TransportProtocol.UDP, c).lifetime()).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void ternRefusesThePrintedCredentialsOnceExpired(TransportProtocol transport) throws Exception {
        try (ServerHarness server = ServerHarness.startTurn()) {
            long twoHoursAgo = Instant.now().getEpochSecond() - 7200;
            Credentials expired = printed(credentials(
                    "--secret",
                    ServerHarness.REST_SECRET,
                    "--user",
                    "alice",
                    "--ttl",
                    "1h",
                    "--now",
                    "" + twoHoursAgo));

            assertThat(expired.password()).isEqualTo(hmac(ServerHarness.REST_SECRET, expired.username()));
            assertThat(errorCode(server, transport, expired)).isEqualTo(401);
        }
    }

    @Test
    void ternRefusesCredentialsMadeWithAnotherSecret() throws Exception {
        try (ServerHarness server = ServerHarness.startTurn()) {
            Credentials foreign = printed(credentials("--secret", "not-the-server-secret", "--user", "alice"));

            assertThat(errorCode(server, TransportProtocol.UDP, foreign)).isEqualTo(401);
        }
    }

    @Test
    void theTtlParserNamesTheOption() {
        assertThatThrownBy(() -> CredentialsCommand.parseTtl("5y"))
                .hasMessageContaining("--ttl 5y")
                .hasMessageContaining(CredentialsCommand.TTL_FORMS);
    }
}
