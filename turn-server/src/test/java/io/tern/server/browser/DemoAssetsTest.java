package io.tern.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo's files as Tern serves them from the classpath folder {@code web/}: self-contained (no
 * CDN, no other origin, every referenced file present), and free of console output that would
 * read as an error. The browser tests prove the rest in Chromium.
 */
class DemoAssetsTest {
    private static final List<String> FILES = List.of("index.html", "app.js", "style.css");
    private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"]*)\"");

    @Test
    void indexReferencesOnlyFilesThatShipWithIt() throws IOException {
        String html = read("index.html");
        List<String> references = new ArrayList<>();
        Matcher m = REFERENCE.matcher(html);
        while (m.find()) {
            references.add(m.group(1));
        }
        assertThat(references).contains("app.js", "style.css");
        for (String ref : references) {
            if (ref.startsWith("data:")) {
                continue; // the empty favicon, so the browser asks for no /favicon.ico
            }
            assertThat(ref).as("a relative path").doesNotContain(":").doesNotStartWith("/");
            assertThat(DemoAssetsTest.class.getResource("/web/" + ref))
                    .as("web/" + ref)
                    .isNotNull();
        }
    }

    @Test
    void nothingIsLoadedFromAnotherOrigin() throws IOException {
        for (String file : FILES) {
            assertThat(read(file))
                    .as(file)
                    .doesNotContainPattern("(?i)https?://")
                    .doesNotContainPattern("[\"'(]//[A-Za-z]")
                    .doesNotContain("@import");
        }
    }

    @Test
    void thePageWritesNoErrorsOrLogsToTheConsole() throws IOException {
        assertThat(read("app.js")).doesNotContain("console.error").doesNotContain("console.log");
    }

    private static String read(String name) throws IOException {
        try (InputStream in = DemoAssetsTest.class.getResourceAsStream("/web/" + name)) {
            assertThat(in).as("web/" + name + " on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
