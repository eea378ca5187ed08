package io.tern.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.server.ServerHarness;
import io.tern.server.config.ApiConfig;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /api/credentials}: an application server with an API key gets TURN REST credentials
 * that Tern then accepts; without the key, with a wrong one, or with bad parameters it gets none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CredentialsApiTest {
    private static final String KEY = "app-server-key-0123456789";

    private ServerHarness server;

    @BeforeAll
    void start() throws Exception {
        ServerConfig config = ServerConfig.defaults()
                .withListening(List.of(InetAddress.getByName("127.0.0.1")), 0)
                .withThreads(2)
                .withTurn(ServerHarness.turnConfig())
                .withHttp(ServerHarness.HTTP_ANY_PORT)
                .withApi(new ApiConfig(List.of("an-older-key-still-valid", KEY)));
        server = ServerHarness.start(config);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> post(String query, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return Scrape.send(server.http(), CredentialsApi.PATH + query, b);
    }

    @Test
    void anAppServerGetsCredentialsTernAccepts() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        HttpResponse<String> r = post("?user=alice&ttl=3600", "Bearer " + KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");

        JsonNode json = new ObjectMapper().readTree(r.body());
        String username = json.get("username").asText();
        assertThat(username).endsWith(":alice");
        assertThat(Long.parseLong(username.split(":")[0])).isBetween(before + 3600, before + 3600 + 60);
        assertThat(json.get("ttl").asLong()).isEqualTo(3600);
        // Computed here independently: base64(HMAC-SHA1(secret, username)).
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(ServerHarness.REST_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        assertThat(json.get("password").asText()).isEqualTo(expected);
        List<String> uris = new java.util.ArrayList<>();
        json.get("uris").forEach(u -> uris.add(u.asText()));
        assertThat(uris)
                .contains("turn:127.0.0.1:" + server.udp().getPort() + "?transport=udp")
                .contains("turn:127.0.0.1:" + server.tcp().getPort() + "?transport=tcp");

        try (StunClient client = StunClient.builder(server.udp())
                .credentials(new Credentials(username, json.get("password").asText()))
                .timeout(Duration.ofSeconds(3))
                .connect()
                .get(3, TimeUnit.SECONDS)) {
            assertThat(client.allocate().get(5, TimeUnit.SECONDS).relayedAddress())
                    .isNotNull();
        }

        // The older key works too (rotation), and a lower-case scheme is accepted.
        assertThat(post("", "bearer an-older-key-still-valid").statusCode()).isEqualTo(200);
        JsonNode defaults =
                new ObjectMapper().readTree(post("", "Bearer " + KEY).body());
        assertThat(defaults.get("username").asText()).endsWith(":api");
        assertThat(defaults.get("ttl").asLong()).isEqualTo(86_400);
    }

    @Test
    void noKeyOrAWrongKeyIs401AndGivesNothing() throws Exception {
        for (String auth : new String[] {null, "Bearer wrong-key-0123456789ab", "Basic " + KEY, "Bearer "}) {
            HttpResponse<String> r = post("?user=alice", auth);
            assertThat(r.statusCode()).as(String.valueOf(auth)).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"tern\"");
            assertThat(r.body()).doesNotContain("password");
        }
    }

    @Test
    void badParametersAndMethodsAreRefused() throws Exception {
        for (String q : new String[] {"?ttl=10", "?ttl=99999999", "?ttl=soon", "?user=a:b", "?user=a%20b"}) {
            assertThat(post(q, "Bearer " + KEY).statusCode()).as(q).isEqualTo(400);
        }
        HttpResponse<String> get = Scrape.get(server.http(), CredentialsApi.PATH);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("allow")).hasValue("POST");
    }

    @Test
    void theOtherOperatorRoutesStillWork() throws Exception {
        assertThat(Scrape.get(server.http(), "/healthz").statusCode()).isEqualTo(200);
        assertThat(Scrape.get(server.http(), "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void shortKeysAreRefusedAtStartUpWithoutShowingThem() {
        Assertions.assertThatThrownBy(() -> new ApiConfig(List.of("short-key")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("api-key")
                .hasMessageNotContaining("short-key");
        assertThat(new ApiConfig(List.of(KEY)).toString()).doesNotContain(KEY);
    }
}
