package io.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetransmissionPolicyTest {

    @Test
    void defaultScheduleIsTheOneRfc8489Describes() {
        // RFC 8489 §6.2.1: "requests would be sent at times 0 ms, 500 ms, 1500 ms, 3500 ms, 7500 ms,
        // 15500 ms, and 31500 ms. If the client has not received a response after 39500 ms, the
        // client will consider the transaction to have timed out."
        RetransmissionPolicy policy = RetransmissionPolicy.RFC_8489;
        List<Long> sendTimes = new ArrayList<>();
        long t = 0;
        for (int n = 1; n <= policy.maxTransmissions(); n++) {
            sendTimes.add(t);
            if (n < policy.maxTransmissions()) {
                t += policy.intervalAfter(n).toMillis();
            }
        }

        assertThat(sendTimes).containsExactly(0L, 500L, 1500L, 3500L, 7500L, 15500L, 31500L);
        assertThat(t + policy.finalWait().toMillis()).isEqualTo(39_500L);
        assertThat(policy.timeout()).isEqualTo(Duration.ofMillis(39_500));
    }

    @Test
    void timeoutScalesWithTheRto() {
        assertThat(RetransmissionPolicy.withRto(Duration.ofMillis(50)).timeout())
                .isEqualTo(Duration.ofMillis(3_950));
        assertThat(new RetransmissionPolicy(Duration.ofMillis(100), 1, 4).timeout())
                .isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new RetransmissionPolicy(Duration.ZERO, 7, 16))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetransmissionPolicy(Duration.ofMillis(500), 0, 16))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetransmissionPolicy.RFC_8489.intervalAfter(7))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
