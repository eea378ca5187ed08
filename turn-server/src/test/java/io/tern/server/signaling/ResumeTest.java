package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Coming back after a lost socket: within the grace period, after it, and only once. */
class ResumeTest {
    private static SignalingHarness start(Duration grace) throws Exception {
        return SignalingHarness.start(SignalingHarness.config().withTimeouts(grace, Duration.ofSeconds(5)));
    }

    private static String resume(String token) {
        return "{\"type\":\"resume\",\"token\":\"" + token + "\"}";
    }

    @Test
    void withinTheGracePeriodTheSameParticipantComesBackWithItsQueuedMessagesInOrder() throws Exception {
        try (SignalingHarness server = start(Duration.ofSeconds(3));
                SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient b2 = server.connect();
                SignalClient c = server.connect()) {
            String aId = a.join("resume", "A").path("self").asText();
            JsonNode bJoined = b.join("resume", "B");
            String bId = bJoined.path("self").asText();
            String token = bJoined.path("resume").asText();
            a.next("peer-joined");

            b.drop();
            assertThat(a.next("peer-away").path("peer").asText()).isEqualTo(bId);
            a.send("{\"type\":\"offer\",\"to\":\"" + bId + "\",\"payload\":{\"n\":1}}");
            a.send("{\"type\":\"candidate\",\"to\":\"" + bId + "\",\"payload\":{\"n\":2}}");
            String cId = c.join("resume", "C").path("self").asText();
            a.next("peer-joined");
            assertThat(c.drain(100)).isEmpty();

            b2.send(resume(token));
            JsonNode resumed = b2.next("resumed");
            assertThat(resumed.path("self").asText()).isEqualTo(bId);
            assertThat(resumed.path("room").asText()).isEqualTo("resume");
            assertThat(resumed.path("resume").asText()).isNotEqualTo(token).hasSizeGreaterThan(20);
            assertThat(resumed.path("iceServers")).isNotEmpty();
            assertThat(resumed.path("peers").findValuesAsText("id")).containsExactly(aId, cId);
            JsonNode offer = b2.next("offer");
            assertThat(offer.path("from").asText()).isEqualTo(aId);
            assertThat(offer.path("payload").path("n").asInt()).isEqualTo(1);
            // A's candidate and C's arrival come from two connections the server handles on their
            // own loops, so either may be queued first; A's own messages keep their order.
            java.util.Map<String, JsonNode> next = new java.util.HashMap<>();
            for (int i = 0; i < 2; i++) {
                JsonNode m = b2.next();
                next.put(m.path("type").asText(), m);
            }
            assertThat(next.keySet()).containsExactlyInAnyOrder("candidate", "peer-joined");
            assertThat(next.get("candidate").path("payload").path("n").asInt()).isEqualTo(2);
            assertThat(next.get("peer-joined").path("peer").path("id").asText()).isEqualTo(cId);

            assertThat(a.next("peer-back").path("peer").asText()).isEqualTo(bId);
            assertThat(c.next("peer-back").path("peer").asText()).isEqualTo(bId);

            // Relaying to the resumed participant reaches the new socket directly.
            a.send("{\"type\":\"answer\",\"to\":\"" + bId + "\",\"payload\":{}}");
            b2.next("answer");
        }
    }

    @Test
    void peersWithinTheirGracePeriodAreListedAwayUntilTheyResume() throws Exception {
        try (SignalingHarness server = start(Duration.ofSeconds(3));
                SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient b2 = server.connect();
                SignalClient c = server.connect();
                SignalClient d = server.connect()) {
            String aId = a.join("away", "A").path("self").asText();
            JsonNode bJoined = b.join("away", "B");
            String bId = bJoined.path("self").asText();
            a.next("peer-joined");
            b.drop();
            a.next("peer-away");

            JsonNode cJoined = c.join("away", "C");
            String cId = cJoined.path("self").asText();
            assertThat(awayFlags(cJoined)).containsExactly(entry(aId, null), entry(bId, true));

            a.drop();
            assertThat(c.next("peer-away").path("peer").asText()).isEqualTo(aId);
            b2.send(resume(bJoined.path("resume").asText()));
            JsonNode resumed = b2.next("resumed");
            assertThat(awayFlags(resumed))
                    .as("resumed lists who is away too")
                    .containsExactly(entry(aId, true), entry(cId, null));
            assertThat(c.next("peer-back").path("peer").asText()).isEqualTo(bId);

            JsonNode dJoined = d.join("away", "D");
            assertThat(awayFlags(dJoined))
                    .as("B is back: no flag")
                    .containsExactly(entry(aId, true), entry(bId, null), entry(cId, null));
        }
    }

    /** Each listed peer's id and its {@code away} member (null when absent). */
    private static List<Map.Entry<String, Boolean>> awayFlags(JsonNode welcome) {
        List<Map.Entry<String, Boolean>> out = new ArrayList<>();
        for (JsonNode peer : welcome.path("peers")) {
            JsonNode away = peer.get("away");
            if (away != null) {
                assertThat(away.isBoolean()).as("away is a boolean in " + peer).isTrue();
            }
            out.add(new AbstractMap.SimpleEntry<>(peer.path("id").asText(), away == null ? null : away.asBoolean()));
        }
        return out;
    }

