package io.tern.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.tern.server.ServerHarness;
import io.tern.server.config.ConfigException;
import io.tern.server.config.TlsConfig;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewed certificate takes effect without a restart, on reload and when the files change, and
 * connections already open keep working with the certificate they were made with.
 */
class CertificateReloadTest {
    @TempDir
    Path dir;

    private Path certFile() {
        return dir.resolve("cert.pem");
    }

    private Path keyFile() {
        return dir.resolve("key.pem");
    }

    private CertificateAndKey install(String name, Instant modified) throws Exception {
        CertificateAndKey c = CertificateAndKey.selfSigned(name, Duration.ofDays(1));
        c.writePem(certFile(), keyFile());
        // Renewals within one clock tick must still look changed to the check.
        Files.setLastModifiedTime(certFile(), FileTime.from(modified));
        Files.setLastModifiedTime(keyFile(), FileTime.from(modified));
        return c;
    }

    @Test
    void reloadServesTheNewCertificateToNewConnectionsAndOpenOnesKeepWorking() throws Exception {
        CertificateAndKey first = install("first.test", Instant.now().minusSeconds(60));
        TlsConfig tls = TlsConfig.pem(0, certFile(), keyFile()).withCertCheckSeconds(0);
        try (ServerHarness h = ServerHarness.startTls(tls);
                SSLSocket before = h.connectTls("TLSv1.3")) {
            assertThat(binding(before)).isTrue();
            assertThat(presented(before)).isEqualTo(first.leaf());

            CertificateAndKey second = install("second.test", Instant.now());
            h.server().reload(h.server().config());

            assertThat(h.server().tlsCertificate()).isEqualTo(second.leaf());
            try (SSLSocket after = connect(h, second.leaf())) {
                assertThat(presented(after)).isEqualTo(second.leaf());
                assertThat(binding(after)).isTrue();
            }
            assertThat(binding(before))
                    .as("the connection made before the reload")
                    .isTrue();
        }
    }

    @Test
    void aRenewalOnDiskIsPickedUpByTheCheckAndABrokenOneIsRefused() throws Exception {
        install("first.test", Instant.now().minusSeconds(60));
        TlsConfig tls = TlsConfig.pem(0, certFile(), keyFile()).withCertCheckSeconds(1);
        try (ServerHarness h = ServerHarness.startTls(tls)) {
            CertificateAndKey renewed = install("renewed.test", Instant.now().minusSeconds(30));
            awaitCertificate(h, renewed.leaf());
            try (SSLSocket s = connect(h, renewed.leaf())) {
                assertThat(binding(s)).isTrue();
            }

            // A half-written renewal: the key no longer matches. The check refuses it, and so
            // does a reload; the renewed certificate keeps serving.
            CertificateAndKey other = CertificateAndKey.selfSigned("other.test", Duration.ofDays(1));
            other.writePem(dir.resolve("other-cert.pem"), keyFile());
            Files.setLastModifiedTime(keyFile(), FileTime.from(Instant.now()));
            Thread.sleep(2500); // two checks
            assertThat(h.server().tlsCertificate()).isEqualTo(renewed.leaf());
            assertThatThrownBy(() -> h.server().reload(h.server().config()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pkey");
            try (SSLSocket s = connect(h, renewed.leaf())) {
                assertThat(binding(s)).isTrue();
            }
        }
    }

    private static void awaitCertificate(ServerHarness h, X509Certificate expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!expected.equals(h.server().tlsCertificate())) {
            assertThat(System.nanoTime())
                    .as("renewed certificate not loaded within 10 s")
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static SSLSocket connect(ServerHarness h, X509Certificate trusted) throws Exception {
        SSLContext context = ServerHarness.trusting(trusted);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(h.tls(), 5000);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }

    private static Certificate presented(SSLSocket socket) throws Exception {
        return socket.getSession().getPeerCertificates()[0];
    }

    /** Whether a Binding request over this connection is answered. */
    private static boolean binding(SSLSocket socket) throws Exception {
        TransactionId id = TransactionId.random();
        socket.getOutputStream()
                .write(ServerHarness.bytes(StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, id)
                        .fingerprint()
                        .encode(ByteBufAllocator.DEFAULT)));
        return ServerHarness.decode(ServerHarness.readStunFrame(socket))
                .transactionId()
                .equals(id);
    }
}
