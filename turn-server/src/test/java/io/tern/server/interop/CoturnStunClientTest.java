package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.ServerConfig.IoTransport;
import io.tern.stun.StunMethod;
import org.junit.jupiter.api.Test;

/** coturn's turnutils_stunclient (Debian package coturn) against Tern on loopback. */
class CoturnStunClientTest {
    private static final String STUNCLIENT = "/usr/bin/turnutils_stunclient";

    @Test
    void getsItsReflexiveAddressOverUdp() throws Exception {
        ExternalTool.require(STUNCLIENT, "coturn");
        try (ServerHarness harness = ServerHarness.start(IoTransport.AUTO)) {
            // It never times out by itself and exits 0 even on failure, hence the limit and the parse.
            ExternalTool.Result r = ExternalTool.run(
                    10, STUNCLIENT, "-p", String.valueOf(harness.udp().getPort()), "127.0.0.1");
            assertThat(r.output()).containsPattern("UDP reflexive addr: 127\\.0\\.0\\.1:\\d+");
            assertThat(harness.server().metrics().successCount(StunMethod.BINDING))
                    .isPositive();
        }
    }

    @Test
    void getsItsReflexiveAddressOverIpv6() throws Exception {
        ExternalTool.require(STUNCLIENT, "coturn");
        try (ServerHarness harness = ServerHarness.start(IoTransport.AUTO, "::1")) {
            ExternalTool.Result r = ExternalTool.run(
                    10, STUNCLIENT, "-p", String.valueOf(harness.udp().getPort()), "::1");
            assertThat(r.output()).containsPattern("UDP reflexive addr: ::1:\\d+");
        }
    }
}
