package io.tern.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.server.ServerHarness;
import io.tern.server.TernServer;
import io.tern.server.config.ConfigException;
import io.tern.server.config.ServerConfig;
import io.tern.server.config.TlsConfig;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates and keys from PEM files (made in a temporary directory by each test; no key is
 * checked in), and the errors an operator gets for bad ones.
 */
class CertificateFilesTest {
    @TempDir
    Path dir;

    private Path cert(CertificateAndKey c) throws Exception {
        Path certFile = dir.resolve("cert.pem");
        c.writePem(certFile, dir.resolve("pkcs8-key.pem"));
        return certFile;
    }

    /** The key in the traditional OpenSSL form: "RSA PRIVATE KEY" (PKCS#1) or "EC PRIVATE KEY" (SEC1). */
    private Path traditionalKey(CertificateAndKey c) throws Exception {
        Path keyFile = dir.resolve("traditional-key.pem");
        try (Writer out = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            if (c.key().getAlgorithm().equals("EC")) {
                // As openssl writes it: SEC1 with the curve inside (BouncyCastle's writer leaves it out).
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(c.key().getEncoded());
                ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                ECPrivateKey sec1 = new ECPrivateKey(
                        256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
                pem.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } else {
                pem.writeObject(c.key());
            }
        }
        return keyFile;
    }

    @Test
    void servesTurnOverTlsFromPemFiles() throws Exception {
        CertificateAndKey c = CertificateAndKey.selfSignedRsa("turn.example.test", Duration.ofDays(1));
        Path certFile = cert(c);
        try (ServerHarness h = ServerHarness.startTls(TlsConfig.pem(0, certFile, dir.resolve("pkcs8-key.pem")));
                SSLSocket client = h.connectTls("TLSv1.3")) {
            assertThat(h.server().tlsCertificate()).isEqualTo(c.leaf());
            TransactionId id = TransactionId.random();
            client.getOutputStream()
                    .write(ServerHarness.bytes(StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, id)
                            .fingerprint()
                            .encode(io.netty.buffer.ByteBufAllocator.DEFAULT)));
            StunMessage answer = ServerHarness.decode(ServerHarness.readStunFrame(client));
            assertThat(answer.transactionId()).isEqualTo(id);
        }
    }

    @Test
    void readsPkcs8Pkcs1AndSec1Keys() throws Exception {
        CertificateAndKey rsa = CertificateAndKey.selfSignedRsa("rsa", Duration.ofDays(1));
        Path rsaCert = cert(rsa);
        assertThat(Files.readString(dir.resolve("pkcs8-key.pem"))).contains("BEGIN PRIVATE KEY");
        assertThat(CertificateAndKey.load(rsaCert, dir.resolve("pkcs8-key.pem")).key())
                .isEqualTo(rsa.key());
        Path pkcs1 = traditionalKey(rsa);
        assertThat(Files.readString(pkcs1)).contains("BEGIN RSA PRIVATE KEY");
        assertThat(CertificateAndKey.load(rsaCert, pkcs1).key().getEncoded())
                .isEqualTo(rsa.key().getEncoded());

        CertificateAndKey ec = CertificateAndKey.selfSigned("ec", Duration.ofDays(1));
        Path ecCert = cert(ec);
        Path sec1 = traditionalKey(ec);
        assertThat(Files.readString(sec1)).contains("BEGIN EC PRIVATE KEY");
        assertThat(CertificateAndKey.load(ecCert, sec1).leaf()).isEqualTo(ec.leaf());
    }

    @Test
    void aMissingFileIsNamedWithItsOption() throws Exception {
        Path certFile = cert(CertificateAndKey.selfSigned("a", Duration.ofDays(1)));
        Path nowhere = dir.resolve("missing.pem");
        assertThatThrownBy(() -> CertificateAndKey.load(nowhere, dir.resolve("pkcs8-key.pem")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("cert"))
                .hasMessageContaining(nowhere.toString())
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> CertificateAndKey.load(certFile, nowhere))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("pkey"))
                .hasMessageContaining(nowhere.toString());
    }

    @Test
    void unparsablePemIsNamedWithItsOption() throws Exception {
        Path certFile = cert(CertificateAndKey.selfSigned("a", Duration.ofDays(1)));
        Path junk = Files.writeString(dir.resolve("junk.pem"), "hello, not PEM\n");
        Path broken = Files.writeString(
                dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> CertificateAndKey.load(junk, dir.resolve("pkcs8-key.pem")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("cert"))
                .hasMessageContaining(junk.toString());
        assertThatThrownBy(() -> CertificateAndKey.load(broken, dir.resolve("pkcs8-key.pem")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("cert"))
                .hasMessageContaining(broken.toString());
        assertThatThrownBy(() -> CertificateAndKey.load(certFile, junk))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("pkey"))
                .hasMessageContaining(junk.toString());
        // A certificate where the key should be.
        assertThatThrownBy(() -> CertificateAndKey.load(certFile, certFile))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("pkey"))
                .hasMessageContaining("no PEM private key");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        Path certFile = cert(CertificateAndKey.selfSigned("a", Duration.ofDays(1)));
        Path otherKey = traditionalKey(CertificateAndKey.selfSigned("b", Duration.ofDays(1)));
        assertThatThrownBy(() -> CertificateAndKey.load(certFile, otherKey))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("pkey"))
                .hasMessageContaining("does not belong");
    }

    @Test
    void aBadCertificateStopsStartUpBeforeAnythingIsBound() throws Exception {
        Path nowhere = dir.resolve("nope.pem");
        ServerConfig config = ServerConfig.defaults()
                .withListening(java.util.List.of(java.net.InetAddress.getLoopbackAddress()), 0)
                .withHttp(null)
                .withTls(TlsConfig.pem(0, nowhere, nowhere));
        assertThatThrownBy(() -> TernServer.start(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cert")
                .hasMessageContaining(nowhere.toString());
    }

    @Test
    void withoutACertificateOrWithNoTlsThereIsNoTlsListener() throws Exception {
        try (ServerHarness h = ServerHarness.startTurn()) {
            assertThat(h.server().config().tls().enabled()).isTrue();
            assertThat(h.server().tlsAddresses()).isEmpty();
        }
        try (ServerHarness h = ServerHarness.startTls(new TlsConfig(false, 0, null, null, true))) {
            assertThat(h.server().tlsAddresses()).isEmpty();
            assertThat(h.server().tlsCertificate()).isNull();
        }
    }

    @Test
    void inconsistentSettingsAreRefused() {
        Path p = dir.resolve("x.pem");
        assertThatThrownBy(() -> new TlsConfig(true, 5349, p, null, false))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("pkey"));
        assertThatThrownBy(() -> new TlsConfig(true, 5349, null, p, false))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("cert"));
        assertThatThrownBy(() -> new TlsConfig(true, 5349, p, p, true))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("dev-self-signed"));
        assertThatThrownBy(() -> new TlsConfig(true, 70000, null, null, true))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("tls-listening-port"));
        assertThatThrownBy(() -> ServerConfig.defaults().withTls(TlsConfig.devSelfSigned(ServerConfig.DEFAULT_PORT)))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("tls-listening-port"));
    }
}
