package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.tls.CertificateAndKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * coturn's turnutils_uclient over TLS ({@code -S -t}: TLS over TCP to the server, UDP relay) to
 * turnutils_peer. The server reads a certificate and key written as PEM files into a temporary
 * directory; uclient does not verify the certificate unless given a CA file (-E), which it is here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoturnUclientTlsTest {
    @TempDir
    static Path dir;

    private ServerHarness harness;
    private Uclient.EchoPeer peer;
    private Path certFile;

    @BeforeAll
    void start() throws Exception {
        Uclient.require();
        certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        CertificateAndKey.selfSignedRsa("localhost", Duration.ofDays(1)).writePem(certFile, keyFile);
        harness = ServerHarness.startTls(TlsConfig.pem(0, certFile, keyFile));
        // Outside CoturnUclientTest's peer range and below the ephemeral one.
        peer = Uclient.EchoPeer.start(32000, 32700);
    }

    @AfterAll
    void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "channels over TLS                 | -S -t -u alice -w secret -c -m 1 -n 50 -l 200",
                "Send indications over TLS         | -S -t -u alice -w secret -s -m 1 -n 50 -l 200",
                "five TLS clients, padded channels | -S -t -u alice -w secret -c -D -m 5 -n 50 -l 101",
                "REST credentials over TLS         | -S -t -u alice -W rest-secret -c -m 1 -n 50 -l 200",
                "TLS with certificate check (-E)   | -S -t -u alice -w secret -c -m 1 -n 50 -l 200 -E CERT",
            })
    void relaysEveryMessageWithoutLossOverTls(String scenario, String options) throws Exception {
        List<String> args = new ArrayList<>();
        for (String o : options.trim().split("\\s+")) {
            args.add(o.equals("CERT") ? certFile.toString() : o);
        }
        ExternalTool.Result r = Uclient.run(harness.tls().getPort(), peer.port(), args);
        Uclient.assertNoLoss(r);
        // It really went over the TLS listener, not plain TCP.
        assertThat(r.output()).containsPattern("TLSv1\\.[23]");
    }
}
