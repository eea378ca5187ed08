package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.tern.server.ServerHarness;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A signaling run at DEBUG (start-up, good and bad join tokens, resume, lost sockets, shutdown)
 * puts no token secret, join token, resume token or handed-out TURN password in any log line.
 */
class SecretsNotLoggedTest {
    private static final String TOKEN_SECRET = "signal-Jq58-never-log";

    @Test
    void noSecretOrTokenReachesTheLogs() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        root.setLevel(Level.DEBUG);
        List<String> secrets = new ArrayList<>(List.of(TOKEN_SECRET, ServerHarness.REST_SECRET));
        try (SignalingHarness server =
                SignalingHarness.start(SignalingHarness.config().withTokenSecret(TOKEN_SECRET))) {
            String token = JoinTokens.mint(TOKEN_SECRET, "quiet", Instant.now().getEpochSecond() + 60);
            String foreign =
                    JoinTokens.mint(TOKEN_SECRET, "other", Instant.now().getEpochSecond() + 60);
            secrets.add(token);
            secrets.add(foreign.substring(foreign.indexOf('.') + 1));
            try (SignalClient a = server.connect();
                    SignalClient b = server.connect()) {
                a.send("{\"type\":\"join\",\"room\":\"quiet\",\"name\":\"A\",\"token\":\"" + foreign + "\"}");
                a.error("bad-token");
                a.send("{\"type\":\"join\",\"room\":\"quiet\",\"name\":\"A\",\"token\":\"" + token + "\"}");
                JsonNode joined = a.next("joined");
                secrets.add(joined.path("resume").asText());
                joined.path("iceServers").findValuesAsText("credential").forEach(secrets::add);
                a.drop();
                b.send("{\"type\":\"resume\",\"token\":\""
                        + joined.path("resume").asText() + "\"}");
                JsonNode resumed = b.next("resumed");
                secrets.add(resumed.path("resume").asText());
                resumed.path("iceServers").findValuesAsText("credential").forEach(secrets::add);
            }
        } finally {
            root.detachAppender(captured);
            root.setLevel(before);
        }
        assertThat(captured.list).as("the run logged something").isNotEmpty();
        assertThat(secrets).hasSizeGreaterThan(6);
        for (ILoggingEvent e : captured.list) {
            String line = e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : e.getThrowableProxy().getMessage());
            for (String secret : secrets) {
                assertThat(line).doesNotContain(secret);
            }
        }
    }
}
