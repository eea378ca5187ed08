package io.tern.load.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput and latency against offered load, as a small hand-written SVG: two panels sharing the
 * x axis (offered messages/s; a closed-loop step is placed at what it achieved). The top panel shows
 * received messages/s with the ideal line (received = offered) dashed; the bottom one p50 and p99 of
 * the main latency in milliseconds. Loss above 0.1 % marks a point red.
 */
public final class SvgChart {
    private static final int WIDTH = 720;
    private static final int PANEL = 220;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int GAP = 60;

    private SvgChart() {}

    public static String of(RunResult run) {
        List<double[]> points = new ArrayList<>(); // x, throughput, p50, p99, loss%
        for (StepResult s : run.steps()) {
            double x = Double.isNaN(s.offered()) ? s.throughput() : s.offered();
            points.add(new double[] {x, s.throughput(), s.latencyMillis(50), s.latencyMillis(99), s.lossPercent()});
        }
        double maxX = niceMax(points.stream().mapToDouble(p -> p[0]).max().orElse(1));
        double maxY = niceMax(
                Math.max(maxX, points.stream().mapToDouble(p -> p[1]).max().orElse(1)));
        double maxL = niceMax(points.stream()
                .mapToDouble(p -> Double.isNaN(p[3]) ? 0 : p[3])
                .max()
                .orElse(1));
        int height = TOP + 2 * PANEL + GAP + 60;
        StringBuilder svg = new StringBuilder(4096);
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                WIDTH,
                height));
        text(
                svg,
                WIDTH / 2.0,
                24,
                "middle",
                15,
                escape(run.scenario() + " against " + run.server() + " (" + run.transport()
                        + "): throughput and latency vs offered load"));
        int top1 = TOP;
        int top2 = TOP + PANEL + GAP;
        axes(svg, top1, maxX, maxY, "received msgs/s");
        axes(svg, top2, maxX, maxL, "latency ms (p50 solid, p99 dashed)");
        text(svg, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, height - 15, "middle", 12, "offered load, msgs/s");
        // Ideal: everything offered comes back.
        line(svg, x(0, maxX), y(0, maxY, top1), x(maxX, maxX), y(Math.min(maxX, maxY), maxY, top1), "#aaa", true);
        polyline(svg, points, 1, maxX, maxY, top1, "#1f77b4", false);
        polyline(svg, points, 2, maxX, maxL, top2, "#2ca02c", false);
        polyline(svg, points, 3, maxX, maxL, top2, "#d62728", true);
        for (double[] p : points) {
            String colour = p[4] > 0.1 ? "#d62728" : "#1f77b4";
            svg.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>offered %.0f/s, received %.0f/s,"
                            + " loss %.3f%%</title></circle>%n",
                    x(p[0], maxX),
                    y(p[1], maxY, top1),
                    colour,
                    p[0],
                    p[1],
                    p[4]));
        }
        return svg.append("</svg>\n").toString();
    }

    private static void axes(StringBuilder svg, int top, double maxX, double maxY, String label) {
        int bottom = top + PANEL;
        line(svg, LEFT, bottom, WIDTH - RIGHT, bottom, "#000", false);
        line(svg, LEFT, top, LEFT, bottom, "#000", false);
        for (int i = 0; i <= 4; i++) {
            double vy = maxY * i / 4;
            double py = y(vy, maxY, top);
            line(svg, LEFT, py, WIDTH - RIGHT, py, "#eee", false);
            text(svg, LEFT - 6, py + 4, "end", 11, format(vy));
            double vx = maxX * i / 4;
            text(svg, x(vx, maxX), bottom + 16, "middle", 11, format(vx));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">%s</text>%n",
                top + PANEL / 2.0,
                top + PANEL / 2.0,
                label));
    }

    private static void polyline(
            StringBuilder svg,
            List<double[]> points,
            int index,
            double maxX,
            double maxY,
            int top,
            String colour,
            boolean dashed) {
        StringBuilder coords = new StringBuilder();
        for (double[] p : points) {
            if (!Double.isNaN(p[index])) {
                coords.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(p[0], maxX), y(p[index], maxY, top)));
            }
        }
        svg.append(String.format(
                Locale.ROOT,
                "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                coords.toString().trim(),
                colour,
                dashed ? " stroke-dasharray=\"6 4\"" : ""));
    }

    private static void line(
            StringBuilder svg, double x1, double y1, double x2, double y2, String colour, boolean dash) {
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
                x1,
                y1,
                x2,
                y2,
                colour,
                dash ? " stroke-dasharray=\"4 4\"" : ""));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, int size, String s) {
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x,
                y,
                anchor,
                size,
                s));
    }

    private static double x(double v, double max) {
        return LEFT + (WIDTH - LEFT - RIGHT) * (max <= 0 ? 0 : v / max);
    }

    private static double y(double v, double max, int top) {
        return top + PANEL - PANEL * (max <= 0 ? 0 : Math.min(v, max) / max);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double niceMax(double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= v) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String format(double v) {
        if (v >= 1000) {
            double k = v / 1000;
            return k == Math.rint(k) ? String.format(Locale.ROOT, "%.0fk", k) : String.format(Locale.ROOT, "%.1fk", k);
        }
        return v >= 10 || v == 0 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
