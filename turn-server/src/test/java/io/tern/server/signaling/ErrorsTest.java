package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every error code of docs/signaling.md that a message can earn, and that none of them closes the
 * connection. Limits get their own server per test: rooms linger for the grace period.
 */
class ErrorsTest {
    private SignalingHarness server;

    @BeforeEach
    void start() throws Exception {
        server = SignalingHarness.start(SignalingHarness.config().withLimits(2, 2, 65536, 50));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** The connection is still usable: a ping gets its pong. */
    private static void stillOpen(SignalClient c) throws Exception {
        c.send("{\"type\":\"ping\"}");
        c.next("pong");
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void badJsonAndBadShapesAreBadMessageAndTheConnectionStaysOpen() throws Exception {
        String deep = "[".repeat(40) + "]".repeat(40);
        try (SignalClient c = server.connect()) {
            for (String bad : new String[] {
                "{not json",
                "",
                "[1,2]",
                "\"join\"",
                "{}",
                "{\"type\":5}",
                "{\"type\":\"ping\"} {\"type\":\"ping\"}",
                "{\"type\":\"ping\",\"type\":\"join\"}",
                "{\"type\":\"ping\",\"x\":" + deep + "}",
                "{\"type\":\"ping\",\"n\":1" + "0".repeat(100) + "}",
            }) {
                c.send(bad);
                JsonNode error = c.error("bad-message");
                assertThat(error.path("message").asText()).as(bad).isNotEmpty();
                assertThat(error.has("ref")).as("no type known for " + bad).isFalse();
            }
            stillOpen(c);
        }
    }

    @Test
    void badMembersAreBadMessageWithTheTypeAsRef() throws Exception {
        try (SignalClient c = server.connect()) {
            for (String bad : new String[] {
                "{\"type\":\"join\",\"name\":\"A\"}",
                "{\"type\":\"join\",\"room\":\"r\"}",
                "{\"type\":\"join\",\"room\":7,\"name\":\"A\"}",
                "{\"type\":\"join\",\"room\":\"has space\",\"name\":\"A\"}",
                "{\"type\":\"join\",\"room\":\"" + "r".repeat(65) + "\",\"name\":\"A\"}",
                "{\"type\":\"join\",\"room\":\"\",\"name\":\"A\"}",
                "{\"type\":\"join\",\"room\":\"r\",\"name\":\"   \"}",
                "{\"type\":\"join\",\"room\":\"r\",\"name\":\"a\\u0007b\"}",
                "{\"type\":\"join\",\"room\":\"r\",\"name\":\"" + "n".repeat(65) + "\"}",
                "{\"type\":\"join\",\"room\":\"r\",\"name\":\"A\",\"media\":true}",
                "{\"type\":\"join\",\"room\":\"r\",\"name\":\"A\",\"media\":{\"audio\":\"yes\"}}",
                "{\"type\":\"resume\"}",
            }) {
                c.send(bad);
                JsonNode error = c.error("bad-message");
                assertThat(error.path("ref").asText()).as(bad).isIn("join", "resume");
            }
            c.join("r", "A");
            for (String bad : new String[] {
                "{\"type\":\"offer\",\"payload\":{}}",
                "{\"type\":\"offer\",\"to\":\"p1\"}",
                "{\"type\":\"media\",\"audio\":true}",
                "{\"type\":\"media\",\"audio\":1,\"video\":0}",
            }) {
                c.send(bad);
                c.error("bad-message");
            }
            stillOpen(c);
        }
    }

    @Test
    void binaryFramesAreRefused() throws Exception {
        try (SignalClient c = server.connect()) {
            c.sendBinary("{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            c.error("bad-message");
            stillOpen(c);
        }
    }

    @Test
    void unknownTypeNamesTheType() throws Exception {
        try (SignalClient c = server.connect()) {
            c.send("{\"type\":\"subscribe\"}");
            assertThat(c.error("unknown-type").path("ref").asText()).isEqualTo("subscribe");
            stillOpen(c);
        }
    }

    @Test
    void roomMessagesBeforeJoinAreNotJoined() throws Exception {
        try (SignalClient c = server.connect()) {
            for (String type : new String[] {"offer", "answer", "candidate"}) {
                c.send("{\"type\":\"" + type + "\",\"to\":\"p1\",\"payload\":{}}");
                assertThat(c.error("not-joined").path("ref").asText()).isEqualTo(type);
            }
            c.send("{\"type\":\"media\",\"audio\":true,\"video\":true}");
            c.error("not-joined");
            c.send("{\"type\":\"leave\"}");
            c.error("not-joined");
            c.join("r", "A");
            c.send("{\"type\":\"leave\"}");
            c.send("{\"type\":\"leave\"}");
            assertThat(c.error("not-joined").path("ref").asText())
                    .as("after leave")
                    .isEqualTo("leave");
            stillOpen(c);
        }
    }

    @Test
    void joinOrResumeWhileInARoomIsAlreadyJoined() throws Exception {
        try (SignalClient c = server.connect()) {
            String resume = c.join("r", "A").path("resume").asText();
            c.send("{\"type\":\"join\",\"room\":\"other\",\"name\":\"A\"}");
            assertThat(c.error("already-joined").path("ref").asText()).isEqualTo("join");
            c.send("{\"type\":\"resume\",\"token\":\"" + resume + "\"}");
            assertThat(c.error("already-joined").path("ref").asText()).isEqualTo("resume");
            stillOpen(c);
        }
    }

    @Test
    void aFullRoomRefusesTheNextParticipant() throws Exception {
        try (SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient c = server.connect()) {
            a.join("small", "A");
            b.join("small", "B");
            c.send("{\"type\":\"join\",\"room\":\"small\",\"name\":\"C\"}");
            assertThat(c.error("room-full").path("ref").asText()).isEqualTo("join");
            assertThat(a.drain(100)).as("only B's arrival").hasSize(1);
            b.send("{\"type\":\"leave\"}");
            stillOpen(b); // the leave has been handled
            c.join("small", "C");
        }
    }

    @Test
    void roomsBeyondTheLimitAreRefusedAndAnEmptiedRoomFreesItsPlace() throws Exception {
        try (SignalClient a = server.connect();
                SignalClient b = server.connect();
                SignalClient c = server.connect()) {
            a.join("one", "A");
            b.join("two", "B");
            c.send("{\"type\":\"join\",\"room\":\"three\",\"name\":\"C\"}");
            c.error("too-many-rooms");
            c.join("one", "C"); // an existing room is no new room
            c.send("{\"type\":\"leave\"}");
            b.send("{\"type\":\"leave\"}");
            stillOpen(b); // the leave has been handled
            c.join("three", "C");
        }
    }

    @Test
    void relayToSomeoneNotInTheRoomIsUnknownPeer() throws Exception {
        try (SignalClient a = server.connect();
                SignalClient elsewhere = server.connect()) {
            a.join("here", "A");
            String other = elsewhere.join("there", "X").path("self").asText();
            a.send("{\"type\":\"offer\",\"to\":\"nobody\",\"payload\":{}}");
            assertThat(a.error("unknown-peer").path("ref").asText()).isEqualTo("offer");
            a.send("{\"type\":\"candidate\",\"to\":\"" + other + "\",\"payload\":{}}");
            a.error("unknown-peer");
            assertThat(elsewhere.drain(100))
                    .as("another room's participant got nothing")
                    .isEmpty();
            stillOpen(a);
        }
    }
}
