package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A signaling client on the JDK's own WebSocket (java.net.http): what the server receives is what
 * any RFC 6455 client sends. Messages arrive in a queue; {@link #next} waits for one.
 */
final class SignalClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private SignalClient(String url) throws Exception {
        socket = HTTP.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), new Listener())
                .get(15, TimeUnit.SECONDS);
    }

    /** Connects to {@code ws://host:port/signal}. */
    static SignalClient connect(String hostAndPort) throws Exception {
        return new SignalClient("ws://" + hostAndPort + "/signal");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    inbox.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new AssertionError("server sent invalid JSON: " + partial, e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }

    void send(String json) throws Exception {
        socket.sendText(json, true).get(5, TimeUnit.SECONDS);
    }

    /** Sends one message in two frames (a text frame and a continuation frame). */
    void sendFragmented(String first, String rest) throws Exception {
        socket.sendText(first, false).get(5, TimeUnit.SECONDS);
        socket.sendText(rest, true).get(5, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] bytes) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).get(5, TimeUnit.SECONDS);
    }

    /** The next message; fails after 5 s. */
    JsonNode next() throws InterruptedException {
        JsonNode m = inbox.poll(5, TimeUnit.SECONDS);
        assertThat(m).as("a message from the server within 5 s").isNotNull();
        return m;
    }

    /** The next message, which must have this type. */
    JsonNode next(String type) throws InterruptedException {
        JsonNode m = next();
        assertThat(m.path("type").asText()).as("type of " + m).isEqualTo(type);
        return m;
    }

    /** The next message, which must be an error with this code. */
    JsonNode error(String code) throws InterruptedException {
        JsonNode m = next("error");
        assertThat(m.path("code").asText()).as("code of " + m).isEqualTo(code);
        return m;
    }

    /** Whatever arrives within {@code millis}; for checks that nothing was delivered. */
    List<JsonNode> drain(long millis) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode m = inbox.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (m == null) {
                return out;
            }
            out.add(m);
        }
    }

    /** Joins {@code room} as {@code name} and returns {@code joined}. */
    JsonNode join(String room, String name) throws Exception {
        send("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"" + name + "\"}");
        return next("joined");
    }

    /** The close status the server sent; fails when the socket is not closed within 5 s. */
    int closeStatus() throws Exception {
        return closed.get(5, TimeUnit.SECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close handshake: a lost socket, as when a laptop goes offline. */
    void drop() {
        socket.abort();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
