package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The logging configuration the jar ships ({@code logback.xml}; tests otherwise run with
 * logback-test.xml), loaded into a context of its own: a stalled stderr never holds up the thread
 * that logs, {@code --log-format json} reaches the appender behind the queue, and stopping the
 * context writes out what is queued.
 */
class ShippedLoggingTest {
    private final PrintStream realErr = System.err;
    private LoggerContext context;

    @BeforeEach
    void load() throws Exception {
        URL shipped = getClass().getClassLoader().getResource("logback.xml");
        assertThat(shipped).as("logback.xml on the class path").isNotNull();
        context = new LoggerContext();
        // Set by SLF4J's binding for the context it makes; a context made by hand needs its own.
        context.setMDCAdapter(new LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(shipped);
    }

    /** The configuration loaded cleanly: an error here (an appender failing) would hide behind passing checks. */
    private void assertNoErrors() {
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() == ch.qos.logback.core.status.Status.ERROR);
    }

    @AfterEach
    void restore() {
        // Stopped first, so what the queue still holds goes to the test's stream, not the console.
        context.stop();
        System.setErr(realErr);
    }

    /** An stderr nobody reads: every write waits until the test lets it go. */
    private static final class Stalled extends OutputStream {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void write(int b) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aStalledStderrNeverHoldsUpTheThreadThatLogs() {
        Stalled stalled = new Stalled();
        System.setErr(new PrintStream(stalled, true, StandardCharsets.UTF_8));
        Logger log = context.getLogger("io.tern.server.turn.RelayLoop");
        try {
            // Far more than the queue holds: with a synchronous appender the first line would wait
            // for the reader forever.
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                for (int i = 0; i < 50_000; i++) {
                    log.info("allocation {} ended", i);
                }
            });
        } finally {
            stalled.release.countDown();
        }
        assertNoErrors();
    }

    @Test
    void jsonReachesTheAppenderBehindTheQueueAndStoppingWritesOutWhatIsQueued() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LogSettings.apply(context, Level.INFO, LogSettings.Format.JSON);
        Logger log = context.getLogger("io.tern.cli.ServeCommand");
        log.info("shutting down");
        log.debug("not at INFO");
        log.info("stopped");
        context.stop();

        List<String> lines = captured.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
        assertThat(lines).hasSize(2);
        @SuppressWarnings("unchecked")
        Map<String, Object> last = (Map<String, Object>) TinyJson.parse(lines.get(1));
        assertThat(last).containsEntry("formattedMessage", "stopped").containsEntry("level", "INFO");
        assertNoErrors();
    }
}
