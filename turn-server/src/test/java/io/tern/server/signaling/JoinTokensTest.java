package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signed join tokens: the server with a token secret admits exactly the holders of a valid one. */
class JoinTokensTest {
    private static final String SECRET = "app-server-secret";
    private static SignalingHarness server;

    @BeforeAll
    static void start() throws Exception {
        server = SignalingHarness.start(SignalingHarness.config().withTokenSecret(SECRET));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static long inAnHour() {
        return Instant.now().getEpochSecond() + 3600;
    }

    private static String join(String room, String tokenMember) {
        return "{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"A\"" + tokenMember + "}";
    }

    @Test
    void aValidTokenForTheRoomJoins() throws Exception {
        try (SignalClient c = server.connect()) {
            c.send(join("standup", ",\"token\":\"" + JoinTokens.mint(SECRET, "standup", inAnHour()) + "\""));
            c.next("joined");
        }
    }

    @Test
    void missingMalformedForeignExpiredOrWronglySignedTokensAreBadToken() throws Exception {
        long later = inAnHour();
        String valid = JoinTokens.mint(SECRET, "standup", later);
        String[] bad = {
            "",
            ",\"token\":42",
            ",\"token\":\"\"",
            ",\"token\":\"garbage\"",
            ",\"token\":\"" + JoinTokens.mint(SECRET, "other-room", later) + "\"",
            ",\"token\":\"" + JoinTokens.mint(SECRET, "standup", Instant.now().getEpochSecond() - 1) + "\"",
            ",\"token\":\"" + JoinTokens.mint("another-secret", "standup", later) + "\"",
            ",\"token\":\"" + (later + 1) + valid.substring(valid.indexOf('.')) + "\"",
            ",\"token\":\"" + valid.substring(0, valid.length() - 1) + "\"",
            ",\"token\":\"" + valid + "A\"",
            ",\"token\":\"-1" + valid.substring(valid.indexOf('.')) + "\"",
        };
        try (SignalClient c = server.connect()) {
            for (String token : bad) {
                c.send(join("standup", token));
                assertThat(c.error("bad-token").path("ref").asText()).as(token).isEqualTo("join");
            }
            c.send(join("standup", ",\"token\":\"" + valid + "\""));
            c.next("joined");
        }
    }

    @Test
    void verdicts() {
        long now = 1_800_000_000L;
        String token = JoinTokens.mint("s", "r", now + 10);
        assertThat(JoinTokens.verify("s", "r", token, now)).isEqualTo(JoinTokens.Verdict.OK);
        assertThat(JoinTokens.verify("s", "r", token, now + 10)).isEqualTo(JoinTokens.Verdict.EXPIRED);
        assertThat(JoinTokens.verify("s", "r2", token, now)).isEqualTo(JoinTokens.Verdict.BAD_SIGNATURE);
        assertThat(JoinTokens.verify("t", "r", token, now)).isEqualTo(JoinTokens.Verdict.BAD_SIGNATURE);
        assertThat(JoinTokens.verify("s", "r", "x" + token, now)).isEqualTo(JoinTokens.Verdict.MALFORMED);
        assertThat(JoinTokens.verify("s", "r", "1" + "0".repeat(18) + ".x", now))
                .isEqualTo(JoinTokens.Verdict.MALFORMED);
        // The documented construction, computed independently.
        assertThat(token.substring(token.indexOf('.') + 1)).isEqualTo(hmacSha256Base64Url("s", "r\n" + (now + 10)));
    }

    static String hmacSha256Base64Url(String key, String data) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(
                    key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(mac.doFinal(data.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
