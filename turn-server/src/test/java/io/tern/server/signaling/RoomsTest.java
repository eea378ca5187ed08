package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Join, presence, relay to one named peer, media state and leave, over real WebSockets. */
class RoomsTest {
    private static SignalingHarness server;

    @BeforeAll
    static void start() throws Exception {
        server = SignalingHarness.start(SignalingHarness.config());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void joinAnswersJoinedAndTellsTheOthers() throws Exception {
        try (SignalClient ada = server.connect();
                SignalClient lin = server.connect()) {
            JsonNode first = ada.join("standup", "Ada");
            assertThat(first.path("room").asText()).isEqualTo("standup");
            String adaId = first.path("self").asText();
            assertThat(adaId).isNotEmpty();
            assertThat(first.path("resume").asText()).hasSizeGreaterThan(20);
            assertThat(first.path("peers")).isEmpty();
            assertThat(first.path("iceServers").isArray()).isTrue();

            lin.send("{\"type\":\"join\",\"room\":\"standup\",\"name\":\"  Lin  \",\"media\":{\"video\":false}}");
            JsonNode second = lin.next("joined");
            String linId = second.path("self").asText();
            assertThat(linId).isNotEqualTo(adaId);
            assertThat(second.path("peers")).hasSize(1);
            JsonNode peer = second.path("peers").get(0);
            assertThat(peer.path("id").asText()).isEqualTo(adaId);
            assertThat(peer.path("name").asText()).isEqualTo("Ada");
            assertThat(peer.path("media").path("audio").asBoolean()).isTrue();
            assertThat(peer.path("media").path("video").asBoolean()).isTrue();

            JsonNode joined = ada.next("peer-joined").path("peer");
            assertThat(joined.path("id").asText()).isEqualTo(linId);
            assertThat(joined.path("name").asText()).as("trimmed").isEqualTo("Lin");
            assertThat(joined.path("media").path("audio").asBoolean()).isTrue();
            assertThat(joined.path("media").path("video").asBoolean()).isFalse();
            assertThat(lin.drain(100)).as("a newcomer is not told about itself").isEmpty();
        }
    }

    @Test
    void offerAnswerAndCandidateGoToTheNamedPeerOnly() throws Exception {
        try (SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient c = server.connect()) {
            String aId = a.join("relay", "A").path("self").asText();
            String bId = b.join("relay", "B").path("self").asText();
            a.next("peer-joined");
            String cId = c.join("relay", "C").path("self").asText();
            a.next("peer-joined");
            b.next("peer-joined");

            String sdp = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\"}";
            c.send("{\"type\":\"offer\",\"to\":\"" + aId + "\",\"payload\":" + sdp + "}");
            JsonNode offer = a.next("offer");
            assertThat(offer.path("from").asText()).isEqualTo(cId);
            assertThat(offer.path("payload")).isEqualTo(SignalClient.JSON.readTree(sdp));

            a.send("{\"type\":\"answer\",\"to\":\"" + cId + "\",\"payload\":{\"type\":\"answer\",\"sdp\":\"x\"}}");
            JsonNode answer = c.next("answer");
            assertThat(answer.path("from").asText()).isEqualTo(aId);
            assertThat(answer.path("payload").path("sdp").asText()).isEqualTo("x");

            c.send("{\"type\":\"candidate\",\"to\":\"" + aId + "\",\"payload\":null,\"extra\":[1,2]}");
            JsonNode candidate = a.next("candidate");
            assertThat(candidate.path("from").asText()).isEqualTo(cId);
            assertThat(candidate.get("payload").isNull())
                    .as("any JSON value, null too")
                    .isTrue();
            assertThat(candidate.has("extra"))
                    .as("only from and payload are relayed")
                    .isFalse();

            assertThat(b.drain(150)).as("B was not addressed").isEmpty();
            assertThat(bId).isNotEmpty();
        }
    }

    @Test
    void mediaStateIsBroadcastToTheOthers() throws Exception {
        try (SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient c = server.connect()) {
            String aId = a.join("media", "A").path("self").asText();
            b.join("media", "B");
            c.join("media", "C");
            a.drain(100);
            b.drain(100);
            a.send("{\"type\":\"media\",\"audio\":true,\"video\":false}");
            for (SignalClient other : new SignalClient[] {b, c}) {
                JsonNode m = other.next("media");
                assertThat(m.path("peer").asText()).isEqualTo(aId);
                assertThat(m.path("audio").asBoolean()).isTrue();
                assertThat(m.path("video").asBoolean()).isFalse();
            }
            assertThat(a.drain(100)).as("not echoed to the sender").isEmpty();
            try (SignalClient d = server.connect()) {
                JsonNode joined = d.join("media", "D");
                assertThat(joined.path("peers")
                                .get(0)
                                .path("media")
                                .path("video")
                                .asBoolean())
                        .as("a newcomer sees the current state")
                        .isFalse();
            }
        }
    }

    @Test
    void leaveTellsTheOthersAndTheSocketMayJoinAgain() throws Exception {
        try (SignalClient a = server.connect();
                SignalClient b = server.connect()) {
            String aId = a.join("leaving", "A").path("self").asText();
            b.join("leaving", "B");
            a.next("peer-joined");
            a.send("{\"type\":\"leave\"}");
            JsonNode left = b.next("peer-left");
            assertThat(left.path("peer").asText()).isEqualTo(aId);
            assertThat(left.path("reason").asText()).isEqualTo("left");

            JsonNode again = a.join("leaving", "A again");
            assertThat(again.path("self").asText()).as("a new participant").isNotEqualTo(aId);
            assertThat(b.next("peer-joined").path("peer").path("name").asText()).isEqualTo("A again");
        }
    }

    @Test
    void closingTheSocketWithoutLeaveMakesThePeerAwayThenGone() throws Exception {
        try (SignalClient a = server.connect();
                SignalClient b = server.connect()) {
            a.join("closing", "A");
            String bId = b.join("closing", "B").path("self").asText();
            a.next("peer-joined");
            b.drop();
            assertThat(a.next("peer-away").path("peer").asText()).isEqualTo(bId);
            JsonNode left = a.next("peer-left");
            assertThat(left.path("peer").asText()).isEqualTo(bId);
            assertThat(left.path("reason").asText()).isEqualTo("timeout");
        }
    }

    @Test
    void pingIsAnsweredWithPong() throws Exception {
        try (SignalClient a = server.connect()) {
            a.send("{\"type\":\"ping\"}");
            a.next("pong");
        }
    }
}
