package io.tern.server.tls;

import io.tern.server.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
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
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A server certificate chain (leaf first) and its private key: read from PEM files, or made up
 * on the spot, self-signed, for development and tests.
 */
public record CertificateAndKey(List<X509Certificate> chain, PrivateKey key) {

    public CertificateAndKey {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the leaf");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /**
     * Reads a PEM certificate chain and a PEM private key (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA
     * PRIVATE KEY" or SEC1 "EC PRIVATE KEY", unencrypted), and checks that the key belongs to the
     * leaf certificate. Every problem is a {@link ConfigException} naming {@code cert} or
     * {@code pkey} and the file.
     */
    public static CertificateAndKey load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = readCertificates(certFile);
        PrivateKey key = readKey(keyFile);
        if (!matches(key, chain.get(0))) {
            throw new ConfigException(
                    "pkey", keyFile.toString(), "this key does not belong to the certificate in " + certFile);
        }
        return new CertificateAndKey(chain, key);
    }

    private static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        try (Reader in = open("cert", file);
                PEMParser pem = new PEMParser(in)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof ConfigException c) {
                throw c;
            }
            throw new ConfigException("cert", file.toString(), "not a readable PEM certificate: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new ConfigException(
                    "cert", file.toString(), "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }
        return chain;
    }

    private static PrivateKey readKey(Path file) {
        try (Reader in = open("pkey", file);
                PEMParser pem = new PEMParser(in)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    // Only the private part: SEC1 keys may lack the optional public key.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new ConfigException(
                            "pkey",
                            file.toString(),
                            "the key is encrypted; Tern reads unencrypted keys only"
                                    + " (decrypt it with: openssl pkey -in KEY -out KEY.plain)");
                }
                // Anything else (EC PARAMETERS, a certificate in the same file) is skipped.
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigException c) {
                throw c;
            }
            throw new ConfigException("pkey", file.toString(), "not a readable PEM private key: " + e.getMessage());
        }
        throw new ConfigException(
                "pkey", file.toString(), "no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
    }

    private static Reader open(String option, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(
                    option,
                    file.toString(),
                    Files.exists(file) ? "cannot read this file (check its permissions)" : "no such file");
        }
        try {
            return Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigException(option, file.toString(), "cannot read it: " + e.getMessage());
        }
    }

    /** Signs a probe with the key and verifies it with the certificate: true when they are a pair. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return true; // unusual key type: let the TLS handshake judge it
        }
        try {
            byte[] probe = "tern key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * A self-signed ECDSA P-256 certificate for {@code localhost}, 127.0.0.1 and ::1, valid from an
     * hour ago for {@code validity}. Clients cannot verify it: for development and tests only.
     */
    public static CertificateAndKey selfSigned(String commonName, Duration validity) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return selfSigned(commonName, validity, generator.generateKeyPair(), "SHA256withECDSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no EC P-256", e);
        }
    }

    /** As {@link #selfSigned(String, Duration)} with a 2048-bit RSA key. */
    public static CertificateAndKey selfSignedRsa(String commonName, Duration validity) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return selfSigned(commonName, validity, generator.generateKeyPair(), "SHA256withRSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no RSA", e);
        }
    }

    private static CertificateAndKey selfSigned(
            String commonName, Duration validity, KeyPair pair, String signatureAlgorithm) {
        try {
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            BigInteger serial = new BigInteger(64, new SecureRandom());
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name,
                    serial,
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(validity)),
                    name,
                    pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1"),
            }));
            X509CertificateHolder holder =
                    builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(pair.getPrivate()));
            return new CertificateAndKey(
                    List.of(new JcaX509CertificateConverter().getCertificate(holder)), pair.getPrivate());
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a self-signed certificate", e);
        }
    }

    /** Writes the chain and the key (PKCS#8) as PEM, e.g. for a test that starts the server from files. */
    public void writePem(Path certFile, Path keyFile) throws IOException {
        try (Writer out = Files.newBufferedWriter(certFile, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (X509Certificate c : chain) {
                pem.writeObject(c);
            }
        }
        try (Writer out = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
    }
}
