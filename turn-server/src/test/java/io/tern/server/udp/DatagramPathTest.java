package io.tern.server.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig.IoTransport;
import io.tern.server.transport.IoTransports;
import org.junit.jupiter.api.Test;

/**
 * Which datagram path a server runs on, so the suite cannot pass on the wrong one: AUTO takes
 * Tern's own where it runs ({@code run-tests} on Java 22+ says it must), EPOLL keeps Netty's (the
 * {@code netty-datagrams} run of the relay tests), and NATIVE refuses to start where it cannot run.
 */
class DatagramPathTest {
    @Test
    void theHarnessServerRunsOnThePathThisRunAskedFor() throws Exception {
        String forced = System.getProperty(ServerHarness.IO_TRANSPORT_PROPERTY, "");
        try (ServerHarness harness = ServerHarness.startTurn()) {
            String io = harness.server().ioTransport();
            if (forced.equalsIgnoreCase("EPOLL")) {
                assertThat(io).isEqualTo("epoll");
            } else if (Boolean.getBoolean("tern.requireNativeUdp")) {
                assertThat(io).isEqualTo("epoll with native datagrams");
            } else {
                assertThat(io).isEqualTo(NativeUdp.unavailability() == null ? "epoll with native datagrams" : "epoll");
            }
        }
    }

    @Test
    void nativeIsRefusedWithTheReasonWhereItCannotRunAndChosenWhereItCan() {
        String why = NativeUdp.unavailability();
        if (why == null) {
            assertThat(IoTransports.select(IoTransport.NATIVE).nativeUdp()).isNotNull();
        } else {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> IoTransports.select(IoTransport.NATIVE))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("io-transport")
                    .hasMessageContaining(why);
        }
        assertThat(IoTransports.select(IoTransport.EPOLL).nativeUdp()).isNull();
    }
}
