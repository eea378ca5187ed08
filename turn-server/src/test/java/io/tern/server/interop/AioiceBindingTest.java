package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.ServerConfig.IoTransport;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * aioice (the ICE library behind aiortc; Debian python3-aioice) sends Binding requests through its
 * own STUN transaction code and parses Tern's answers with its own parser, which checks
 * FINGERPRINT. The script prints one line per transport: {@code <transport> OK <mapped> <local>}.
 */
class AioiceBindingTest {
    @Test
    void aioiceGetsItsMappedAddressOverUdpAndTcp() throws Exception {
        ExternalTool.requirePythonModule("aioice", "python3-aioice");
        Path script = Path.of(Objects.requireNonNull(getClass().getResource("/interop/aioice_binding.py"))
                .toURI());
        try (ServerHarness harness = ServerHarness.start(IoTransport.AUTO)) {
            ExternalTool.Result r = ExternalTool.run(
                    20,
                    "/usr/bin/python3",
                    script.toString(),
                    "127.0.0.1",
                    String.valueOf(harness.udp().getPort()),
                    String.valueOf(harness.tcp().getPort()));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).containsPattern("(?m)^udp OK (127\\.0\\.0\\.1:\\d+) \\1$");
            assertThat(r.output()).containsPattern("(?m)^tcp OK (127\\.0\\.0\\.1:\\d+) \\1$");
        }
    }
}
