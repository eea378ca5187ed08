package io.tern.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Message size, rate and idle limits. */
class LimitsTest {
    @Test
    void aFrameOverTheLimitClosesWith1009() throws Exception {
        try (SignalingHarness server =
                        SignalingHarness.start(SignalingHarness.config().withLimits(8, 10, 1024, 50));
                SignalClient c = server.connect()) {
            c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(900) + "\"}");
            c.next("pong");
            c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(1100) + "\"}");
            assertThat(c.closeStatus()).isEqualTo(1009);
        }
    }

    @Test
    void aMessageOverTheLimitInContinuationFramesClosesWith1009() throws Exception {
        try (SignalingHarness server =
                        SignalingHarness.start(SignalingHarness.config().withLimits(8, 10, 1024, 50));
                SignalClient c = server.connect()) {
            c.sendFragmented("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(300), "x".repeat(300) + "\"}");
            c.next("pong");
            c.sendFragmented("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(600), "x".repeat(600) + "\"}");
            assertThat(c.closeStatus()).isEqualTo(1009);
        }
    }

    @Test
    void messagesOverTheRateAreDroppedWithRateLimited() throws Exception {
        int rate = 5;
        try (SignalingHarness server =
                        SignalingHarness.start(SignalingHarness.config().withLimits(8, 10, 65536, rate));
                SignalClient c = server.connect()) {
            int sent = 40;
            long start = System.nanoTime();
            for (int i = 0; i < sent; i++) {
                c.send("{\"type\":\"ping\"}");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int pongs = 0;
            int limited = 0;
            for (int i = 0; i < sent; i++) {
                JsonNode m = c.next();
                if (m.path("type").asText().equals("pong")) {
                    pongs++;
                } else {
                    assertThat(m.path("code").asText()).isEqualTo("rate-limited");
                    limited++;
                }
            }
            // A burst of 2 x rate, plus what refilled while sending.
            assertThat(pongs).isBetween(2 * rate, 2 * rate + 1 + (int) Math.ceil(seconds * rate));
            assertThat(limited).isEqualTo(sent - pongs);
            Thread.sleep(1000 / rate + 50);
            c.send("{\"type\":\"ping\"}");
            c.next("pong");
        }
    }

    @Test
    void aClientThatAnswersPingsOutlivesTheIdleTimeout() throws Exception {
        try (SignalingHarness server = SignalingHarness.start(
                        SignalingHarness.config().withTimeouts(Duration.ofMillis(300), Duration.ofMillis(400)));
                SignalClient c = server.connect()) {
            // The JDK client answers WebSocket pings by itself.
            assertThat(c.drain(1200)).isEmpty();
            assertThat(c.isClosed()).isFalse();
            c.send("{\"type\":\"ping\"}");
            c.next("pong");
        }
    }

    @Test
    void aSilentClientIsPingedThenClosed() throws Exception {
        try (SignalingHarness server = SignalingHarness.start(
                        SignalingHarness.config().withTimeouts(Duration.ofMillis(300), Duration.ofMillis(600)));
                Socket raw = new Socket(
                        server.httpAddress().getAddress(), server.httpAddress().getPort())) {
            raw.setSoTimeout(5000);
            OutputStream out = raw.getOutputStream();
            long start = System.nanoTime();
            out.write(("GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = raw.getInputStream();
            String headers = readHeaders(in);
            assertThat(headers).startsWith("HTTP/1.1 101");
            List<int[]> frames = new java.util.ArrayList<>();
            int closeStatus = -1;
            while (true) {
                int b0 = in.read();
                if (b0 < 0) {
                    break;
                }
                int length = in.read() & 0x7F; // server frames are unmasked; control frames < 126 bytes
                byte[] payload = in.readNBytes(length);
                frames.add(new int[] {b0 & 0x0F, length});
                if ((b0 & 0x0F) == 0x8) {
                    closeStatus = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e6;
            assertThat(frames.get(0)[0]).as("first a ping").isEqualTo(0x9);
            assertThat(frames.get(frames.size() - 1)[0]).as("then a close").isEqualTo(0x8);
            assertThat(closeStatus).isEqualTo(1001);
            assertThat(elapsed)
                    .as("closed after the idle timeout, not long after")
                    .isBetween(600.0, 3000.0);
        }
    }

    private static String readHeaders(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
