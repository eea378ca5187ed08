package io.tern.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.tls.CertificateAndKey;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final String UCLIENT = "/usr/bin/turnutils_uclient";
    private static final String PEER = "/usr/bin/turnutils_peer";
    private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");

    @TempDir
    static Path dir;

    private ServerHarness harness;
    private Process peer;
    private int peerPort;
    private Path certFile;

    @BeforeAll
    void start() throws Exception {
        ExternalTool.require(UCLIENT, "coturn");
        ExternalTool.require(PEER, "coturn");
        certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        CertificateAndKey.selfSignedRsa("localhost", Duration.ofDays(1)).writePem(certFile, keyFile);
        harness = ServerHarness.startTls(TlsConfig.pem(0, certFile, keyFile));
        peerPort = freeUdpPortPair();
        peer = new ProcessBuilder(PEER, "-L", "127.0.0.1", "-p", String.valueOf(peerPort))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread.sleep(300);
    }

    @AfterAll
    void stop() throws Exception {
        if (peer != null) {
            peer.destroy();
            peer.waitFor();
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
        List<String> cmd = new ArrayList<>(
                List.of(UCLIENT, "-p", String.valueOf(harness.tls().getPort())));
        for (String o : options.trim().split("\\s+")) {
            cmd.add(o.equals("CERT") ? certFile.toString() : o);
        }
        cmd.addAll(List.of("-e", "127.0.0.1", "-r", String.valueOf(peerPort), "127.0.0.1"));
        ExternalTool.Result r = ExternalTool.run(60, cmd.toArray(new String[0]));
        Matcher totals = lastMatch(TOTALS, r.output());
        assertThat(totals).as("no totals in:\n%s", r.output()).isNotNull();
        long sent = Long.parseLong(totals.group(1));
        long received = Long.parseLong(totals.group(2));
        System.out.println("uclient " + scenario.trim() + ": " + totals.group());
        assertThat(sent).as(r.output()).isPositive();
        assertThat(received).as(r.output()).isEqualTo(sent);
        Matcher lost = lastMatch(LOST, r.output());
        assertThat(lost).as(r.output()).isNotNull();
        assertThat(Long.parseLong(lost.group(1))).isZero();
        // It really went over the TLS listener, not plain TCP.
        assertThat(r.output()).containsPattern("TLSv1\\.[23]");
    }

    private static Matcher lastMatch(Pattern p, String text) {
        Matcher m = p.matcher(text);
        Matcher last = null;
        while (m.find()) {
            last = p.matcher(text);
            last.find(m.start());
        }
        return last;
    }

    /** A port P with P and P+1 free for UDP, outside CoturnUclientTest's range and the ephemeral one. */
    private static int freeUdpPortPair() throws Exception {
        for (int port = 32000; port < 32700; port += 2) {
            try (DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
                    DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.1", port + 1))) {
                return port;
            } catch (java.net.SocketException taken) {
                // try the next pair
            }
        }
        throw new IllegalStateException("no free UDP port pair in 32000-32699");
    }
}
