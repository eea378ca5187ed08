package io.tern.load.report;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The table printed at the end of a run: one row per step, then the summary. */
public final class Table {
    private Table() {}

    public static void print(RunResult run, PrintWriter out) {
        out.printf(Locale.ROOT, "%n%s against %s over %s%n", run.scenario(), run.server(), run.transport());
        List<String> header = new ArrayList<>(List.of(
                "step",
                "offered/s",
                "sent/s",
                "secs",
                "sent",
                "received",
                "lost",
                "loss%",
                "errors",
                "msgs/s",
                "MB/s"));
        List<String> latencyNames = run.steps().isEmpty()
                ? List.of()
                : List.copyOf(run.steps().get(0).latencies().keySet());
        for (String name : latencyNames) {
            header.add(name + " p50 ms");
            header.add("p90");
            header.add("p99");
            header.add("p99.9");
        }
        List<String> extraNames = run.steps().isEmpty()
                ? List.of()
                : List.copyOf(run.steps().get(0).extra().keySet());
        header.addAll(extraNames);
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (StepResult s : run.steps()) {
            List<String> row = new ArrayList<>(List.of(
                    s.label(),
                    Double.isNaN(s.offered()) ? "closed" : integer(s.offered()),
                    integer(s.sentPerSecond()) + (s.clientBound() ? "*" : ""),
                    fixed(s.seconds(), 1),
                    Long.toString(s.sent()),
                    Long.toString(s.received()),
                    Long.toString(s.lost()),
                    fixed(s.lossPercent(), 3),
                    Long.toString(s.errors()),
                    integer(s.throughput()),
                    fixed(s.bytesPerSecond() / 1e6, 2)));
            for (String name : latencyNames) {
                Histogram h = s.latencies().get(name);
                for (double p : new double[] {50, 90, 99, 99.9}) {
                    row.add(millis(StepResult.percentileMillis(h, p)));
                }
            }
            for (String name : extraNames) {
                row.add(number(s.extra().get(name)));
            }
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(i == 0 ? String.format("%-" + widths[i] + "s", cell) : "  " + pad(cell, widths[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        if (run.steps().stream().anyMatch(StepResult::clientBound)) {
            out.println("* client-bound: tern-load sent less than 95% of the offered load (short of CPU);"
                    + " that step does not measure the server");
        }
        for (Map.Entry<String, Object> e : run.summary().entrySet()) {
            Object v = e.getValue();
            out.println(e.getKey() + ": " + (v instanceof Number n ? number(n) : String.valueOf(v)));
        }
    }

    private static String pad(String cell, int width) {
        return " ".repeat(width - cell.length()) + cell;
    }

    static String integer(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String millis(double v) {
        return Double.isNaN(v) ? "-" : fixed(v, v < 10 ? 3 : 1);
    }

    static String number(Object v) {
        if (v instanceof Double d) {
            return Double.isNaN(d) ? "-" : fixed(d, Math.abs(d) < 100 ? 3 : 0);
        }
        if (v instanceof Float f) {
            return fixed(f, 3);
        }
        return String.valueOf(v);
    }
}
