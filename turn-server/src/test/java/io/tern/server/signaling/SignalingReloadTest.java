package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A reload changes limits and the token secret for the next joins; rooms and participants stay. */
class SignalingReloadTest {
    @Test
    void newLimitsAndTokenSecretApplyToTheNextJoins() throws Exception {
        try (SignalingHarness server = SignalingHarness.start(SignalingHarness.config());
                SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient c = server.connect()) {
            a.join("reload", "A");
            b.join("reload", "B");
            a.next("peer-joined");

            server.server.reload(server.server
                    .config()
                    .withSignaling(SignalingHarness.config()
                            .withLimits(2, 1000, 65536, 50)
                            .withTokenSecret("new-secret")));

            String token = JoinTokens.mint("new-secret", "reload", Instant.now().getEpochSecond() + 60);
            c.send("{\"type\":\"join\",\"room\":\"reload\",\"name\":\"C\"}");
            c.error("bad-token");
            c.send("{\"type\":\"join\",\"room\":\"reload\",\"name\":\"C\",\"token\":\"" + token + "\"}");
            c.error("room-full");
            b.send("{\"type\":\"leave\"}");
            a.next("peer-left");
            c.send("{\"type\":\"join\",\"room\":\"reload\",\"name\":\"C\",\"token\":\"" + token + "\"}");
            c.next("joined");
            assertThat(a.next("peer-joined").path("peer").path("name").asText()).isEqualTo("C");
        }
    }
}