    private static Map.Entry<String, Boolean> entry(String id, Boolean away) {
        return new AbstractMap.SimpleEntry<>(id, away);
    }

    @Test
    void aResumeTokenWorksOnce() throws Exception {
        try (SignalingHarness server = start(Duration.ofSeconds(3));
                SignalClient b = server.connect();
                SignalClient b2 = server.connect();
                SignalClient b3 = server.connect()) {
            String token = b.join("once", "B").path("resume").asText();
            b.drop();
            b2.send(resume(token));
            b2.next("resumed");
            b3.send(resume(token));
            assertThat(b3.error("resume-failed").path("ref").asText()).isEqualTo("resume");
            b3.send(resume("never-issued"));
            b3.error("resume-failed");
        }
    }

    @Test
    void aResumeWhileTheOldSocketSeemsAliveTakesOver() throws Exception {
        try (SignalingHarness server = start(Duration.ofSeconds(3));
                SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient b2 = server.connect()) {
            a.join("takeover", "A");
            JsonNode joined = b.join("takeover", "B");
            a.next("peer-joined");
            b2.send(resume(joined.path("resume").asText()));
            assertThat(b2.next("resumed").path("self").asText())
                    .isEqualTo(joined.path("self").asText());
            assertThat(b.closeStatus()).as("the old socket is closed").isEqualTo(1000);
            assertThat(a.next("peer-back").path("peer").asText())
                    .isEqualTo(joined.path("self").asText());
            assertThat(a.drain(200)).as("no peer-left for the old socket").isEmpty();
        }
    }

    @Test
    void afterTheGracePeriodTheOthersGetPeerLeftAndResumeFails() throws Exception {
        try (SignalingHarness server = start(Duration.ofMillis(200));
                SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient b2 = server.connect()) {
            a.join("late", "A");
            JsonNode joined = b.join("late", "B");
            String bId = joined.path("self").asText();
            a.next("peer-joined");
            b.drop();
            a.next("peer-away");
            JsonNode left = a.next("peer-left");
            assertThat(left.path("peer").asText()).isEqualTo(bId);
            assertThat(left.path("reason").asText()).isEqualTo("timeout");
            b2.send(resume(joined.path("resume").asText()));
            b2.error("resume-failed");
        }
    }

    @Test
    void queuedMessagesAreBoundedAndTheOldestGo() throws Exception {
        try (SignalingHarness server = start(Duration.ofSeconds(3));
                SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient b2 = server.connect()) {
            a.join("queue", "A");
            JsonNode joined = b.join("queue", "B");
            String bId = joined.path("self").asText();
            a.next("peer-joined");
            b.drop();
            a.next("peer-away");
            int sent = Participant.MAX_QUEUED + 6;
            for (int i = 0; i < sent; i++) {
                a.send("{\"type\":\"candidate\",\"to\":\"" + bId + "\",\"payload\":" + i + "}");
            }
            a.send("{\"type\":\"ping\"}");
            a.next("pong"); // every candidate has been queued
            b2.send(resume(joined.path("resume").asText()));
            b2.next("resumed");
            for (int i = sent - Participant.MAX_QUEUED; i < sent; i++) {
                assertThat(b2.next("candidate").path("payload").asInt()).isEqualTo(i);
            }
            assertThat(b2.drain(100)).isEmpty();
        }
    }

    @Test
    void queuedMessagesAreBoundedInSizeToo() throws Exception {
        try (SignalingHarness server = start(Duration.ofSeconds(3));
                SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient b2 = server.connect()) {
            a.join("bigqueue", "A");
            JsonNode joined = b.join("bigqueue", "B");
            String bId = joined.path("self").asText();
            a.next("peer-joined");
            b.drop();
            a.next("peer-away");
            String big = "x".repeat(40_000);
            for (int i = 0; i < 10; i++) {
                a.send("{\"type\":\"candidate\",\"to\":\"" + bId + "\",\"payload\":[" + i + ",\"" + big + "\"]}");
            }
            a.send("{\"type\":\"ping\"}");
            a.next("pong");
            b2.send(resume(joined.path("resume").asText()));
            b2.next("resumed");
            // 256 Ki characters hold six of these messages: the last six.
            for (int i = 4; i < 10; i++) {
                assertThat(b2.next("candidate").path("payload").get(0).asInt()).isEqualTo(i);
            }
            assertThat(b2.drain(100)).isEmpty();
        }
    }

    @Test
    void withoutAGracePeriodALostSocketLeavesAtOnce() throws Exception {
        try (SignalingHarness server = start(Duration.ZERO);
                SignalClient a = server.connect();
                SignalClient b = server.connect()) {
            a.join("nograce", "A");
            JsonNode joined = b.join("nograce", "B");
            assertThat(joined.path("grace").asInt()).isZero();
            a.next("peer-joined");
            b.drop();
            JsonNode left = a.next("peer-left");
            assertThat(left.path("reason").asText()).isEqualTo("closed");
            assertThat(List.of(left.path("peer").asText()))
                    .containsExactly(joined.path("self").asText());
        }
    }
}
