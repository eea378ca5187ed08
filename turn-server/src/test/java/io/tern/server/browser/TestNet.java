package io.tern.server.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small internet on this machine, made of network namespaces that one test class creates and
 * deletes (testing.md, "Symmetric NAT, for real"). Nothing in it can reach the host's network:
 * every namespace's default route points at a gateway that does not exist, so stray packets are
 * dropped.
 *
 * <pre>
 *   "public" namespace: bridge br0 198.18.0.1/24 (Tern binds here)
 *     |-- client namespace  eth0 198.18.0.N/24                      (no NAT)
 *     |-- NAT namespace     wan 198.18.0.2N/24, lan 198.19.N.1/24   (masquerade fully-random + stateful filter)
 *           |-- client namespace  eth0 198.19.N.2/24
 * </pre>
 *
 * <p>Every process started here is killed by PID and every namespace deleted by name in
 * {@link #close()}, which also kills any process still inside one of them.
 */
final class TestNet implements AutoCloseable {
    static final String IP = "/usr/sbin/ip";
    static final String NFT = "/usr/sbin/nft";
    static final String PUBLIC_ADDRESS = "198.18.0.1";
    private static final String NOWHERE = "198.18.0.254"; // the default gateway nobody answers for
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** Symmetric NAT: a new random public port per destination, and nothing unsolicited gets in. */
    private static final String NAT_RULES = """
            table ip tern_nat {
              chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "wan" masquerade fully-random; }
            }
            table inet tern_filter {
              chain forward { type filter hook forward priority filter; policy drop; ct state established,related accept; iifname "lan" oifname "wan" accept; }
              chain input { type filter hook input priority filter; policy drop; ct state established,related accept; iifname "lo" accept; iifname "lan" accept; }
            }
            """;

    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private int links;

    private TestNet() {
        // Namespace names are machine-wide: the PID and a counter keep parallel runs apart.
        prefix = "tb" + ProcessHandle.current().pid() + "x" + INSTANCES.incrementAndGet() + "-";
    }

    /** The public namespace with its bridge at {@link #PUBLIC_ADDRESS}. */
    static TestNet create() throws IOException, InterruptedException {
        TestNet net = new TestNet();
        try {
            String pub = net.namespace("pub");
            net.ip("-n", pub, "link", "add", "br0", "type", "bridge");
            net.ip("-n", pub, "addr", "add", PUBLIC_ADDRESS + "/24", "dev", "br0");
            net.ip("-n", pub, "link", "set", "br0", "up");
            net.ip("-n", pub, "route", "add", "default", "via", NOWHERE);
            return net;
        } catch (IOException | InterruptedException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    String pub() {
        return prefix + "pub";
    }

    /** Another address of the public namespace, e.g. for a second server. */
    void addPublicAddress(String address) throws IOException, InterruptedException {
        ip("-n", pub(), "addr", "add", address + "/24", "dev", "br0");
    }

    /** A namespace on the public bridge at 198.18.0.{@code host}. */
    String client(String name, int host) throws IOException, InterruptedException {
        String ns = namespace(name);
        plugIntoBridge(ns, "eth0", "198.18.0." + host);
        ip("-n", ns, "route", "add", "default", "via", NOWHERE);
        return ns;
    }

    /**
     * A client namespace at 198.19.{@code index}.2 behind its own symmetric NAT, whose public side
     * is 198.18.0.{@code 20 + index}; returns the client's namespace.
     */
    String clientBehindSymmetricNat(String name, int index) throws IOException, InterruptedException {
        String nat = namespace(name + "-nat");
        plugIntoBridge(nat, "wan", "198.18.0." + (20 + index));
        ip("-n", nat, "route", "add", "default", "via", NOWHERE);
        String client = namespace(name);
        ip("-n", nat, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", client);
        ip("-n", nat, "addr", "add", "198.19." + index + ".1/24", "dev", "lan");
        ip("-n", nat, "link", "set", "lan", "up");
        ip("-n", client, "addr", "add", "198.19." + index + ".2/24", "dev", "eth0");
        ip("-n", client, "link", "set", "eth0", "up");
        ip("-n", client, "route", "add", "default", "via", "198.19." + index + ".1");
        run(List.of(IP, "netns", "exec", nat, "sysctl", "-qw", "net.ipv4.ip_forward=1"), null);
        run(List.of(IP, "netns", "exec", nat, NFT, "-f", "-"), NAT_RULES);
        return client;
    }

    /** Starts a process inside a namespace, its output to {@code log}; killed in {@link #close()}. */
    Process start(String ns, Path log, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(List.of(IP, "netns", "exec", ns));
        full.addAll(command);
        Process p = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(p);
        return p;
    }

    /**
     * An HTTP GET from inside a namespace (bash's /dev/tcp, so no HTTP client needs installing);
     * the raw response, or an empty string when nothing listens yet.
     */
    String httpGet(String ns, String host, int port, String path) throws IOException, InterruptedException {
        String script = "exec 3<>/dev/tcp/" + host + "/" + port + " || exit 1\n"
                + "printf 'GET " + path + " HTTP/1.0\\r\\nHost: " + host + ":" + port + "\\r\\n\\r\\n' >&3\n"
                + "timeout 5 cat <&3\n";
        Process p = new ProcessBuilder(IP, "netns", "exec", ns, "bash", "-c", script)
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : "";
    }

    /** Runs {@code nft} inside a namespace with a ruleset on stdin (or arguments); its output. */
    String nft(String ns, String rules, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(IP, "netns", "exec", ns, NFT));
        command.addAll(args.length == 0 ? List.of("-f", "-") : List.of(args));
        return run(command, rules);
    }

    private String namespace(String name) throws IOException, InterruptedException {
        String ns = prefix + name;
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    private void plugIntoBridge(String ns, String ifname, String address) throws IOException, InterruptedException {
        // Created inside the public namespace with its peer moved straight into ns: the host's
        // own network never sees either end.
        String port = "v" + (++links);
        ip("-n", pub(), "link", "add", port, "type", "veth", "peer", "name", ifname, "netns", ns);
        ip("-n", pub(), "link", "set", port, "master", "br0");
        ip("-n", pub(), "link", "set", port, "up");
        ip("-n", ns, "addr", "add", address + "/24", "dev", ifname);
        ip("-n", ns, "link", "set", ifname, "up");
    }

    private void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(IP));
        command.addAll(List.of(args));
        run(command, null);
    }

    private static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + output.strip());
        }
        return output;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes) {
            kill(p.toHandle());
        }
        for (String ns : namespaces) {
            // Anything still inside (a browser whose driver died) goes too: these are ours.
            String pids;
            try {
                pids = run(List.of(IP, "netns", "pids", ns), null);
            } catch (IOException gone) {
                pids = "";
            }
            for (String pid : pids.split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(TestNet::kill);
                }
            }
        }
        IOException failure = null;
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                run(List.of(IP, "netns", "del", namespaces.get(i)), null);
            } catch (IOException e) {
                failure = e;
            }
        }
        namespaces.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** Kills a process and its descendants, by PID. */
    static void kill(ProcessHandle process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process);
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) {
            h.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> h).join();
        }
    }
}
