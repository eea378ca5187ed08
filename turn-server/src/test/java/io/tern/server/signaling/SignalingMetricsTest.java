package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** tern_signal_* on /metrics follows connections, rooms, messages and errors. */
class SignalingMetricsTest {
    private static final String CONNECTIONS = "tern_signal_connections_active";
    private static final String ROOMS = "tern_signal_rooms_active";
    private static final String JOINS = "tern_signal_messages_total{type=\"join\"}";
    private static final String OFFERS = "tern_signal_messages_total{type=\"offer\"}";
    private static final String NOT_JOINED = "tern_signal_errors_total{code=\"not-joined\"}";
    private static final String UNKNOWN_TYPE = "tern_signal_errors_total{code=\"unknown-type\"}";

    @Test
    void countsConnectionsRoomsMessagesAndErrors() throws Exception {
        try (SignalingHarness server = SignalingHarness.start(SignalingHarness.config())) {
            Map<String, Double> start = scrape(server);
            assertThat(start.get(CONNECTIONS)).isZero();
            assertThat(start.get(ROOMS)).isZero();
            assertThat(start)
                    .containsKeys(
                            JOINS, OFFERS, NOT_JOINED, UNKNOWN_TYPE, "tern_signal_errors_total{code=\"rate-limited\"}");
            try (SignalClient a = server.connect();
                    SignalClient b = server.connect()) {
                a.send("{\"type\":\"leave\"}");
                a.error("not-joined");
                a.send("{\"type\":\"nope\"}");
                a.error("unknown-type");
                a.join("m1", "A");
                String bId = b.join("m2", "B").path("self").asText();
                b.send("{\"type\":\"offer\",\"to\":\"" + bId + "\",\"payload\":{}}");
                b.next("offer");
                Map<String, Double> during = scrape(server);
                assertThat(during.get(CONNECTIONS)).isEqualTo(2);
                assertThat(during.get(ROOMS)).isEqualTo(2);
                assertThat(during.get(JOINS)).isEqualTo(2);
                assertThat(during.get(OFFERS)).isEqualTo(1);
                assertThat(during.get(NOT_JOINED)).isEqualTo(1);
                assertThat(during.get(UNKNOWN_TYPE)).isEqualTo(1);
                a.send("{\"type\":\"leave\"}");
            }
            // b's room lasts until its grace period (300 ms) is over.
            eventually(server, m -> m.get(CONNECTIONS) == 0 && m.get(ROOMS) == 0);
        }
    }

    private static void eventually(SignalingHarness server, Predicate<Map<String, Double>> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Map<String, Double> last = scrape(server);
        while (!condition.test(last)) {
            assertThat(System.nanoTime()).as("within 5 s: " + last).isLessThan(deadline);
            Thread.sleep(20);
            last = scrape(server);
        }
    }

    static Map<String, Double> scrape(SignalingHarness server) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + server.http() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("tern_signal_")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }
}
