package io.tern.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * config/grafana-dashboard.json queries only series a running Tern exports: every metric name in
 * its expressions, and every label value it matches on, appears in a real scrape.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "config", "grafana-dashboard.json");

    private static final Pattern EXPR = Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SERIES =
            Pattern.compile("\\b((?:tern|jvm|process|system)_[a-z0-9_]+)(?:\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)(=|!=)\"([^\"]*)\"");

    @Test
    void everyQueriedSeriesExists() throws Exception {
        List<String> exprs = new ArrayList<>();
        Matcher m = EXPR.matcher(Files.readString(DASHBOARD));
        while (m.find()) {
            exprs.add(m.group(1).replace("\\\"", "\""));
        }
        assertThat(exprs).hasSizeGreaterThan(10);

        try (ServerHarness server = ServerHarness.startTurn()) {
            System.gc(); // the GC pause timer appears with the first collection
            MetricsEndpointTest.eventually(() -> hasSeries(Scrape.metrics(server.http()), "jvm_gc_pause_seconds_sum"));
            Map<String, Double> scrape = Scrape.metrics(server.http());
            for (String expr : exprs) {
                Matcher s = SERIES.matcher(expr);
                while (s.find()) {
                    String name = s.group(1);
                    assertThat(hasSeries(scrape, name)).as(name + " in " + expr).isTrue();
                    if (s.group(2) != null) {
                        Matcher label = MATCHER.matcher(s.group(2));
                        while (label.find()) {
                            String pair = label.group(1) + "=\"" + label.group(3) + "\"";
                            assertThat(scrape.keySet())
                                    .as(pair + " on " + name + " in " + expr)
                                    .anyMatch(k -> k.startsWith(name + "{") && k.contains(pair));
                        }
                    }
                }
            }
        }
    }

    private static boolean hasSeries(Map<String, Double> scrape, String name) {
        return scrape.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
    }
}
