package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.TurnAllocation;
import io.tern.server.ServerHarness;
import io.tern.server.config.TurnConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The iceServers of joined: URLs, and credentials that a real TURN Allocate accepts. */
class IceServersTest {
    @Test
    void credentialsFromJoinedAllocateWithTheConfiguredSecret() throws Exception {
        try (SignalingHarness server = SignalingHarness.start(SignalingHarness.config());
                SignalClient client = server.connect()) {
            JsonNode joined = client.join("ice", "Ada");
            JsonNode turn = turnEntry(joined);
            String username = turn.path("username").asText();
            assertThat(username).endsWith(":" + joined.path("self").asText());
            long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
            assertThat(expiry)
                    .isBetween(
                            Instant.now().getEpochSecond() + 86_400 - 5,
                            Instant.now().getEpochSecond() + 86_400 + 5);
            assertThat(turn.path("credential").asText())
                    .as("made with the first static-auth-secret")
                    .isEqualTo(io.tern.server.auth.CredentialStore.restPassword(ServerHarness.REST_SECRET, username));
            allocate(server, turn);
        }
    }

    @Test
    void withoutAStaticSecretAGeneratedOneWorksAndSurvivesReload() throws Exception {
        TurnConfig noSecret = ServerHarness.turnConfig().withCredentials(List.of("alice:secret"), List.of());
        try (SignalingHarness server = SignalingHarness.start(SignalingHarness.config(), noSecret);
                SignalClient client = server.connect()) {
            JsonNode turn = turnEntry(client.join("ice", "Ada"));
            allocate(server, turn);
            server.server.reload(server.server.config());
            allocate(server, turn);
            try (SignalClient again = server.connect()) {
                allocate(server, turnEntry(again.join("ice", "Lin")));
            }
        }
    }

    @Test
    void handedOutCredentialsKeepWorkingWhenAReloadAddsAStaticSecret() throws Exception {
        TurnConfig noSecret = ServerHarness.turnConfig().withCredentials(List.of("alice:secret"), List.of());
        try (SignalingHarness server = SignalingHarness.start(SignalingHarness.config(), noSecret);
                SignalClient client = server.connect()) {
            JsonNode before = turnEntry(client.join("ice", "Ada"));
            server.server.reload(server.server.config().withTurn(ServerHarness.turnConfig()));
            allocate(server, before);
            try (SignalClient again = server.connect()) {
                JsonNode after = turnEntry(again.join("ice", "Lin"));
                String username = after.path("username").asText();
                assertThat(after.path("credential").asText())
                        .as("new credentials come from the static secret")
                        .isEqualTo(
                                io.tern.server.auth.CredentialStore.restPassword(ServerHarness.REST_SECRET, username));
                allocate(server, after);
            }
        }
    }

    @Test
    void urlsComeFromTheHostHeaderAndTernsPorts() throws Exception {
        try (SignalingHarness server = SignalingHarness.start(SignalingHarness.config());
                SignalClient byName =
                        SignalClient.connect("localhost:" + server.httpAddress().getPort());
                SignalClient byIp = server.connect()) {
            int port = server.server.udpAddresses().get(0).getPort();
            JsonNode named = byName.join("urls", "A").path("iceServers");
            assertThat(urls(named))
                    .containsExactly(
                            "stun:localhost:" + port,
                            "turn:localhost:" + port + "?transport=udp",
                            "turn:localhost:" + port + "?transport=tcp");
            assertThat(named.get(0).has("username"))
                    .as("STUN needs no credential")
                    .isFalse();
            JsonNode literal = byIp.join("urls", "B").path("iceServers");
            assertThat(urls(literal)).contains("stun:127.0.0.1:" + port);
        }
    }

    @Test
    void configuredUrlsReplaceTheDerivedOnes() throws Exception {
        List<String> configured = List.of("stun:turn.example.org:3478", "turns:turn.example.org:443?transport=tcp");
        try (SignalingHarness server =
                        SignalingHarness.start(SignalingHarness.config().withIce(configured, Duration.ofHours(1)));
                SignalClient client = server.connect()) {
            JsonNode joined = client.join("urls", "A");
            JsonNode servers = joined.path("iceServers");
            assertThat(urls(servers)).containsExactlyElementsOf(configured);
            String username = servers.get(1).path("username").asText();
            long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
            assertThat(expiry - Instant.now().getEpochSecond()).isBetween(3595L, 3605L);
        }
    }

    @Test
    void hostHeaderParsing() throws Exception {
        assertThat(IceServers.hostOf("Turn.Example.org:9641")).isEqualTo("turn.example.org");
        assertThat(IceServers.hostOf("example.org")).isEqualTo("example.org");
        assertThat(IceServers.hostOf("[::1]:9641")).isEqualTo("[::1]");
        assertThat(IceServers.hostOf("[2001:db8::1]")).isEqualTo("[2001:db8::1]");
        assertThat(IceServers.hostOf("::1")).as("IPv6 needs brackets").isNull();
        assertThat(IceServers.hostOf("evil\"host")).isNull();
        assertThat(IceServers.hostOf("a b")).isNull();
        assertThat(IceServers.hostOf("")).isNull();
        assertThat(IceServers.hostOf((String) null)).isNull();
        assertThat(IceServers.hostOf(new InetSocketAddress(InetAddress.getByName("::1"), 1)))
                .isEqualTo("[0:0:0:0:0:0:0:1]");
    }

    private static JsonNode turnEntry(JsonNode joined) {
        for (JsonNode server : joined.path("iceServers")) {
            if (server.has("username")) {
                return server;
            }
        }
        throw new AssertionError("no TURN entry in " + joined);
    }

    private static List<String> urls(JsonNode servers) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : servers) {
            s.path("urls").forEach(u -> out.add(u.asText()));
        }
        return out;
    }

    /** A real TURN Allocate over UDP with the handed-out credential. */
    private static void allocate(SignalingHarness server, JsonNode turn) throws Exception {
        try (StunClient client = StunClient.builder(server.server.udpAddresses().get(0))
                .localAddress(new InetSocketAddress("127.0.0.1", 0))
                .credentials(new Credentials(
                        turn.path("username").asText(), turn.path("credential").asText()))
                .timeout(Duration.ofSeconds(3))
                .connect()
                .get(3, TimeUnit.SECONDS)) {
            TurnAllocation allocation = client.allocate().get(3, TimeUnit.SECONDS);
            assertThat(allocation.relayedAddress()).isNotNull();
        }
    }
}
