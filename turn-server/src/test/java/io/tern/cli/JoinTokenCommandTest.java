package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.TernServer;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.SignalingConfig;
import io.tern.server.http.HttpListen;
import io.tern.server.signaling.JoinTokens;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tern join-token prints a token the server's check accepts for that room and that time. */
class JoinTokenCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsATokenTheServerAccepts() {
        long before = Instant.now().getEpochSecond();
        CliRunner.Result r =
                CliRunner.run("join-token", "--secret", "-starts-with-dash", "--room", "standup", "--ttl", "1h");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String token = r.stdout().strip();
        long expiry = Long.parseLong(token.substring(0, token.indexOf('.')));
        assertThat(expiry).isBetween(before + 3600, Instant.now().getEpochSecond() + 3600);
        assertThat(JoinTokens.verify("-starts-with-dash", "standup", token, before))
                .isEqualTo(JoinTokens.Verdict.OK);
        assertThat(JoinTokens.verify("-starts-with-dash", "other", token, before))
                .isEqualTo(JoinTokens.Verdict.BAD_SIGNATURE);
        assertThat(JoinTokens.verify("-starts-with-dash", "standup", token, expiry))
                .isEqualTo(JoinTokens.Verdict.EXPIRED);
        assertThat(r.all()).doesNotContain("-starts-with-dash");
    }

    @Test
    void aRealServerAdmitsTheHolderOfAPrintedToken() throws Exception {
        CliRunner.Result r = CliRunner.run("join-token", "--secret", "app-secret", "--room", "standup");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String token = r.stdout().strip();
        ServerConfig config = ServerConfig.defaults()
                .withListening(List.of(InetAddress.getByName("127.0.0.1")), 0)
                .withThreads(1)
                .withTurn(ServerHarness.turnConfig())
                .withHttp(ServerHarness.HTTP_ANY_PORT)
                .withSignaling(SignalingConfig.defaults().withTokenSecret("app-secret"));
        try (TernServer server = TernServer.start(config)) {
            String url = "ws://" + HttpListen.format(server.httpAddress()) + "/signal";
            assertThat(firstAnswer(
                            url, "{\"type\":\"join\",\"room\":\"standup\",\"name\":\"A\",\"token\":\"" + token + "\"}"))
                    .contains("\"type\":\"joined\"");
            assertThat(firstAnswer(
                            url, "{\"type\":\"join\",\"room\":\"other\",\"name\":\"A\",\"token\":\"" + token + "\"}"))
                    .contains("\"code\":\"bad-token\"");
        }
    }

    /** Opens a WebSocket, sends one message and returns the first answer. */
    private static String firstAnswer(String url, String message) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            answer.complete(text.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        try {
            ws.sendText(message, true).get(5, TimeUnit.SECONDS);
            return answer.get(5, TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }

    @Test
    void readsTheSecretFromAFileAndTheTimeFromNow() throws Exception {
        Path f = dir.resolve("secret");
        Files.write(f, List.of("  file-secret  ", "ignored"), StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run(
                "join-token", "--secret-file", f.toString(), "--room", "r.1", "--ttl", "90s", "--now", "1000");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout().strip()).isEqualTo(JoinTokens.mint("file-secret", "r.1", 1090));
    }

    @Test
    void refusesMistakesWithoutShowingTheSecret() {
        assertThat(CliRunner.run("join-token", "--room", "r").stderr()).contains("--secret SECRET or --secret-file");
        CliRunner.Result both = CliRunner.run("join-token", "--secret", "s3", "--secret-file", "/x", "--room", "r");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("either --secret or --secret-file");
        CliRunner.Result room = CliRunner.run("join-token", "--secret", "s3", "--room", "a b");
        assertThat(room.exitCode()).isEqualTo(2);
        assertThat(room.stderr()).contains("--room");
        CliRunner.Result ttl = CliRunner.run("join-token", "--secret", "s3", "--room", "r", "--ttl", "soon");
        assertThat(ttl.exitCode()).isEqualTo(2);
        assertThat(ttl.stderr()).contains("--ttl soon");
        CliRunner.Result typo = CliRunner.run("join-token", "--secrt", "hunter2", "--room", "r");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.all()).doesNotContain("hunter2");
        CliRunner.Result missingRoom = CliRunner.run("join-token", "--secret", "s3");
        assertThat(missingRoom.exitCode()).isEqualTo(2);
        assertThat(missingRoom.stderr()).contains("--room");
    }
}
