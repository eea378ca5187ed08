package io.tern.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Parsing --server (loopback only) and durations. */
class TargetTest {
    @Test
    void loopbackFormsAreAccepted() {
        assertThat(Target.loopbackServer("127.0.0.1:3478").getPort()).isEqualTo(3478);
        assertThat(Target.loopbackServer("127.1.2.3").getPort()).isEqualTo(3478);
        assertThat(Target.loopbackServer("[::1]:5000").getAddress().isLoopbackAddress())
                .isTrue();
        assertThat(Target.loopbackServer("localhost:3479").getAddress().isLoopbackAddress())
                .isTrue();
    }

    @Test
    void anythingElseIsAUsageError() {
        for (String bad : new String[] {
            "10.0.0.1:3478", "[fe80::1]:3478", "0.0.0.0:3478", "127.0.0.1:0", "127.0.0.1:70000", "[::1"
        }) {
            assertThatThrownBy(() -> Target.loopbackServer(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            LoadException.class, e -> assertThat(e.exitCode()).isEqualTo(LoadException.USAGE));
        }
    }

    @Test
    void durations() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("7")).isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> Durations.parse("1h")).hasMessageContaining("not a duration");
    }
}
