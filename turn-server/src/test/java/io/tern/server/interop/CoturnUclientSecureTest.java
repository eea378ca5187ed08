package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.tls.CertificateAndKey;
import io.tern.server.transport.ClientTransport;
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
 * coturn's turnutils_uclient over TLS ({@code -S -t}: TLS over TCP to the TLS port, UDP relay) and
 * over DTLS ({@code -S} without {@code -t}: DTLS over UDP to the same port number) to
 * turnutils_peer, with zero loss. The server reads an RSA certificate and key written as PEM files
 * into a temporary directory; {@code -E} has uclient check the certificate against it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoturnUclientSecureTest {
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
        // Relay and peer ports of their own, below Linux's ephemeral range and the other tests'.
        harness = ServerHarness.startTls(
                TlsConfig.pem(0, certFile, keyFile), ServerHarness.turnConfig().withPorts(16000, 18999));
        peer = Uclient.EchoPeer.start(19000, 19998);
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
                "channels over TLS                   | TLS  | -S -t -u alice -w secret -c -m 1 -n 50 -l 200",
                "Send indications over TLS           | TLS  | -S -t -u alice -w secret -s -m 1 -n 50 -l 200",
                "five TLS clients, padded channels   | TLS  | -S -t -u alice -w secret -c -D -m 5 -n 50 -l 101",
                "REST credentials over TLS           | TLS  | -S -t -u alice -W rest-secret -c -m 1 -n 50 -l 200",
                "TLS with certificate check (-E)     | TLS  | -S -t -u alice -w secret -c -m 1 -n 50 -l 200 -E CERT",
                "channels over DTLS                  | DTLS | -S -u alice -w secret -c -m 1 -n 50 -l 200",
                "Send indications over DTLS          | DTLS | -S -u alice -w secret -s -m 1 -n 50 -l 200",
                "five DTLS clients                   | DTLS | -S -u alice -w secret -c -m 5 -n 50 -l 101",
                "REST credentials over DTLS          | DTLS | -S -u alice -W rest-secret -c -m 1 -n 50 -l 200",
                "DTLS with certificate check (-E)    | DTLS | -S -u alice -w secret -c -m 1 -n 50 -l 200 -E CERT",
            })
    void relaysEveryMessageWithoutLoss(String scenario, ClientTransport transport, String options) throws Exception {
        List<String> args = new ArrayList<>();
        for (String o : options.trim().split("\\s+")) {
            args.add(o.equals("CERT") ? certFile.toString() : o);
        }
        long before = harness.server().metrics().packetsToPeers(transport.ordinal());
        int port = transport == ClientTransport.DTLS
                ? harness.server().dtlsAddresses().get(0).getPort()
                : harness.tls().getPort();
        ExternalTool.Result r = Uclient.run(port, peer.port(), args);
        System.out.println(scenario + ": " + Uclient.assertNoLoss(r));
        // It really went over TLS or DTLS: uclient names the protocol, and the server counted the
        // relayed packets under that transport.
        assertThat(r.output()).containsPattern(transport == ClientTransport.DTLS ? "DTLSv1\\.2" : "TLSv1\\.[23]");
        assertThat(harness.server().metrics().packetsToPeers(transport.ordinal()))
                .isGreaterThan(before);
    }
}
