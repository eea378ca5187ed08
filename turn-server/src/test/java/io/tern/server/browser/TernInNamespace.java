package io.tern.server.browser;

import io.tern.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tern serve} in its own JVM inside a namespace of a {@link TestNet}, started from this
 * test JVM's class path (the way ReloadSignalTest starts it), so browsers in other namespaces reach
 * it over a real network. It binds one address for STUN/TURN, relays from the same address, and
 * allows peers in 198.18.0.0/15 (the test network; the default policy rightly refuses it).
 */
final class TernInNamespace {
    static final int STUN_PORT = 3478;
    static final int HTTP_PORT = 9641;
    static final int WEB_PORT = 8080;
    static final int TLS_PORT = 5349;

    private final TestNet net;
    private final String ns;
    private final String address;
    private final boolean publicWeb;
    private final boolean tls;
    private final Path log;
    private final Process process;

    private TernInNamespace(
            TestNet net, String ns, String address, boolean publicWeb, boolean tls, Path log, Process process) {
        this.net = net;
        this.ns = ns;
        this.address = address;
        this.publicWeb = publicWeb;
        this.tls = tls;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts Tern on {@code address} in the public namespace and waits until it answers HTTP.
     *
     * @param publicWeb false: the demo is served by the operator listener on {@code address}
     *     (so a page can read {@code /metrics}); true: the operator listener stays on 127.0.0.1
     *     and {@code --web-listen address:8080} serves only the demo and {@code /signal}, as a
     *     public deployment would
     */
    static TernInNamespace start(TestNet net, String address, boolean publicWeb, Path dir, String... extraArgs)
            throws IOException, InterruptedException {
        return start(net, address, publicWeb, null, null, dir, extraArgs);
    }

    /**
     * As {@link #start} with the demo on the operator listener, plus TURN over TLS on
     * {@link #TLS_PORT} with this certificate and key (PEM), and {@code --tls-web}: the TLS port
     * serves the demo page and {@code /signal} too ({@link #tlsOrigin()}).
     */
    static TernInNamespace startWithTls(TestNet net, String address, Path cert, Path key, Path dir, String... extraArgs)
            throws IOException, InterruptedException {
        return start(net, address, false, cert, key, dir, extraArgs);
    }

    private static TernInNamespace start(
            TestNet net, String address, boolean publicWeb, Path cert, Path key, Path dir, String... extraArgs)
            throws IOException, InterruptedException {
        String ns = net.pub();
        Path log = dir.resolve("tern-" + address + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // FFM downcalls and Netty's JNI, without JDK 22+'s warning (JDK 17 takes it too).
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                // The production logging (INFO), not the tests' logback-test.xml (WARN).
                "-Dlogback.configurationFile=logback.xml",
                // As strict as the in-process tests: every buffer tracked, a report fails the test.
                "-Dio.netty.leakDetection.level=paranoid",
                Main.class.getName(),
                "serve",
                "--listening-ip",
                address,
                "--relay-ip",
                address,
                "--listening-port",
                String.valueOf(STUN_PORT),
                "--min-port",
                "40000",
                "--max-port",
                "40999",
                "--allowed-peer-ip",
                "198.18.0.0/15"));
        if (cert == null) {
            command.add("--no-tls");
        } else {
            command.addAll(List.of(
                    "--tls-listening-port",
                    String.valueOf(TLS_PORT),
                    "--cert",
                    cert.toString(),
                    "--pkey",
                    key.toString(),
                    "--tls-web"));
        }
        if (publicWeb) {
            command.addAll(
                    List.of("--http-listen", "127.0.0.1:" + HTTP_PORT, "--web-listen", address + ":" + WEB_PORT));
        } else {
            command.addAll(List.of("--http-listen", address + ":" + HTTP_PORT));
        }
        command.addAll(List.of(extraArgs));
        Process process = net.start(ns, log, command);
        TernInNamespace tern = new TernInNamespace(net, ns, address, publicWeb, cert != null, log, process);
        tern.awaitReady();
        return tern;
    }

    /** The origin the browsers load the demo from. */
    String origin() {
        return "http://" + address + ":" + (publicWeb ? WEB_PORT : HTTP_PORT);
    }

    /** The origin of the demo on the shared TLS port (https, signaling over wss). */
    String tlsOrigin() {
        if (!tls) {
            throw new IllegalStateException("this Tern runs without TLS");
        }
        return "https://" + address + ":" + TLS_PORT;
    }

    /** Prometheus text from the operator listener. */
    String metrics() throws IOException, InterruptedException {
        return net.httpGet(ns, publicWeb ? "127.0.0.1" : address, HTTP_PORT, "/metrics");
    }

    /** Sum of a Prometheus counter over its labels. */
    double counter(String name) throws IOException, InterruptedException {
        double sum = 0;
        for (String line : metrics().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(
                        line.substring(line.lastIndexOf(' ') + 1).strip());
            }
        }
        return sum;
    }

    /**
     * Fails when any of these servers' output holds a Netty leak report (null entries are servers
     * that never started). Call it after the processes stopped, so their logs are complete.
     */
    static void assertNoLeaks(TernInNamespace... terns) throws IOException {
        for (TernInNamespace tern : terns) {
            if (tern != null
                    && Files.readString(tern.log, StandardCharsets.UTF_8).contains("LEAK:")) {
                throw new AssertionError("Netty reported a leaked buffer in " + tern.log + ":\n" + tern.logTail());
            }
        }
    }

    /** The last lines of Tern's output, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String operator = publicWeb ? "127.0.0.1" : address;
        while (true) {
            boolean healthy = net.httpGet(ns, operator, HTTP_PORT, "/healthz").startsWith("HTTP/1.1 200");
            boolean demo = net.httpGet(ns, address, publicWeb ? WEB_PORT : HTTP_PORT, "/")
                    .startsWith("HTTP/1.1 200");
            if (healthy && demo) {
                return;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("tern did not come up on " + address + " (healthz " + healthy + ", demo page "
                        + demo + "); its output:\n" + logTail());
            }
            Thread.sleep(200);
        }
    }
}
