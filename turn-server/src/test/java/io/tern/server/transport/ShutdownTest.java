package io.tern.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.tls.CertificateAndKey;
import io.tern.testing.NettyLeakDetectionExtension;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the server while clients are connected: every accepted TCP and TLS connection is
 * closed before the event loops stop, so what their decoders hold is released. A partial frame is
 * the case that showed it: an HTTP request on a TURN-only TLS port reads as a ChannelData header
 * ("GE" is channel 0x4745) announcing 21 KB, and waits in the decoder for the rest; left for the
 * event loops' own shutdown to close, such a connection leaked the buffer.
 */
class ShutdownTest {
    @TempDir
    Path dir;

    /** Bytes that start a frame and never finish it: a STUN header announcing 100 more bytes. */
    private static final byte[] PARTIAL_STUN = {0x00, 0x01, 0x00, 0x64, 0x21, 0x12, (byte) 0xA4, 0x42};

    @Test
    void aPartialFrameOnAnOpenTcpConnectionIsReleasedWhenTheServerStops() throws Exception {
        for (int i = 0; i < 5; i++) {
            ServerHarness server = ServerHarness.startTurn();
            try (Socket socket =
                    new Socket(server.tcp().getAddress(), server.tcp().getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(PARTIAL_STUN);
                out.flush();
                Thread.sleep(100);
                server.close(); // the client is still connected
            }
            NettyLeakDetectionExtension.assertNoLeaks();
        }
    }

    @Test
    void aPartialHttpRequestOnTheOperatorPortIsReleasedWhenTheServerStops() throws Exception {
        for (int i = 0; i < 5; i++) {
            ServerHarness server = ServerHarness.startTurn();
            try (Socket socket =
                    new Socket(server.http().getAddress(), server.http().getPort())) {
                OutputStream out = socket.getOutputStream();
                // Headers without the blank line that ends them: the HTTP decoder holds them.
                out.write("POST /api/credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"us"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(100);
                server.close(); // the client is still connected
            }
            NettyLeakDetectionExtension.assertNoLeaks();
        }
    }

    @Test
    void anHttpRequestHeldOnATurnOnlyTlsPortIsReleasedWhenTheServerStops() throws Exception {
        CertificateAndKey certificate = CertificateAndKey.selfSigned("shutdown test", Duration.ofDays(1));
        certificate.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        javax.net.ssl.SSLContext trusting = ServerHarness.trusting(certificate.leaf());
        for (int i = 0; i < 5; i++) {
            ServerHarness server =
                    ServerHarness.startTls(TlsConfig.pem(0, dir.resolve("cert.pem"), dir.resolve("key.pem")));
            try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket()) {
                socket.connect(server.tls(), 5000);
                socket.startHandshake();
                socket.getOutputStream()
                        .write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(100);
                server.close(); // the client is still connected
            }
            NettyLeakDetectionExtension.assertNoLeaks();
        }
    }

    @Test
    void allocationsStillOpenEndWithTheirLineAndGiveTheirPortsBack() throws Exception {
        ServerHarness server = ServerHarness.startTurn();
        java.net.InetSocketAddress relayed;
        try (io.tern.client.StunClient client = io.tern.client.StunClient.builder(server.udp())
                .credentials(new io.tern.client.Credentials("alice", "secret"))
                .timeout(Duration.ofSeconds(5))
                .connect()
                .get(10, java.util.concurrent.TimeUnit.SECONDS)) {
            relayed = client.allocate()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS)
                    .relayedAddress();
            io.tern.server.metrics.ServerMetrics metrics = server.server().metrics();
            assertThat(Listeners.isUdpFree(relayed)).isFalse();
            server.close(); // the allocation is still open
            assertThat(metrics.allocationsEndedCount(io.tern.server.metrics.AllocationEnd.SHUTDOWN))
                    .isEqualTo(1);
        }
        assertThat(Listeners.isUdpFree(relayed))
                .as("the relay port, closed with the allocation")
                .isTrue();
        NettyLeakDetectionExtension.assertNoLeaks();
    }
}
