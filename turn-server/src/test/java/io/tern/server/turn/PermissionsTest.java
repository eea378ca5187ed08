package io.tern.server.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.udp.UdpAddress;
import io.tern.server.udp.UdpSource;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The permission table against a map of expiries, through growth, refreshes and sweeps. */
class PermissionsTest {
    @Test
    void agreesWithAMapOfExpiriesAtEveryStep() {
        Random random = new Random(9);
        Permissions permissions = new Permissions();
        Map<String, Long> expected = new HashMap<>();
        UdpSource datagram = new UdpSource();
        // The loop's clock may be negative (nanoTime in ms): start there.
        long now = -1_000_000;
        for (int step = 0; step < 5_000; step++) {
            now += random.nextInt(2_000);
            String ip = random.nextBoolean() ? "198.51.100." + random.nextInt(64) : "2001:db8::" + random.nextInt(64);
            // The port never matters to a permission (RFC 8656 §9).
            permissions.install(UdpAddress.of(new InetSocketAddress(ip, 1 + random.nextInt(60000))), now);
            expected.put(ip, now + Permissions.LIFETIME_MILLIS);
            if (step % 50 == 0) {
                permissions.expire(now);
                long t = now;
                expected.values().removeIf(expiry -> expiry <= t);
                assertThat(permissions.size()).isEqualTo(expected.size());
            }
            for (int i = 0; i < 64; i += 7) {
                for (String each : new String[] {"198.51.100." + i, "2001:db8::" + i}) {
                    datagram.set(new InetSocketAddress(each, 9));
                    Long expiry = expected.get(each);
                    assertThat(permissions.allows(datagram, now))
                            .as("%s at step %d", each, step)
                            .isEqualTo(expiry != null && expiry > now);
                }
            }
        }
    }
}
