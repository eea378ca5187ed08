package io.tern.server.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.metrics.DtlsDrop;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.tls.ServerTls;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The cap on handshakes in progress, on a real UDP socket with the real session table: beyond it
 * a ClientHello makes no state and gets no answer, and is counted; a slot freed by a completed
 * handshake takes the next client.
 */
class DtlsHandshakeLimitTest {
    /** Echoes each message back through its session. */
    private static final class Echo implements DtlsApplication {
        @Override
        public void onMessage(ChannelHandlerContext listener, DtlsSession session, ByteBuf message) {
            session.seal(message.retainedDuplicate());
        }

        @Override
        public void onReadComplete() {}

        @Override
        public void onClosed(ChannelHandlerContext listener, DtlsSession session) {}
    }

    @Test
    void clientHellosBeyondTheCapAreDroppedAndCounted() throws Exception {
        ServerTls tls = ServerTls.create(TlsConfig.devSelfSigned(0));
        ServerDtls dtls = ServerDtls.create(tls, 2);
        ServerMetrics metrics = new ServerMetrics();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel socket = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .handler(new DtlsSessions(dtls, new Echo(), metrics, 2048, 300, 10))
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .sync()
                    .channel();
            InetSocketAddress server = (InetSocketAddress) socket.localAddress();
            try (DtlsClient a = DtlsClient.open(server, tls.certificate());
                    DtlsClient b = DtlsClient.open(server, tls.certificate());
                    DtlsClient c = DtlsClient.open(server, tls.certificate())) {
                a.sendClientHelloOnly();
                assertThat(ServerHarness.receive(a.socket(), 2000))
                        .as("a's HelloVerifyRequest")
                        .isNotNull();
                b.sendClientHelloOnly();
                assertThat(ServerHarness.receive(b.socket(), 2000))
                        .as("b's HelloVerifyRequest")
                        .isNotNull();
                c.sendClientHelloOnly();
                assertThat(ServerHarness.receive(c.socket(), 500))
                        .as("c, over the cap")
                        .isNull();
                assertThat(metrics.dtlsDropCount(DtlsDrop.HANDSHAKE_LIMIT)).isEqualTo(1);
                assertThat(metrics.dtlsHandshaking()).isEqualTo(2);

                // a completes its handshake on the slot it holds; its slot goes to the next client.
                a.handshake(5000);
                byte[] hello = "echo".getBytes(StandardCharsets.US_ASCII);
                a.send(hello);
                assertThat(a.receive(2000)).isEqualTo(hello);
                assertThat(metrics.dtlsHandshaking()).isEqualTo(1);
                try (DtlsClient d = DtlsClient.connect(server, tls.certificate())) {
                    d.send(hello);
                    assertThat(d.receive(2000)).isEqualTo(hello);
                }
                assertThat(metrics.dtlsDropCount(DtlsDrop.HANDSHAKE_LIMIT)).isEqualTo(1);
            }
            socket.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .sync();
        }
    }
}
