package io.tern.server.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The address table against a HashMap of the JDK's addresses, through growth and removals. */
class AddressTableTest {
    @Test
    void agreesWithAHashMapThroughRandomPutsAndRemovals() {
        Random random = new Random(8656);
        List<InetSocketAddress> pool = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Few distinct IPs and ports, so that probe runs collide and removals re-seat them.
            String ip = random.nextBoolean() ? "10.0.0." + random.nextInt(8) : "2001:db8::" + random.nextInt(8);
            pool.add(new InetSocketAddress(ip, 3478 + random.nextInt(6)));
        }
        AddressTable<Integer> table = new AddressTable<>();
        Map<InetSocketAddress, Integer> expected = new HashMap<>();
        UdpSource probe = new UdpSource();
        for (int step = 0; step < 20_000; step++) {
            InetSocketAddress a = pool.get(random.nextInt(pool.size()));
            if (random.nextInt(3) == 0) {
                Integer current = expected.get(a);
                assertThat(table.remove(UdpAddress.of(a), current)).isEqualTo(current != null);
                expected.remove(a);
            } else {
                // remove() compares values by identity, as the allocation table needs: box once.
                Integer value = step;
                table.put(UdpAddress.of(a), value);
                expected.put(a, value);
            }
            if (step % 97 == 0) {
                for (InetSocketAddress each : pool) {
                    probe.set(each);
                    assertThat(table.get(probe)).as("%s at step %d", each, step).isEqualTo(expected.get(each));
                }
                assertThat(table.size()).isEqualTo(expected.size());
            }
        }
    }

    @Test
    void removeTakesOnlyTheValueItIsGiven() {
        AddressTable<String> table = new AddressTable<>();
        UdpAddress a = UdpAddress.of(new InetSocketAddress("192.0.2.1", 5000));
        table.put(a, "first");
        assertThat(table.remove(a, "another")).isFalse();
        assertThat(table.get(a)).isEqualTo("first");
        assertThat(table.remove(a, "first")).isTrue();
        assertThat(table.get(a)).isNull();
    }

    @Test
    void anIpv4AddressAndItsMappedIpv6FormAreTheSameClient() {
        AddressTable<String> table = new AddressTable<>();
        table.put(UdpAddress.of(new InetSocketAddress("192.0.2.1", 5000)), "v4");
        UdpSource mapped = new UdpSource();
        mapped.set(0, UdpEndpoint.mappedIpv4(0xC0000201), 5000);
        assertThat(table.get(mapped)).isEqualTo("v4");
        mapped.set(0, UdpEndpoint.mappedIpv4(0xC0000201), 5001);
        assertThat(table.get(mapped)).isNull();
    }
}
