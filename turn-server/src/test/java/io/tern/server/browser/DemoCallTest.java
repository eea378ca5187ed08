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
        tern = TernInNamespace.start(net, TestNet.PUBLIC_ADDRESS, false, dir);
    }

    @AfterAll
    void stop() throws Exception {
        if (net != null) {
            net.close();
        }
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
            assertThat(peer.path("candidateType").asText()).as(who + " local").isEqualTo("relay");
            assertThat(peer.path("remoteCandidateType").asText())
                    .as(who + " remote")
                    .isEqualTo("relay");
            assertThat(peer.path("relayProtocol").asText()).as(who).isEqualTo("udp");
            assertThat(peer.path("remoteAddress").asText())
                    .as(who + ": the other side's relayed address is Tern's")
                    .startsWith(TestNet.PUBLIC_ADDRESS + ":");
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
}
