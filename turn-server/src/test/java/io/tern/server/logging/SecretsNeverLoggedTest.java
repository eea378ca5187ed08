package io.tern.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tern.client.Credentials;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.server.ServerHarness;
import io.tern.server.auth.CredentialStore;
import io.tern.server.config.TurnConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A full run at DEBUG level (good and bad logins, static and REST users, over UDP and TCP,
 * allocations made and ended) must not put a password, a REST secret or a REST password in any
 * log line.
 */
class SecretsNeverLoggedTest {
    private static final String PASSWORD = "pw-Zq81-never-log";
    private static final String SECRET = "rest-Kx27-never-log";

    @Test
    void noPasswordOrSecretReachesTheLogs() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        root.setLevel(Level.DEBUG);
        List<String> restPasswords = new ArrayList<>();
        try {
            TurnConfig turn = ServerHarness.turnConfig().withCredentials(List.of("alice:" + PASSWORD), List.of(SECRET));
            try (ServerHarness server = ServerHarness.startTurn(turn)) {
                for (TransportProtocol transport : TransportProtocol.values()) {
                    InetSocketAddress address = transport == TransportProtocol.UDP ? server.udp() : server.tcp();
                    String restUser = (System.currentTimeMillis() / 1000 + 600) + ":alice";
                    String restPassword = CredentialStore.restPassword(SECRET, restUser);
                    restPasswords.add(restPassword);
                    String expiredUser = (System.currentTimeMillis() / 1000 - 600) + ":alice";
                    String expiredPassword = CredentialStore.restPassword(SECRET, expiredUser);
                    restPasswords.add(expiredPassword);
                    allocate(address, transport, new Credentials("alice", PASSWORD), true);
                    allocate(address, transport, new Credentials(restUser, restPassword), true);
                    allocate(address, transport, new Credentials("alice", PASSWORD + "-wrong"), false);
                    allocate(address, transport, new Credentials(expiredUser, expiredPassword), false);
                    allocate(address, transport, new Credentials("mallory", PASSWORD), false);
                }
            }
        } finally {
            root.detachAppender(captured);
            root.setLevel(before);
        }
        assertThat(captured.list).as("the run logged something").isNotEmpty();
        for (ILoggingEvent e : captured.list) {
            String line = e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : e.getThrowableProxy().getMessage());
            assertThat(line).doesNotContain(PASSWORD).doesNotContain(SECRET);
            for (String p : restPasswords) {
                assertThat(line).doesNotContain(p);
            }
        }
    }

    private static void allocate(
            InetSocketAddress server, TransportProtocol transport, Credentials credentials, boolean ok)
            throws Exception {
        try (StunClient client = StunClient.builder(server)
                .protocol(transport)
                .credentials(credentials)
                .timeout(Duration.ofSeconds(3))
                .connect()
                .get(5, TimeUnit.SECONDS)) {
            var result = client.allocate().handle((a, e) -> e == null);
            assertThat(result.get(5, TimeUnit.SECONDS))
                    .as("%s over %s", credentials.username(), transport)
                    .isEqualTo(ok);
            if (ok) {
                client.refresh(Duration.ZERO).get(5, TimeUnit.SECONDS);
            }
        }
    }
}
