package io.tern.server.signaling;

import io.tern.server.ServerHarness;
import io.tern.server.TernServer;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.SignalingConfig;
import io.tern.server.config.TurnConfig;
import io.tern.server.http.HttpListen;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** A real Tern (STUN/TURN on 127.0.0.1, HTTP on a free port) with signaling set up for a test. */
final class SignalingHarness implements AutoCloseable {
    final TernServer server;

    private SignalingHarness(TernServer server) {
        this.server = server;
    }

    /** Test defaults: the documented limits, but a 300 ms grace period and a 2 s idle timeout. */
    static SignalingConfig config() {
        return SignalingConfig.defaults().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(2));
    }

    static SignalingHarness start(SignalingConfig signaling) throws Exception {
        return start(signaling, ServerHarness.turnConfig());
    }

    static SignalingHarness start(SignalingConfig signaling, TurnConfig turn) throws Exception {
        ServerConfig config = ServerConfig.defaults()
                .withListening(List.of(InetAddress.getByName("127.0.0.1")), 0)
                .withThreads(1)
                .withTurn(turn)
                .withHttp(ServerHarness.HTTP_ANY_PORT)
                .withSignaling(signaling);
        return new SignalingHarness(ServerHarness.startRetrying(config));
    }

    /** {@code 127.0.0.1:PORT} of the operator listener. */
    String http() {
        return HttpListen.format(server.httpAddress());
    }

    InetSocketAddress httpAddress() {
        return server.httpAddress();
    }

    SignalClient connect() throws Exception {
        return SignalClient.connect(http());
    }

    @Override
    public void close() {
        server.close();
    }
}
