package io.tern.load.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The table, JSON and SVG of a run built by hand, so every figure is known. */
class ReportTest {
    private static RunResult run() {
        Histogram rtt = new Histogram(60_000_000L, 3);
        for (int i = 1; i <= 100; i++) {
            rtt.recordValue(i * 1000L); // 1..100 ms
        }
        StepResult low =
                new StepResult("rate 1000/s", 1000, 2.0, 2000, 2000, 0, 0, 320_000, Map.of("rtt", rtt), Map.of());
        StepResult high =
                new StepResult("rate 4000/s", 4000, 2.0, 6000, 5400, 600, 1, 864_000, Map.of("rtt", rtt), Map.of());
        return new RunResult(
                "relay", "127.0.0.1:3478", "udp", List.of(low, high), Map.of("note", "a \"quoted\"\nline"));
    }

    @Test
    void stepFiguresAndTheClientBoundFlag() {
        StepResult low = run().steps().get(0);
        StepResult high = run().steps().get(1);
        assertThat(low.throughput()).isEqualTo(1000.0);
        assertThat(low.clientBound()).isFalse();
        assertThat(high.sentPerSecond()).isEqualTo(3000.0);
        assertThat(high.clientBound()).as("3000 of 4000/s sent").isTrue();
        assertThat(high.lossPercent()).isEqualTo(10.0);
        assertThat(high.latencyMillis(50)).isBetween(49.9, 50.1);
    }

    @Test
    void jsonCarriesTotalsStepsAndEscapedStrings() {
        String json = Json.of(run());
        assertThat(json)
                .startsWith("{\"scenario\":\"relay\"")
                .contains("\"sent\":8000,\"received\":7400,\"lost\":600,\"errors\":1")
                .contains("\"client_bound\":true")
                .contains("\"rtt_p99_ms\":99.")
                .contains("\"note\":\"a \\\"quoted\\\"\\nline\"")
                .endsWith("]}");
    }

    @Test
    void tableMarksClientBoundSteps() {
        StringWriter out = new StringWriter();
        Table.print(run(), new PrintWriter(out));
        assertThat(out.toString())
                .contains("relay against 127.0.0.1:3478 over udp")
                .contains("3000*")
                .contains("* client-bound");
    }

    @Test
    void svgIsWellFormedWithOnePointPerStep() throws Exception {
        String svg = SvgChart.of(run());
        Document doc = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(2);
        assertThat(svg).as("the lossy step is red").contains("fill=\"#d62728\"");
        assertThat(SvgChart.niceMax(4000)).isEqualTo(5000);
        assertThat(SvgChart.niceMax(0)).isEqualTo(1);
    }
}
