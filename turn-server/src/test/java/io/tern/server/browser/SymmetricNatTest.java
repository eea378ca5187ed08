package io.tern.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The product's promise: two people behind symmetric NATs (nftables {@code masquerade
 * fully-random} plus a stateful filter that drops anything unsolicited) open the demo page and see
 * each other through Tern alone. With only STUN handed out, the browsers learn their reflexive
 * addresses but can never reach each other; with Tern's TURN they connect and media flows.
 *
 * <p>Two Terns run in the public namespace: 198.18.0.1 hands out only {@code stun:} (as
 * {@code --signal-ice-url}), 198.18.0.2 its default STUN and TURN, serving the page on a public
 * {@code --web-listen} while its operator listener stays on 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SymmetricNatTest {
    private static final String TURN_ADDRESS = "198.18.0.2";
    private static final int NO_CONNECTION_BOUND_MS = 10_000;

    @TempDir
    static Path dir;

    private TestNet net;
    private final List<String> clients = new ArrayList<>();
    private TernInNamespace stunOnly;
    private TernInNamespace withTurn;

    @BeforeAll
    void start() throws Exception {
        BrowserDriver.requirePrerequisites();
        net = TestNet.create();
        net.addPublicAddress(TURN_ADDRESS);
        clients.add(net.clientBehindSymmetricNat("ada", 1));
        clients.add(net.clientBehindSymmetricNat("lin", 2));
        stunOnly = TernInNamespace.start(
                net,
                TestNet.PUBLIC_ADDRESS,
                false,
                dir,
                "--signal-ice-url",
                "stun:" + TestNet.PUBLIC_ADDRESS + ":" + TernInNamespace.STUN_PORT);
        withTurn = TernInNamespace.start(net, TURN_ADDRESS, true, dir);
    }

    @AfterAll
    void stop() throws Exception {
        if (net != null) {
            net.close();
        }
        TernInNamespace.assertNoLeaks(stunOnly, withTurn);
    }

    @Test
    void withOnlyStunTheCallCannotConnect() throws Exception {
        var config = BrowserDriver.config("neverConnects", stunOnly.origin(), "nat-stun", clients);
        config.put("boundMs", NO_CONNECTION_BOUND_MS);
        JsonNode r = BrowserDriver.run(config, 60, dir, stunOnly::logTail);
        assertNoConsoleErrors(r);
        List<String> seen = new ArrayList<>();
        r.path("statesSeen").forEach(s -> seen.add(s.asText()));
        assertThat(seen)
                .as("connection states seen over %d ms", NO_CONNECTION_BOUND_MS)
                .isNotEmpty()
                .doesNotContain("connected");
        for (JsonNode participant : r.path("participants")) {
            String name = participant.path("name").asText();
            JsonNode state = participant.path("state");
            assertThat(state.path("joined").asBoolean()).as(name).isTrue();
            state.path("iceUrls").forEach(url -> assertThat(url.asText()).startsWith("stun:"));
            JsonNode peer = participant.path("peers").get(0);
            List<String> gathered = new ArrayList<>();
            peer.path("localCandidateTypes").forEach(t -> gathered.add(t.asText()));
            assertThat(gathered)
                    .as("%s learned its NAT's public address from Tern's STUN, yet cannot use it", name)
                    .contains("srflx")
                    .doesNotContain("relay");
            assertThat(peer.path("framesDecoded").asInt()).as(name).isZero();
        }
    }

    @Test
    void withTernsTurnTheCallConnectsAndMediaFlows() throws Exception {
        JsonNode r = BrowserDriver.run(
                BrowserDriver.config("natTurn", withTurn.origin(), "nat-turn", clients), 60, dir, withTurn::logTail);
        assertNoConsoleErrors(r);
        long videoReceived = 0;
        for (JsonNode participant : r.path("participants")) {
            String name = participant.path("name").asText();
            JsonNode peer = participant.path("peers").get(0);
            assertThat(peer.path("connectionState").asText()).as(name).isEqualTo("connected");
            assertThat(List.of(
                            peer.path("candidateType").asText(),
                            peer.path("remoteCandidateType").asText()))
                    .as("%s's selected pair goes through a Tern relay", name)
                    .contains("relay");
            assertThat(peer.path("framesDecoded").asInt()).as(name).isGreaterThanOrEqualTo(30);
            videoReceived += peer.path("videoBytesReceived").asLong();
        }
        assertThat(r.path("connectMs").asLong()).as("time to connect").isLessThan(NO_CONNECTION_BOUND_MS);
        assertThat(withTurn.counter("tern_relayed_bytes_total"))
                .as("bytes Tern relayed")
                .isGreaterThanOrEqualTo(videoReceived);
    }

    private static void assertNoConsoleErrors(JsonNode r) {
        for (JsonNode errors : r.path("consoleErrors")) {
            assertThat(errors).as("console errors of the demo page").isEmpty();
        }
    }
}
