package io.tern.server.turn;

import static io.tern.server.turn.TurnTesting.await;
import static io.tern.server.turn.TurnTesting.client;
import static io.tern.server.turn.TurnTesting.errorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.uring.IoUring;
import io.tern.client.StunClient;
import io.tern.client.TransportProtocol;
import io.tern.server.ServerHarness;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.TurnConfig;
import io.tern.stun.integrity.PasswordAlgorithm;
import io.tern.testing.NettyLeakDetectionExtension;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What io_uring does differently from epoll and Tern has to allow for: a socket's close completes
 * asynchronously, through the ring, after its pending reads are cancelled. (The rest of the TURN
 * suite runs on io_uring with {@code -Dtern.test.io-transport=IO_URING}.)
 */
class IoUringTransportTest {
    @BeforeEach
    void needsIoUring() {
        assumeTrue(IoUring.isAvailable(), () -> "no io_uring here: " + IoUring.unavailabilityCause());
    }

    private static ServerHarness start(TurnConfig turn) throws Exception {
        ServerHarness server = ServerHarness.start(ServerConfig.defaults()
                .withListening(List.of(InetAddress.getByName("127.0.0.1")), 0)
                .withThreads(2)
                .withTurn(turn)
                .withHttp(ServerHarness.HTTP_ANY_PORT)
                .withTransports(true, true, ServerConfig.IoTransport.IO_URING));
        assertThat(server.server().ioTransport()).isEqualTo("io_uring");
        return server;
    }

    /**
     * Relay sockets still open at shutdown are closed before the event loops stop: Netty drops
     * the pending reads of a socket left to the ring's teardown without releasing their buffer
     * (seen here about once in 15 shutdowns before the fix).
     */
    @Test
    void stoppingWithAllocationsOpenLeaksNoBuffer() throws Exception {
        int leaks = 0;
        for (int i = 0; i < 15; i++) {
            ServerHarness server = start(ServerHarness.turnConfig());
            try (StunClient alice = client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256)) {
                await(alice.allocate());
                server.close();
            }
            leaks += NettyLeakDetectionExtension.collectLeaks().size();
        }
        assertThat(leaks).as("leaked buffers over 15 shutdowns").isZero();
    }

    /**
     * A deleted allocation's port is given back once its socket is really closed, a moment after
     * the answer to the Refresh: given back earlier, the next Allocate's bind failed with
     * EADDRINUSE and the port stayed out of rotation for {@link AllocateHandler#BUSY_PORT_SECONDS}.
     * With one relay port, delete and allocate again, repeatedly, each within a second.
     */
    @Test
    void aDeletedAllocationsPortIsBoundAgainWithinASecond() throws Exception {
        int port = QuotaTest.freePortPair();
        try (ServerHarness server = start(ServerHarness.turnConfig().withPorts(port, port));
                StunClient alice = client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256);
                StunClient bob = client(server, TransportProtocol.UDP, PasswordAlgorithm.SHA_256)) {
            for (int i = 0; i < 20; i++) {
                StunClient holder = i % 2 == 0 ? alice : bob;
                assertThat(allocateWithinASecond(holder)).isEqualTo(port);
                assertThat(errorCode((i % 2 == 0 ? bob : alice).allocate())).isEqualTo(508);
                await(holder.refresh(Duration.ZERO));
            }
        }
    }

    private static int allocateWithinASecond(StunClient client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (true) {
            try {
                return await(client.allocate()).relayedAddress().getPort();
            } catch (AssertionError stillClosing) {
                if (System.nanoTime() > deadline) {
                    throw stillClosing;
                }
                Thread.sleep(5);
            }
        }
    }
}
