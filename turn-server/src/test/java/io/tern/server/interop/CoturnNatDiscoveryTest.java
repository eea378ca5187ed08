package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.ServerConfig;
import io.tern.server.metrics.Rfc5780Answer;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * coturn's turnutils_natdiscovery (Debian package coturn) against Tern with RFC 5780 on
 * 127.0.0.1 and 127.0.0.2. On loopback there is no NAT, so the tool must find endpoint-independent
 * mapping and filtering: the filtering test passes only if the answer to CHANGE-REQUEST (change IP
 * and port) reaches it from 127.0.0.2 and the other port.
 */
class CoturnNatDiscoveryTest {
    private static final String NATDISCOVERY = "/usr/bin/turnutils_natdiscovery";

    @Test
    void findsEndpointIndependentMappingAndFiltering() throws Exception {
        ExternalTool.require(NATDISCOVERY, "coturn");
        ServerConfig config = ServerConfig.defaults()
                .withListening(List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")), 0)
                .withThreads(2)
                .withHttp(ServerHarness.HTTP_ANY_PORT)
                .withRfc5780(true, 0);
        try (ServerHarness harness = ServerHarness.start(config)) {
            String port = String.valueOf(harness.udp().getPort());
            // It waits 3 s for an answer that does not come; the limit covers every test timing out.
            ExternalTool.Result r = ExternalTool.run(30, NATDISCOVERY, "-m", "-f", "-p", port, "127.0.0.1");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output())
                    .as(r.output())
                    .contains("RFC 5780 response")
                    .containsPattern(
                            "Other addr: : 127\\.0\\.0\\.2:" + (harness.udp().getPort() + 1))
                    .containsPattern("Response origin: : 127\\.0\\.0\\.1:" + port)
                    .containsPattern("Response origin: : 127\\.0\\.0\\.2:" + port)
                    // The filtering test's CHANGE-REQUEST (IP and port) answer says where it came from.
                    .containsPattern("Response origin: : 127\\.0\\.0\\.2:"
                            + (harness.udp().getPort() + 1))
                    .contains("NAT with Endpoint Independent Mapping!")
                    .contains("NAT with Endpoint Independent Filtering!")
                    .doesNotContain("STUN receive timeout")
                    .doesNotContain("Dependent");
            assertThat(harness.server().metrics().rfc5780AnswerCount(Rfc5780Answer.CHANGED_SOURCE))
                    .isPositive();
        }
    }
}
