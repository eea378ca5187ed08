package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tern.server.ServerHarness;
import io.tern.server.config.TurnConfig;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * coturn's turnutils_uclient asking Tern for IPv6 relays: {@code -x} (REQUESTED-ADDRESS-FAMILY
 * IPv6) against a server on ::1, and {@code -Z} (dual allocation, RFC 8656 §7.2) against a server
 * on 127.0.0.1 relaying on 127.0.0.1 and ::1. Every message must come back.
 */
class CoturnUclientIpv6Test {
    private static boolean hasIpv6Loopback() {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static TurnConfig relayingOn(String... ips) throws Exception {
        List<InetAddress> relays = new java.util.ArrayList<>();
        for (String ip : ips) {
            relays.add(InetAddress.getByName(ip));
        }
        return ServerHarness.turnConfig().withRelays(relays, List.of());
    }

    @Test
    void relaysThroughAnIpv6RelayWithoutLoss() throws Exception {
        Uclient.require();
        assumeTrue(hasIpv6Loopback(), "no ::1 on this machine");
        try (ServerHarness server = ServerHarness.startTurn(relayingOn("::1"), "::1");
                Uclient.EchoPeer peer = Uclient.EchoPeer.start("::1", 32700, 32760)) {
            ExternalTool.Result r = Uclient.run(
                    "::1",
                    server.udp().getPort(),
                    "::1",
                    peer.port(),
                    List.of("-u", "alice", "-w", "secret", "-x", "-c", "-m", "1", "-n", "50", "-l", "200"));
            Uclient.assertNoLoss(r);
            assertThat(server.server().metrics().packetsToPeers()).isGreaterThanOrEqualTo(50);
        }
    }

    @Test
    void relaysThroughADualAllocationWithoutLoss() throws Exception {
        Uclient.require();
        assumeTrue(hasIpv6Loopback(), "no ::1 on this machine");
        // The tool prints only the first relayed address; the server's log line names both.
        Logger allocations = (Logger) LoggerFactory.getLogger("io.tern.server.turn.AllocateHandler");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Level level = allocations.getLevel();
        allocations.setLevel(Level.INFO);
        allocations.addAppender(log);
        try (ServerHarness server = ServerHarness.startTurn(relayingOn("127.0.0.1", "::1"), "127.0.0.1");
                Uclient.EchoPeer peer = Uclient.EchoPeer.start("127.0.0.1", 32700, 32760)) {
            ExternalTool.Result r = Uclient.run(
                    "127.0.0.1",
                    server.udp().getPort(),
                    "127.0.0.1",
                    peer.port(),
                    List.of("-u", "alice", "-w", "secret", "-Z", "-m", "1", "-n", "50", "-l", "200"));
            Uclient.assertNoLoss(r);
            assertThat(log.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .filteredOn(m -> m.startsWith("allocated "))
                    .isNotEmpty()
                    .allMatch(m -> m.contains("/127.0.0.1:") && m.contains(" + /[0:0:0:0:0:0:0:1]:"));
        } finally {
            allocations.detachAppender(log);
            allocations.setLevel(level);
        }
    }
}
