package io.tern.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** A JDK HTTP client for the operator endpoints, and a reader for the Prometheus text format. */
final class Scrape {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Scrape() {}

    static HttpResponse<String> get(InetSocketAddress server, String path) throws Exception {
        return send(server, path, HttpRequest.newBuilder().GET());
    }

    static HttpResponse<String> send(InetSocketAddress server, String path, HttpRequest.Builder request)
            throws Exception {
        URI uri = URI.create("http://" + HttpListen.format(server) + path);
        return CLIENT.send(
                request.uri(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of a scrape, keyed by {@code name{labels}} exactly as written. */
    static Map<String, Double> metrics(InetSocketAddress server) throws Exception {
        HttpResponse<String> r = get(server, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return parse(r.body());
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** The value of one sample; fails when the scrape does not have it. */
    static double value(Map<String, Double> samples, String key) {
        assertThat(samples).containsKey(key);
        return samples.get(key);
    }
}
