package io.tern.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo page in real headless Chromium, one browser per participant, each in its own network
 * namespace on a bridge with Tern (its own JVM in the "public" namespace). Every call is
 * relay-only: media goes through Tern's TURN relay, with the credentials Tern's signaling hands
 * out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCallTest {
    private static final int GRACE_SECONDS = 6;

    @TempDir
    static Path dir;

    private TestNet net;
    private final List<String> clients = new ArrayList<>();
    private TernInNamespace tern;

    @BeforeAll
    void start() throws Exception {
        BrowserDriver.requirePrerequisites();
        net = TestNet.create();
        for (int i = 1; i <= 3; i++) {
            clients.add(net.client("c" + i, 10 + i));
        }
        tern = TernInNamespace.start(
                net, TestNet.PUBLIC_ADDRESS, false, dir, "--signal-resume-grace", GRACE_SECONDS + "s");
    }

    @AfterAll
    void stop() throws Exception {
        if (net != null) {
            net.close();
        }
        TernInNamespace.assertNoLeaks(tern);
    }

    private JsonNode run(String scenario, int browsers, int timeoutSeconds) throws Exception {
        ObjectNode config =
                BrowserDriver.config(scenario, tern.origin(), "room-" + scenario, clients.subList(0, browsers));
        config.put("grace", GRACE_SECONDS);
        JsonNode result = BrowserDriver.run(config, timeoutSeconds, dir, tern::logTail);
        for (JsonNode errors : result.path("consoleErrors")) {
            assertThat(errors).as("console errors of the demo page").isEmpty();
        }
        return result;
    }

    @Test
    void twoBrowsersConnectRelayOnlyThroughTernAndVideoFlowsBothWays() throws Exception {
        JsonNode r = run("pair", 2, 60);
        long videoReceived = 0;
        for (JsonNode participant : r.path("participants")) {
            assertThat(participant.path("state").path("joined").asBoolean()).isTrue();
            JsonNode peers = participant.path("peers");
            assertThat(peers).hasSize(1);
            JsonNode peer = peers.get(0);
            String who = participant.path("name").asText() + " -> "
                    + peer.path("name").asText();
            assertThat(peer.path("connectionState").asText()).as(who).isEqualTo("connected");
            // Both ends relay-only, so each end's local candidate is its relayed address on Tern:
            // the pair is relay/relay. The remote end may show as peer-reflexive when its checks
            // arrive before its candidate (then Chromium reports no address).
            assertThat(peer.path("candidateType").asText()).as(who + " local").isEqualTo("relay");
            assertThat(peer.path("remoteCandidateType").asText())
                    .as(who + " remote")
                    .isIn("relay", "prflx");
            // Chromium may nominate the TURN-over-TCP allocation when it answers first.
            assertThat(peer.path("relayProtocol").asText()).as(who).isIn("udp", "tcp");
            if (peer.path("remoteCandidateType").asText().equals("relay")) {
                assertThat(peer.path("remoteAddress").asText())
                        .as(who + ": the other side's relayed address is Tern's")
                        .startsWith(TestNet.PUBLIC_ADDRESS + ":");
            }
            assertThat(peer.path("framesDecoded").asInt()).as(who).isGreaterThanOrEqualTo(30);
            assertThat(peer.path("videoBytesReceived").asLong()).as(who).isGreaterThan(20_000);
            assertThat(peer.path("videoBytesSent").asLong()).as(who).isGreaterThan(20_000);
            videoReceived += peer.path("videoBytesReceived").asLong();
        }
        // Tern counts every relayed byte twice on a relay-to-relay path (to the peer, to the
        // client); what the browsers decoded must at least have passed through it once.
        assertThat(r.path("relayedBytes").asDouble())
                .as("tern_relayed_bytes_total seen from the page")
                .isGreaterThanOrEqualTo(videoReceived);
        assertThat(tern.counter("tern_relayed_bytes_total")).isGreaterThanOrEqualTo(videoReceived);
    }

    @Test
    void threeBrowsersMakeAFullMeshAndOneSwitchesToRelayOnlyMidCall() throws Exception {
        JsonNode r = run("mesh", 3, 60);
        for (JsonNode participant : r.path("direct")) {
            for (JsonNode peer : participant.path("peers")) {
                assertThat(peer.path("candidateType").asText())
                        .as(
                                "%s -> %s before relay-only",
                                participant.path("name").asText(), peer.path("name"))
                        .isEqualTo("host");
            }
        }
        for (JsonNode participant : r.path("participants")) {
            String name = participant.path("name").asText();
            JsonNode peers = participant.path("peers");
            assertThat(peers).as(name + "'s peers").hasSize(2);
            for (JsonNode peer : peers) {
                String who = name + " -> " + peer.path("name").asText();
                assertThat(peer.path("connectionState").asText()).as(who).isEqualTo("connected");
                // Sam's switch replaces his connections, whose counts start again from 0; the
                // scenario waits for 10 more frames on every connection after the switch.
                assertThat(peer.path("framesDecoded").asInt()).as(who).isGreaterThanOrEqualTo(10);
                assertThat(peer.path("videoBytesReceived").asLong()).as(who).isGreaterThan(5_000);
                if (name.equals("Sam")) {
                    assertThat(peer.path("candidateType").asText())
                            .as(who + ": Sam's end after Relay only")
                            .isEqualTo("relay");
                } else if (peer.path("name").asText().equals("Sam")) {
                    assertThat(peer.path("remoteCandidateType").asText())
                            .as(who + ": Sam's end after Relay only (peer-reflexive when its checks came first)")
                            .isIn("relay", "prflx");
                }
            }
        }
    }

    @Test
    void cameraOffIsShownAndFramesResumeAndTheReceiveSwitchStopsTheSender() throws Exception {
        JsonNode r = run("video", 2, 60);
        assertThat(r.path("offSeenMs").asLong())
                .as("the other side shows camera off within")
                .isLessThan(3_000);
        assertThat(r.path("framesWhileOff").asInt())
                .as("frames decoded during 3 s with the camera off")
                .isLessThanOrEqualTo(1);
        assertThat(r.path("framesAfterOn").asInt())
                .as("frames decoded after the camera is back on")
                .isGreaterThanOrEqualTo(15);
        assertThat(r.path("receiveOff").path("framesDecoded").asInt())
                .as("frames Lin decoded from Ada in 3 s with Receive off")
                .isLessThanOrEqualTo(1);
        assertThat(r.path("receiveOff").path("bytesAdaSent").asLong())
                .as("video bytes Ada sent Lin in 3 s after Lin turned Receive off")
                .isLessThan(2_000);
        JsonNode lin = r.path("participants").get(1).path("peers").get(0);
        assertThat(lin.path("media").path("video").asBoolean()).isTrue();
    }

    @Test
    void offlineWithinTheGraceKeepsThePeerIdAndPastItTheOthersSeeItLeave() throws Exception {
        JsonNode r = run("offline", 2, 90);
        JsonNode shortOutage = r.path("shortOutage");
        assertThat(shortOutage.path("sameId").asBoolean())
                .as("same peer id after resuming")
                .isTrue();
        assertThat(shortOutage.path("adaSawAway").asText()).isEqualTo("reconnecting");
        assertThat(shortOutage.path("linSawReconnecting").asBoolean()).isTrue();
        List<String> events = new ArrayList<>();
        shortOutage.path("adaEvents").forEach(e -> events.add(e.asText()));
        assertThat(events).containsSubsequence("peer-away", "peer-back");
        List<String> linEvents = new ArrayList<>();
        shortOutage.path("linEvents").forEach(e -> linEvents.add(e.asText()));
        assertThat(linEvents)
                .as("Lin restarts ICE once resumed")
                .containsSubsequence("socket-lost", "resumed", "ice-restart");
        assertThat(shortOutage.path("recoveredMs").asLong())
                .as("media flowing again after the network is back")
                .isLessThan(15_000);

        JsonNode longOutage = r.path("longOutage");
        assertThat(longOutage.path("leftEvent").path("reason").asText()).isEqualTo("timeout");
        assertThat(longOutage.path("goneAfterMs").asLong())
                .as("the others see peer-left only after the grace period")
                .isGreaterThanOrEqualTo((GRACE_SECONDS - 1) * 1000L);
        assertThat(longOutage.path("newId").asText())
                .as("back after the grace period: a new participant")
                .isNotEqualTo(r.path("linId").asText());
        for (JsonNode participant : r.path("participants")) {
            assertThat(participant.path("peers").get(0).path("connectionState").asText())
                    .isEqualTo("connected");
        }
    }

    @Test
    void aNewcomerHoldsItsOfferToAnAwayPeerUntilItIsBack() throws Exception {
        JsonNode r = run("awayNewcomer", 3, 60);
        JsonNode lin = r.path("linSeenBySam");
        assertThat(r.path("linStillAway").asBoolean())
                .as("Lin still away when Sam's view was taken")
                .isTrue();
        assertThat(lin.path("away").asBoolean())
                .as("Sam sees Lin away on joining")
                .isTrue();
        assertThat(lin.path("signalingState").asText())
                .as("Sam has no connection to Lin, so no offer, while she is away")
                .isEqualTo("none");
        List<String> events = new ArrayList<>();
        r.path("samEvents").forEach(e -> events.add(e.asText()));
        assertThat(events).containsSubsequence("offer-deferred", "peer-back");
        for (JsonNode participant : r.path("participants")) {
            JsonNode peers = participant.path("peers");
            assertThat(peers).as(participant.path("name").asText() + "'s peers").hasSize(2);
            for (JsonNode peer : peers) {
                assertThat(peer.path("connectionState").asText())
                        .as(participant.path("name").asText() + " -> "
                                + peer.path("name").asText())
                        .isEqualTo("connected");
            }
        }
    }

    @Test
    void qualityLowKeepsTheOutboundVideoUnderItsCap() throws Exception {
        JsonNode r = run("quality", 2, 60);
        JsonNode low = r.path("low");
        System.out.println("video sent at quality low: " + low + "; at high: " + r.path("high"));
        assertThat(low.path("kbps").asInt())
                .as("video sent at quality low over %s s (cap 150 kbps)", low.path("seconds"))
                .isBetween(20, 165);
        assertThat(low.path("frameHeightOut").asInt()).as("height sent at low").isLessThanOrEqualTo(180);
        JsonNode participants = r.path("participants");
        assertThat(participants.get(0).path("peers").get(0).path("maxBitrate").asLong())
                .isEqualTo(150_000);
        assertThat(participants.get(1).path("peers").get(0).path("maxBitrate").asLong())
                .as("the other participant chose high")
                .isEqualTo(1_500_000);
    }
}
