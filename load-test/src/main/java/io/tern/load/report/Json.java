package io.tern.load.report;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The run as one JSON object, for machines (compare-coturn.sh reads it). Written by hand: a flat shape. */
public final class Json {
    private Json() {}

    public static String of(RunResult run) {
        StringBuilder b = new StringBuilder(1024);
        b.append('{');
        field(b, "scenario", run.scenario()).append(',');
        field(b, "server", run.server()).append(',');
        field(b, "transport", run.transport()).append(',');
        field(b, "sent", run.totalSent()).append(',');
        field(b, "received", run.totalReceived()).append(',');
        field(b, "lost", run.totalLost()).append(',');
        field(b, "errors", run.totalErrors()).append(',');
        b.append("\"summary\":{");
        Iterator<Map.Entry<String, Object>> it = run.summary().entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Object> e = it.next();
            field(b, e.getKey(), e.getValue());
            if (it.hasNext()) {
                b.append(',');
            }
        }
        b.append("},\"steps\":[");
        for (int i = 0; i < run.steps().size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            step(b, run.steps().get(i));
        }
        return b.append("]}").toString();
    }

    private static void step(StringBuilder b, StepResult s) {
        b.append('{');
        field(b, "label", s.label()).append(',');
        field(b, "offered_per_s", s.offered()).append(',');
        field(b, "seconds", s.seconds()).append(',');
        field(b, "sent", s.sent()).append(',');
        field(b, "received", s.received()).append(',');
        field(b, "lost", s.lost()).append(',');
        field(b, "loss_percent", s.lossPercent()).append(',');
        field(b, "errors", s.errors()).append(',');
        field(b, "sent_per_s", s.sentPerSecond()).append(',');
        field(b, "client_bound", s.clientBound()).append(',');
        field(b, "msgs_per_s", s.throughput()).append(',');
        field(b, "bytes_per_s", s.bytesPerSecond());
        for (Map.Entry<String, Histogram> e : s.latencies().entrySet()) {
            Histogram h = e.getValue();
            String n = e.getKey();
            b.append(',');
            field(b, n + "_count", h.getTotalCount()).append(',');
            field(b, n + "_p50_ms", StepResult.percentileMillis(h, 50)).append(',');
            field(b, n + "_p90_ms", StepResult.percentileMillis(h, 90)).append(',');
            field(b, n + "_p99_ms", StepResult.percentileMillis(h, 99)).append(',');
            field(b, n + "_p999_ms", StepResult.percentileMillis(h, 99.9)).append(',');
            field(b, n + "_max_ms", h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0);
        }
        for (Map.Entry<String, Number> e : s.extra().entrySet()) {
            b.append(',');
            field(b, e.getKey(), e.getValue());
        }
        b.append('}');
    }

    private static StringBuilder field(StringBuilder b, String name, Object value) {
        string(b, name).append(':');
        if (value == null) {
            return b.append("null");
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? b.append(String.format(Locale.ROOT, "%.4f", d)) : b.append("null");
        }
        if (value instanceof Number || value instanceof Boolean) {
            return b.append(value);
        }
        return string(b, value.toString());
    }

    private static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}
