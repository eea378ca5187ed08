package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.cli.CliRunner.Result;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.StunErrorResponseException;
import io.tern.client.TransportProtocol;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.config.TurnConfig;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tern hash-password}: prints the MD5 long-term key in the {@code --user NAME:0xKEY} form,
 * reading the password from stdin, and a server configured with that line accepts the password.
 */
class HashPasswordCommandTest {
    private static final String PASSWORD = "Correct-Horse-7";

    private static Result hash(String stdin, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "hash-password";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliRunner.runWithStdin(stdin, all);
    }

    private static String expected(String user, String realm, String password) {
        return user + ":0x" + HexFormat.of().formatHex(LongTermKey.md5(user, realm, password));
    }

    @Test
    void printsTheMd5KeyInTheFormUserAccepts() {
        Result r = hash(PASSWORD + "\n", "--user", "alice", "--realm", "tern.test");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo(expected("alice", "tern.test", PASSWORD) + "\n");
        assertThat(r.stdout()).matches("alice:0x[0-9a-f]{32}\n");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void matchesAKnownMd5Key() {
        // MD5("alice:tern.test:secret"), computed with md5sum.
        Result r = hash("secret\n", "--user", "alice", "--realm", "tern.test");

        assertThat(r.stdout().trim()).isEqualTo("alice:0x" + md5Hex("alice:tern.test:secret"));
    }

    private static String md5Hex(String s) {
        try {
            return HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "stdin {0}")
    @ValueSource(strings = {"", "\n", "\r\n", "\nsecond line\n"})
    void readsOnlyTheFirstLineWithoutItsEnding(String ending) {
        Result r = hash(PASSWORD + ending, "--user", "alice", "--realm", "tern.test");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo(expected("alice", "tern.test", PASSWORD) + "\n");
    }

    @Test
    void keepsSpacesThatArePartOfThePassword() {
        Result r = hash(" two words \n", "--user", "alice", "--realm", "tern.test");

        assertThat(r.stdout()).isEqualTo(expected("alice", "tern.test", " two words ") + "\n");
    }

    @Test
    void readsAUtf8Password() {
        Result r = hash("pässwörd\n", "--user", "alice", "--realm", "tern.test");

        assertThat(r.stdout()).isEqualTo(expected("alice", "tern.test", "pässwörd") + "\n");
    }

    @Test
    void theRealmDefaultsToTheServersDefault() {
        String realm = TurnConfig.defaults().realm();
        Result r = hash(PASSWORD + "\n", "--user", "alice");

        assertThat(r.stdout()).isEqualTo(expected("alice", realm, PASSWORD) + "\n");
    }

    @Test
    void theShortOptionsWorkToo() {
        Result r = hash(PASSWORD + "\n", "-u", "alice", "-r", "tern.test");

        assertThat(r.stdout()).isEqualTo(expected("alice", "tern.test", PASSWORD) + "\n");
    }

    @ParameterizedTest(name = "stdin \"{0}\"")
    @ValueSource(strings = {"", "\n", "\r\n"})
    void refusesAMissingOrEmptyPassword(String stdin) {
        Result r = hash(stdin, "--user", "alice", "--realm", "tern.test");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).contains("password");
    }

    @Test
    void refusesInputThatIsNotUtf8() {
        Result r = CliRunner.runWithStdin(
                new byte[] {'a', (byte) 0xC3, '(', '\n'}, "hash-password", "--user", "alice", "--realm", "tern.test");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("UTF-8");
    }

    @Test
    void refusesANameWithAColon() {
        Result r = hash(PASSWORD + "\n", "--user", "al:ice", "--realm", "tern.test");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--user").contains("':'");
    }

    @Test
    void refusesABadRealmNamingTheOption() {
        Result r = hash(PASSWORD + "\n", "--user", "alice", "--realm", "r".repeat(200));

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--realm").contains("128");
    }

    @Test
    void needsAUser() {
        Result r = hash(PASSWORD + "\n", "--realm", "tern.test");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--user");
    }

    @Test
    void neverPrintsThePassword() {
        List<Result> runs = List.of(
                hash(PASSWORD + "\n", "--user", "alice", "--realm", "tern.test"),
                hash(PASSWORD + "\n", "--user", "al:ice", "--realm", "tern.test"),
                hash(PASSWORD + "\u0007\n", "--user", "alice", "--realm", "tern.test"));

        for (Result r : runs) {
            assertThat(r.all()).doesNotContain(PASSWORD);
        }
        assertThat(runs.get(2).exitCode()).isEqualTo(2);
        assertThat(runs.get(2).stderr()).contains("SASLprep");
    }

    @Test
    void helpSaysWhereThePasswordComesFrom() {
        Result r = hash("", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("--user=NAME", "--realm=REALM", "stdin", "MD5");
    }

    // ---- against a real server ----

    private static TurnConfig withUsers(TurnConfig c, List<String> users) {
        return c.withCredentials(users, c.staticAuthSecrets());
    }

    private static TurnAllocation allocate(
            ServerHarness server, TransportProtocol transport, PasswordAlgorithm algorithm, Credentials credentials)
            throws Exception {
        InetSocketAddress address = transport == TransportProtocol.UDP ? server.udp() : server.tcp();
        try (StunClient client = StunClient.builder(address)
                .protocol(transport)
                .credentials(credentials)
                .passwordAlgorithms(algorithm)
                .timeout(Duration.ofSeconds(3))
                .connectTimeout(Duration.ofSeconds(3))
                .connect()
                .get(5, TimeUnit.SECONDS)) {
            return client.allocate().get(5, TimeUnit.SECONDS);
        }
    }

    private static int errorCode(
            ServerHarness server, TransportProtocol transport, PasswordAlgorithm algorithm, Credentials credentials) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> allocate(server, transport, algorithm, credentials));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(StunErrorResponseException.class);
        return ((StunErrorResponseException) thrown.getCause()).code();
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void aServerGivenThePrintedLineAcceptsTheOriginalPassword(TransportProtocol transport) throws Exception {
        Result r = hash(PASSWORD + "\n", "--user", "alice", "--realm", ServerHarness.REALM);
        String spec = r.stdout().trim();
        assertThat(spec).doesNotContain(PASSWORD);

        try (ServerHarness server = ServerHarness.startTurn(withUsers(ServerHarness.turnConfig(), List.of(spec)))) {
            TurnAllocation allocation =
                    allocate(server, transport, PasswordAlgorithm.MD5, new Credentials("alice", PASSWORD));
            assertThat(allocation.lifetime()).isPositive();

            assertThat(errorCode(server, transport, PasswordAlgorithm.MD5, new Credentials("alice", "wrong")))
                    .isEqualTo(401);
            // The documented limit of a key-only user: SHA-256 cannot be derived from the MD5 key.
            assertThat(errorCode(server, transport, PasswordAlgorithm.SHA_256, new Credentials("alice", PASSWORD)))
                    .isEqualTo(401);
        }
    }

    @Test
    void aKeyMadeForAnotherRealmIsRefused() throws Exception {
        Result r = hash(PASSWORD + "\n", "--user", "alice", "--realm", "elsewhere.example");

        try (ServerHarness server = ServerHarness.startTurn(
                withUsers(ServerHarness.turnConfig(), List.of(r.stdout().trim())))) {
            assertThat(errorCode(
                            server, TransportProtocol.UDP, PasswordAlgorithm.MD5, new Credentials("alice", PASSWORD)))
                    .isEqualTo(401);
        }
    }
}
