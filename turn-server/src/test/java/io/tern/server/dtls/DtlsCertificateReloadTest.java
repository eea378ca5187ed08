package io.tern.server.dtls;

import static io.tern.server.ServerHarness.bytes;
import static io.tern.server.ServerHarness.decode;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.tern.server.ServerHarness;
import io.tern.server.config.TlsConfig;
import io.tern.server.tls.CertificateAndKey;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DTLS follows the TLS certificate: after a reload new sessions get the new certificate, and a
 * session made before keeps working with the one it was made with.
 */
class DtlsCertificateReloadTest {
    @TempDir
    Path dir;

    private CertificateAndKey install(String name, Instant modified) throws Exception {
        CertificateAndKey c = CertificateAndKey.selfSigned(name, Duration.ofDays(1));
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        c.writePem(cert, key);
        // Renewals within one clock tick must still look changed.
        Files.setLastModifiedTime(cert, FileTime.from(modified));
        Files.setLastModifiedTime(key, FileTime.from(modified));
        return c;
    }

    private static boolean binding(DtlsClient client) throws Exception {
        TransactionId id = TransactionId.random();
        client.send(bytes(StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, id)
                .fingerprint()
                .encode(ByteBufAllocator.DEFAULT)));
        byte[] answer = client.receive(3000);
        return answer != null && decode(answer).transactionId().equals(id);
    }

    @Test
    void newSessionsGetTheReloadedCertificateAndOldOnesKeepWorking() throws Exception {
        CertificateAndKey first = install("first.test", Instant.now().minusSeconds(60));
        TlsConfig tls = TlsConfig.pem(0, dir.resolve("cert.pem"), dir.resolve("key.pem"))
                .withCertCheckSeconds(0);
        try (ServerHarness h = ServerHarness.startTls(tls)) {
            InetSocketAddress dtls = h.server().dtlsAddresses().get(0);
            try (DtlsClient before = DtlsClient.connect(dtls, first.leaf())) {
                assertThat(before.serverCertificate()).isEqualTo(first.leaf());
                assertThat(binding(before)).isTrue();

                CertificateAndKey second = install("second.test", Instant.now());
                h.server().reload(h.server().config());

                try (DtlsClient after = DtlsClient.connect(dtls, second.leaf())) {
                    assertThat(after.serverCertificate()).isEqualTo(second.leaf());
                    assertThat(binding(after)).isTrue();
                }
                assertThat(binding(before))
                        .as("the session made before the reload")
                        .isTrue();
            }
        }
    }
}
