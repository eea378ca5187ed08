package io.tern.server.browser;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tern.server.interop.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code src/test/browser/scenarios.mjs} with node: playwright-core drives Debian's Chromium
 * (never a downloaded browser), one browser per client namespace, through the demo page's
 * {@code window.tern} API. The script prints its observations as JSON; the tests assert on them.
 */
final class BrowserDriver {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String NODE = "/usr/bin/node";
    private static final ObjectMapper JSON = new ObjectMapper();

    private BrowserDriver() {}

    /** The driver's folder (Surefire runs in the module's folder). */
    static Path dir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "browser");
    }

    /**
     * Chromium, node, nft, ip, the npm install of playwright-core, and root (for namespaces): a
     * skip when one is missing, a failure under {@code -Dtern.requireInterop=true}.
     */
    static void requirePrerequisites() {
        ExternalTool.require(CHROMIUM, "chromium");
        ExternalTool.require(NODE, "nodejs");
        ExternalTool.require(TestNet.NFT, "nftables");
        ExternalTool.require(TestNet.IP, "iproute2");
        requireThat(
                Files.isDirectory(dir().resolve("node_modules").resolve("playwright-core")),
                "playwright-core is not installed; run: cd turn-server/src/test/browser && "
                        + "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install");
        requireThat(
                new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "network namespaces need root (the browser tests run every browser in its own namespace)");
    }

    private static void requireThat(boolean holds, String why) {
        if (holds) {
            return;
        }
        if (Boolean.getBoolean("tern.requireInterop")) {
            fail(why);
        }
        Assumptions.abort(why);
    }

    static ObjectNode config(String scenario, String origin, String room, List<String> clients) {
        ObjectNode c = JSON.createObjectNode()
                .put("scenario", scenario)
                .put("origin", origin)
                .put("room", room);
        clients.forEach(c.putArray("clients")::add);
        return c;
    }

    /**
     * Runs one scenario and returns its JSON; fails with the step that broke, what the pages
     * showed, the driver's progress and {@code context} (Tern's log) when it did not pass.
     */
    static JsonNode run(ObjectNode config, int timeoutSeconds, Path dir, Supplier<String> context)
            throws IOException, InterruptedException {
        config.put("timeoutMs", timeoutSeconds * 1000);
        String name = config.get("scenario").asText();
        Path out = dir.resolve(name + ".out.json");
        Path err = dir.resolve(name + ".err.log");
        ProcessBuilder pb = new ProcessBuilder(NODE, "scenarios.mjs", JSON.writeValueAsString(config))
                .directory(dir().toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        pb.environment().put("TERN_CHROMIUM", CHROMIUM);
        pb.environment().put("TERN_IP", TestNet.IP);
        pb.environment().put("TERN_NFT", TestNet.NFT);
        Process node = pb.start();
        try {
            if (!node.waitFor(timeoutSeconds + 20L, TimeUnit.SECONDS)) {
                fail("the browser driver did not finish scenario " + name + " within " + timeoutSeconds + " s\n"
                        + tail(err) + "\n" + context.get());
            }
        } finally {
            TestNet.kill(node.toHandle()); // its browsers too, should it have left any
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank())
                .toList();
        if (lines.isEmpty()) {
            fail("the browser driver printed nothing for " + name + " (exit " + node.exitValue() + ")\n" + tail(err));
        }
        JsonNode result = JSON.readTree(lines.get(lines.size() - 1));
        if (!result.path("ok").asBoolean()) {
            fail("scenario " + name + " failed: " + result.path("error").asText() + "\npage states: "
                    + result.path("detail") + "\n" + result.path("states") + "\nconsole errors: "
                    + result.path("consoleErrors") + "\ndriver:\n" + tail(err) + "\ntern:\n" + context.get());
        }
        // The driver's timeline in the test output: which step took how long.
        System.out.println("scenario " + name + " passed in " + result.path("ms") + " ms:\n" + tail(err));
        return result;
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
