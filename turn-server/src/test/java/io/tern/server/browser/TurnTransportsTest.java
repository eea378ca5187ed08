package io.tern.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tern.server.tls.CertificateAndKey;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chromium's TURN client over each stream transport Tern offers, relay-only, one transport at a
 * time ({@code --signal-ice-url} hands out exactly one URL): {@code turns:} (TURN over TLS) and
 * {@code turn:...?transport=tcp}. Two browsers in their own namespaces connect relay/relay and
 * video flows both ways; nftables counters in Tern's namespace show which port carried it.
 *
 * <p>The TLS Tern (198.18.0.1) is the one-port deployment: the page, its {@code wss://} signaling
 * and the TURN/TLS media all go to {@code 198.18.0.1:5349} ({@code --tls-web}).
 *
 * <p>Trusting Tern's certificate: the test makes a self-signed certificate naming 198.18.0.1 and
 * passes Chromium {@code --ignore-certificate-errors-spki-list=<base64 SHA-256 of its
 * SubjectPublicKeyInfo>}. Chromium's WebRTC TURN/TLS socket (made in the network service, which
 * verifies it with the same certificate verifier as page loads) honours that allowlist, so one
 * flag covers the page, the WebSocket and TURN, and only for this one key. Measured with
 * Chromium 156: without a flag Chromium refuses the certificate and gathers no relay candidate
 * (a test below keeps that true); {@code --ignore-certificate-errors} works too but trusts
 * everything; Playwright's {@code ignoreHTTPSErrors} (a per-page DevTools setting) does not reach
 * the TURN socket, the call never connects. No NSS database ({@code certutil}) is needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TurnTransportsTest {
    private static final String TLS_ADDRESS = TestNet.PUBLIC_ADDRESS;
    private static final String TCP_ADDRESS = "198.18.0.2";
    private static final int NO_CONNECTION_BOUND_MS = 8_000;
    private static final Pattern COUNTER = Pattern.compile("packets (\\d+) bytes (\\d+)");

    /**
     * Counts what the browsers (on the bridge) send to each Tern's ports: named counters
     * {@code a1_tls}, {@code a1_tcp}, {@code a1_udp}, {@code a1_http} for 198.18.0.1 and
     * {@code a2_...} for 198.18.0.2. The test's own /metrics reads come over lo and are not counted.
     */
    private static final String COUNTERS = """
            table inet tern_count {
              counter a1_tls {}
              counter a1_tcp {}
              counter a1_udp {}
              counter a1_http {}
              counter a2_tls {}
              counter a2_tcp {}
              counter a2_udp {}
              chain input {
                type filter hook input priority filter; policy accept;
                iifname != "br0" accept
                ip daddr 198.18.0.1 tcp dport 5349 counter name "a1_tls"
                ip daddr 198.18.0.1 tcp dport 3478 counter name "a1_tcp"
                ip daddr 198.18.0.1 udp dport 3478 counter name "a1_udp"
                ip daddr 198.18.0.1 tcp dport 9641 counter name "a1_http"
                ip daddr 198.18.0.2 tcp dport 5349 counter name "a2_tls"
                ip daddr 198.18.0.2 tcp dport 3478 counter name "a2_tcp"
                ip daddr 198.18.0.2 udp dport 3478 counter name "a2_udp"
              }
            }
            """;

    @TempDir
    static Path dir;

    private TestNet net;
    private final List<String> clients = new ArrayList<>();
    private String spki;
    private TernInNamespace tls;
    private TernInNamespace tcp;

    @BeforeAll
    void start() throws Exception {
        BrowserDriver.requirePrerequisites();
        net = TestNet.create();
        net.addPublicAddress(TCP_ADDRESS);
        clients.add(net.client("ada", 11));
        clients.add(net.client("lin", 12));
        net.nft(net.pub(), COUNTERS);
        Path cert = dir.resolve("tern.crt");
        Path key = dir.resolve("tern.key");
        spki = selfSigned(TLS_ADDRESS, cert, key);
        tls = TernInNamespace.startWithTls(
                net,
                TLS_ADDRESS,
                cert,
                key,
                dir,
                "--signal-ice-url",
                "turns:" + TLS_ADDRESS + ":" + TernInNamespace.TLS_PORT + "?transport=tcp");
        tcp = TernInNamespace.start(
                net,
                TCP_ADDRESS,
                false,
                dir,
                "--signal-ice-url",
                "turn:" + TCP_ADDRESS + ":" + TernInNamespace.STUN_PORT + "?transport=tcp");
    }

    @AfterAll
    void stop() throws Exception {
        if (net != null) {
            net.close();
        }
        TernInNamespace.assertNoLeaks(tls, tcp);
    }

    @Test
    void turnsOverTlsOnTheSharedPortRelaysBothWays() throws Exception {
        ObjectNode config = BrowserDriver.config("relayPair", tls.tlsOrigin(), "over-tls", clients);
        config.putArray("chromiumArgs").add("--ignore-certificate-errors-spki-list=" + spki);
        long httpPacketsBefore = counter("a1_http")[0];
        JsonNode r = BrowserDriver.run(config, 50, dir, tls::logTail);
        assertThat(counter("a1_http")[0] - httpPacketsBefore)
                .as("packets to the plain HTTP port: the page and its signaling came over TLS")
                .isZero();
        long videoSent = assertRelayPair(r, "tls", "turns:" + TLS_ADDRESS + ":5349?transport=tcp", TLS_ADDRESS);

        long[] tlsIn = counter("a1_tls");
        System.out.println("over TLS: " + tlsIn[1] + " bytes in " + tlsIn[0] + " packets to " + TLS_ADDRESS
                + ":5349; connect " + r.path("connectMs") + " ms");
        assertThat(tlsIn[1])
                .as("bytes the browsers sent to Tern's TLS port (page, signaling, TURN)")
                .isGreaterThan(videoSent);
        assertThat(counter("a1_udp")[0])
                .as("packets to %s UDP 3478", TLS_ADDRESS)
                .isZero();
        assertThat(counter("a1_tcp")[0])
                .as("packets to %s TCP 3478", TLS_ADDRESS)
                .isZero();
        assertThat(tls.counter("tern_allocations_total")).isGreaterThanOrEqualTo(2);
        assertThat(tls.counter("tern_tcp_connections_total"))
                .as("TURN stream connections (TCP and TLS) Tern accepted")
                .isGreaterThanOrEqualTo(2);
        assertThat(tls.counter("tern_relayed_bytes_total")).isGreaterThanOrEqualTo(videoSent);
    }

    @Test
    void turnOverTcpRelaysBothWays() throws Exception {
        JsonNode r = BrowserDriver.run(
                BrowserDriver.config("relayPair", tcp.origin(), "over-tcp", clients), 50, dir, tcp::logTail);
        long videoSent = assertRelayPair(r, "tcp", "turn:" + TCP_ADDRESS + ":3478?transport=tcp", TCP_ADDRESS);

        long[] tcpIn = counter("a2_tcp");
        System.out.println("over TCP: " + tcpIn[1] + " bytes in " + tcpIn[0] + " packets to " + TCP_ADDRESS
                + ":3478/tcp; connect " + r.path("connectMs") + " ms");
        assertThat(tcpIn[1]).as("bytes the browsers sent to Tern's TCP port").isGreaterThan(videoSent);
        assertThat(counter("a2_udp")[0])
                .as("packets to %s UDP 3478", TCP_ADDRESS)
                .isZero();
        assertThat(counter("a2_tls")[0])
                .as("packets to %s TCP 5349", TCP_ADDRESS)
                .isZero();
        assertThat(tcp.counter("tern_tcp_connections_total")).isGreaterThanOrEqualTo(2);
        assertThat(tcp.counter("tern_relayed_bytes_total")).isGreaterThanOrEqualTo(videoSent);
    }

    @Test
    void withoutTrustingTheCertificateChromiumRefusesTheTlsRelay() throws Exception {
        // The page over plain http (the operator listener), so that only TURN/TLS meets the certificate.
        ObjectNode config = BrowserDriver.config("neverConnects", tls.origin(), "untrusted", clients);
        config.put("relay", true).put("boundMs", NO_CONNECTION_BOUND_MS);
        long tlsPacketsBefore = counter("a1_tls")[0];
        double allocationsBefore = tls.counter("tern_allocations_total");
        JsonNode r = BrowserDriver.run(config, 40, dir, tls::logTail);
        List<String> seen = new ArrayList<>();
        r.path("statesSeen").forEach(s -> seen.add(s.asText()));
        assertThat(seen)
                .as("connection states seen over %d ms", NO_CONNECTION_BOUND_MS)
                .isNotEmpty()
                .doesNotContain("connected");
        for (JsonNode participant : r.path("participants")) {
            JsonNode peer = participant.path("peers").get(0);
            assertThat(peer.path("localCandidateTypes"))
                    .as("%s's relay candidates", participant.path("name").asText())
                    .isEmpty();
        }
        assertThat(counter("a1_tls")[0] - tlsPacketsBefore)
                .as("packets Chromium sent to the TLS port trying")
                .isPositive();
        assertThat(tls.counter("tern_allocations_total"))
                .as("allocations: none without a trusted certificate")
                .isEqualTo(allocationsBefore);
    }

    /** Both ends connected relay/relay over {@code relayProtocol}; returns the video bytes both sent. */
    private static long assertRelayPair(JsonNode r, String relayProtocol, String onlyUrl, String ternAddress) {
        for (JsonNode errors : r.path("consoleErrors")) {
            assertThat(errors).as("console errors of the demo page").isEmpty();
        }
        long videoSent = 0;
        for (JsonNode participant : r.path("participants")) {
            String name = participant.path("name").asText();
            List<String> urls = new ArrayList<>();
            participant.path("state").path("iceUrls").forEach(u -> urls.add(u.asText()));
            assertThat(urls).as("%s's iceServers", name).containsExactly(onlyUrl);
            JsonNode peer = participant.path("peers").get(0);
            String who = name + " -> " + peer.path("name").asText();
            System.out.println(who + ": " + peer.path("candidateType").asText() + "/"
                    + peer.path("remoteCandidateType").asText() + " "
                    + peer.path("relayProtocol").asText()
                    + ", video sent " + peer.path("videoBytesSent") + " B, received "
                    + peer.path("videoBytesReceived") + " B, frames decoded " + peer.path("framesDecoded"));
            assertThat(peer.path("connectionState").asText()).as(who).isEqualTo("connected");
            assertThat(peer.path("candidateType").asText()).as(who + " local").isEqualTo("relay");
            // The remote end shows as peer-reflexive when its checks arrive before its candidate.
            assertThat(peer.path("remoteCandidateType").asText())
                    .as(who + " remote")
                    .isIn("relay", "prflx");
            if (peer.path("remoteCandidateType").asText().equals("relay")) {
                assertThat(peer.path("remoteAddress").asText()).startsWith(ternAddress + ":");
            }
            assertThat(peer.path("relayProtocol").asText()).as(who).isEqualTo(relayProtocol);
            List<String> gathered = new ArrayList<>();
            peer.path("localCandidateTypes").forEach(t -> gathered.add(t.asText()));
            assertThat(gathered).as("%s gathered relay candidates only", who).containsOnly("relay");
            assertThat(peer.path("framesDecoded").asInt()).as(who).isGreaterThanOrEqualTo(30);
            assertThat(peer.path("videoBytesReceived").asLong()).as(who).isGreaterThan(10_000);
            assertThat(peer.path("videoBytesSent").asLong()).as(who).isGreaterThan(10_000);
            videoSent += peer.path("videoBytesSent").asLong();
        }
        return videoSent;
    }

    /** {packets, bytes} of a named counter in the public namespace. */
    private long[] counter(String name) throws IOException, InterruptedException {
        String out = net.nft(net.pub(), null, "list", "counter", "inet", "tern_count", name);
        Matcher m = COUNTER.matcher(out);
        assertThat(m.find()).as("nft counter %s: %s", name, out).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    /**
     * A self-signed P-256 certificate for one IP address (as {@code CertificateAndKey.selfSigned}
     * makes for localhost), written as PEM; returns the base64 SHA-256 of its SubjectPublicKeyInfo,
     * the form {@code --ignore-certificate-errors-spki-list} takes.
     */
    private static String selfSigned(String ip, Path certFile, Path keyFile) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + ip);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                name,
                new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                name,
                pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(
                Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.iPAddress, ip)));
        X509CertificateHolder holder =
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
        new CertificateAndKey(List.of(new JcaX509CertificateConverter().getCertificate(holder)), pair.getPrivate())
                .writePem(certFile, keyFile);
        byte[] spki = pair.getPublic().getEncoded(); // X.509 SubjectPublicKeyInfo, DER
        return Base64.getEncoder()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    }
}
