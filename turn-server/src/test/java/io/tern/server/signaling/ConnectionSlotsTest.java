package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * The per-source cap counts an IPv4 address or an IPv6 /64: a client with a whole /64 cannot pass
 * the cap by changing its address, while other networks, and IPv4 clients, have caps of their own.
 */
class ConnectionSlotsTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void everyAddressOfOneIpv6Slash64SharesOneCap() throws Exception {
        ConnectionSlots slots = new ConnectionSlots();
        assertThat(slots.acquire(ip("2001:db8:1:2::1"), 100, 2)).isNull();
        assertThat(slots.acquire(ip("2001:db8:1:2:ffff:ffff:ffff:fffe"), 100, 2))
                .isNull();
        assertThat(slots.acquire(ip("2001:db8:1:2:a:b:c:d"), 100, 2))
                .as("a third address in the same /64")
                .isEqualTo(UpgradeRefusal.MAX_CONNECTIONS_PER_IP);
        assertThat(slots.acquire(ip("2001:db8:1:3::1"), 100, 2))
                .as("the next /64 is another source")
                .isNull();

        slots.release(ip("2001:db8:1:2::1"));
        assertThat(slots.acquire(ip("2001:db8:1:2::99"), 100, 2))
                .as("a slot given back by any address of the /64 serves the others")
                .isNull();
    }

    @Test
    void ipv4AddressesCountOneByOneAndMappedFormsAsTheirIpv4Address() throws Exception {
        ConnectionSlots slots = new ConnectionSlots();
        assertThat(slots.acquire(ip("192.0.2.1"), 100, 1)).isNull();
        assertThat(slots.acquire(ip("192.0.2.2"), 100, 1)).isNull();
        // InetAddress.getByName turns ::ffff:192.0.2.1 into an Inet4Address itself; a dual-stack
        // socket's peer can still arrive as an Inet6Address of that form, made like this.
        byte[] mappedBytes = new byte[16];
        mappedBytes[10] = (byte) 0xff;
        mappedBytes[11] = (byte) 0xff;
        System.arraycopy(ip("192.0.2.1").getAddress(), 0, mappedBytes, 12, 4);
        InetAddress mapped = Inet6Address.getByAddress(null, mappedBytes, -1);
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        assertThat(ConnectionSlots.source(mapped)).isEqualTo(ip("192.0.2.1"));
        assertThat(slots.acquire(mapped, 100, 1)).isEqualTo(UpgradeRefusal.MAX_CONNECTIONS_PER_IP);
    }

    @Test
    void theTotalCapStillCountsEveryConnection() throws Exception {
        ConnectionSlots slots = new ConnectionSlots();
        assertThat(slots.acquire(ip("2001:db8::1"), 2, 10)).isNull();
        assertThat(slots.acquire(ip("2001:db8:0:1::1"), 2, 10)).isNull();
        assertThat(slots.acquire(ip("192.0.2.1"), 2, 10)).isEqualTo(UpgradeRefusal.MAX_CONNECTIONS);
        slots.release(ip("2001:db8::1"));
        assertThat(slots.acquire(ip("192.0.2.1"), 2, 10)).isNull();
    }
}
