package io.tern.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.management.UnixOperatingSystemMXBean;
import io.tern.server.config.TurnConfig;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The start-up warning when the open-files limit cannot hold a socket for every allocation the
 * relay ports and quota allow, checked against this process's real limit.
 */
class OpenFileLimitTest {
    private static List<String> warnings(TurnConfig turn, int relayIps) {
        Logger logger = (Logger) LoggerFactory.getLogger(TernServer.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        try {
            TernServer.checkOpenFileLimit(turn, relayIps);
        } finally {
            logger.detachAppender(captured);
        }
        return captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static long limit() {
        return ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
    }

    @Test
    void moreRelayPortsThanTheLimitAllowsIsWarnedAboutWithTheFix() {
        TurnConfig full = TurnConfig.defaults().withPorts(49152, 65535);
        int relayIps = (int) (limit() / 16384) + 1; // enough relay IPs to need more sockets than allowed
        assertThat(warnings(full, relayIps))
                .singleElement()
                .asString()
                .contains("the open-files limit is " + limit())
                .contains(16384L * relayIps + " allocations")
                .contains("LimitNOFILE=")
                .contains("--total-quota");
    }

    @Test
    void aQuotaWithinTheLimitNeedsNoWarning() {
        int relayIps = (int) (limit() / 16384) + 1;
        long quota = limit() - TernServer.OPEN_FILES_MARGIN - 1;
        TurnConfig capped = TurnConfig.defaults()
                .withPorts(49152, 65535)
                .withQuotas(0, (int) Math.min(quota, Integer.MAX_VALUE), 0);
        assertThat(warnings(capped, relayIps)).isEmpty();
        assertThat(warnings(TurnConfig.defaults().withPorts(40000, 40100), 1)).isEmpty();
    }
}
