package io.tern.load;

import io.tern.server.TernServer;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.TurnConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A real Tern server in the test's JVM on 127.0.0.1 (UDP and TCP on one free port, no HTTP),
 * relaying on 127.0.0.1 outside Linux's ephemeral range, user alice:secret, REST secret
 * "rest-secret", loopback peers allowed (the echo peer and the relayed addresses live on loopback).
 */
final class InProcessTern implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "secret";
    static final String REST_SECRET = "rest-secret";

    private final TernServer server;

    InProcessTern() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        TurnConfig turn = TurnConfig.defaults()
                .withRealm("tern.test")
                .withCredentials(List.of(USER + ":" + PASSWORD), List.of(REST_SECRET))
                .withRelays(List.of(loopback), List.of())
                .withPorts(21000, 22999)
                .withPeerPolicy(true, List.of(), List.of());
        server = TernServer.start(ServerConfig.defaults()
                .withListening(List.of(loopback), 0)
                .withThreads(2)
                .withTurn(turn)
                .withHttp(null));
    }

    /** "127.0.0.1:PORT": UDP and TCP listen on the same port. */
    String address() {
        InetSocketAddress udp = server.udpAddresses().get(0);
        return "127.0.0.1:" + udp.getPort();
    }

    long activeAllocations() {
        return server.metrics().allocationsActive();
    }

    /** Waits up to 3 s for the active allocation count to fall to zero, and returns it. */
    long activeAllocationsSettled() throws InterruptedException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (activeAllocations() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return activeAllocations();
    }

    @Override
    public void close() {
        server.close();
    }
}
