package io.tern.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tern.server.auth.NonceService.Status;
import io.tern.server.config.ConfigException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NonceServiceTest {
    private static final byte[] SECRET = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f1011121314151617");
    private static final long NOW = 1_700_000_000_123L;
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final NonceService nonces = new NonceService(SECRET, NonceService.DEFAULT_LIFETIME);
    private final InetAddress client = ip("192.0.2.10");

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void issuedNonceIsValidForItsClient() {
        String nonce = nonces.issue(client, NOW);
        assertThat(nonces.validate(nonce, client, NOW)).isEqualTo(Status.VALID);
        assertThat(nonces.validate(nonce, client, NOW + 599_000)).isEqualTo(Status.VALID);
    }

    @Test
    void startsWithTheRfc8489CookieAndTheSecurityFeatureBits() {
        String nonce = nonces.issue(client, NOW);
        assertThat(nonce).startsWith("obMatJos2").hasSize(NonceService.LENGTH).hasSize(45);

        // RFC 8489 §9.2: 24 feature bits as 4 base64 characters; bit 0 is the most significant.
        byte[] bits = Base64.getDecoder().decode(nonce.substring(9, 13));
        int features = ((bits[0] & 0xFF) << 16) | ((bits[1] & 0xFF) << 8) | (bits[2] & 0xFF);
        assertThat(features & (1 << 23)).as("Password algorithms").isNotZero();
        assertThat(features & (1 << 22)).as("Username anonymity").isNotZero();
        assertThat(features & ~((1 << 23) | (1 << 22))).as("nothing else").isZero();
        assertThat(nonce.substring(9, 13)).isEqualTo("wAAA");

        // The rest is base64url: legal in a NONCE (RFC 8489 §14.10, qdtext) and 8 + 16 bytes.
        String payload = nonce.substring(13);
        assertThat(payload.chars()).allMatch(c -> BASE64URL.indexOf(c) >= 0);
        byte[] decoded = Base64.getUrlDecoder().decode(payload);
        assertThat(decoded).hasSize(8 + NonceService.MAC_LENGTH);
        long time = 0;
        for (int i = 0; i < 8; i++) {
            time = (time << 8) | (decoded[i] & 0xFF);
        }
        assertThat(time).isEqualTo(NOW / 1000);
    }

    @Test
    void staleAfterTheLifetimeButStillRecognised() {
        String nonce = nonces.issue(client, NOW);
        long issuedSecond = NOW / 1000 * 1000;
        assertThat(nonces.validate(nonce, client, issuedSecond + 600_999)).isEqualTo(Status.VALID);
        assertThat(nonces.validate(nonce, client, issuedSecond + 601_000)).isEqualTo(Status.STALE);
        assertThat(nonces.validate(nonce, client, NOW + Duration.ofDays(3).toMillis()))
                .isEqualTo(Status.STALE);
    }

    @Test
    void lifetimeIsConfigurable() {
        NonceService shortLived = new NonceService(SECRET, Duration.ofSeconds(30));
        String nonce = shortLived.issue(client, NOW);
        assertThat(shortLived.lifetime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(shortLived.validate(nonce, client, NOW + 29_000)).isEqualTo(Status.VALID);
        assertThat(shortLived.validate(nonce, client, NOW + 31_000)).isEqualTo(Status.STALE);
    }

    @Test
    void aClockThatSteppedBackDoesNotInvalidateRecentNonces() {
        String nonce = nonces.issue(client, NOW);
        assertThat(nonces.validate(nonce, client, NOW - 5_000)).isEqualTo(Status.VALID);
        assertThat(nonces.validate(nonce, client, NOW - 3_600_000)).isEqualTo(Status.STALE);
    }

    @Test
    void boundToTheClientIpAddress() {
        String nonce = nonces.issue(client, NOW);
        assertThat(nonces.validate(nonce, ip("192.0.2.11"), NOW)).isEqualTo(Status.INVALID);
        assertThat(nonces.validate(nonce, ip("::ffff:c000:20b"), NOW)).isEqualTo(Status.INVALID);

        InetAddress v6 = ip("2001:db8::1");
        String v6Nonce = nonces.issue(v6, NOW);
        assertThat(nonces.validate(v6Nonce, v6, NOW)).isEqualTo(Status.VALID);
        assertThat(nonces.validate(v6Nonce, ip("2001:db8::2"), NOW)).isEqualTo(Status.INVALID);
        assertThat(nonces.validate(v6Nonce, client, NOW)).isEqualTo(Status.INVALID);
    }

    @Test
    void anyChangedCharacterMakesItInvalid() {
        String nonce = nonces.issue(client, NOW);
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            char other = c == 'A' ? 'B' : 'A';
            String tampered = nonce.substring(0, i) + other + nonce.substring(i + 1);
            assertThat(nonces.validate(tampered, client, NOW))
                    .as("character %d changed", i)
                    .isEqualTo(Status.INVALID);
        }
    }

    @Test
    void aForgedTimestampIsInvalidNotStale() {
        String nonce = nonces.issue(client, NOW);
        byte[] payload = Base64.getUrlDecoder().decode(nonce.substring(13));
        payload[7] ^= 1; // move the issue time by a second
        String forged =
                nonce.substring(0, 13) + Base64.getUrlEncoder().withoutPadding().encodeToString(payload);
        assertThat(nonces.validate(forged, client, NOW)).isEqualTo(Status.INVALID);
    }

    @Test
    void malformedNoncesAreInvalid() {
        String nonce = nonces.issue(client, NOW);
        assertThat(nonces.validate(null, client, NOW)).isEqualTo(Status.INVALID);
        assertThat(nonces.validate("", client, NOW)).isEqualTo(Status.INVALID);
        assertThat(nonces.validate(nonce.substring(1), client, NOW)).isEqualTo(Status.INVALID);
        assertThat(nonces.validate(nonce + "A", client, NOW)).isEqualTo(Status.INVALID);
        assertThat(nonces.validate(nonce.substring(0, 44) + "=", client, NOW)).isEqualTo(Status.INVALID);
        assertThat(nonces.validate(nonce.substring(0, 44) + "\u00e9", client, NOW))
                .isEqualTo(Status.INVALID);
        assertThat(nonces.validate("obMatJos2AAAB" + nonce.substring(13), client, NOW))
                .as("other feature bits")
                .isEqualTo(Status.INVALID);
    }

    @Test
    void anotherSecretMeansAnotherProcess() {
        String nonce = nonces.issue(client, NOW);
        byte[] other = SECRET.clone();
        other[0] ^= 1;
        assertThat(new NonceService(other, NonceService.DEFAULT_LIFETIME).validate(nonce, client, NOW))
                .isEqualTo(Status.INVALID);

        NonceService restarted = NonceService.random(NonceService.DEFAULT_LIFETIME);
        NonceService again = NonceService.random(NonceService.DEFAULT_LIFETIME);
        assertThat(again.validate(restarted.issue(client, NOW), client, NOW)).isEqualTo(Status.INVALID);
        assertThat(restarted.validate(restarted.issue(client, NOW), client, NOW))
                .isEqualTo(Status.VALID);
    }

    @Test
    void validatesStraightFromABuffer() {
        String nonce = nonces.issue(client, NOW);
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            buf.writeBytes(new byte[] {1, 2, 3});
            buf.writeCharSequence(nonce, StandardCharsets.US_ASCII);
            assertThat(nonces.validate(buf, 3, nonce.length(), client, NOW)).isEqualTo(Status.VALID);
            assertThat(nonces.validate(buf, 3, nonce.length(), client, NOW + 601_000))
                    .isEqualTo(Status.STALE);
            assertThat(nonces.validate(buf, 3, nonce.length(), ip("192.0.2.99"), NOW))
                    .isEqualTo(Status.INVALID);
            assertThat(nonces.validate(buf, 3, nonce.length() - 1, client, NOW)).isEqualTo(Status.INVALID);
            buf.setByte(3 + 20, buf.getByte(3 + 20) == 'A' ? 'B' : 'A');
            assertThat(nonces.validate(buf, 3, nonce.length(), client, NOW)).isEqualTo(Status.INVALID);
        } finally {
            buf.release();
        }
    }

    @Test
    void aLifetimeThatIsNotPositiveIsAConfigurationError() {
        assertThatThrownBy(() -> new NonceService(SECRET, Duration.ZERO))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("stale-nonce"));
        assertThatThrownBy(() -> new NonceService(SECRET, Duration.ofSeconds(-5)))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new NonceService(new byte[8], Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringDoesNotShowTheSecret() {
        String shown = nonces.toString();
        assertThat(shown).contains("600").doesNotContain(HexFormat.of().formatHex(SECRET));
        assertThat(shown).doesNotContain(Base64.getEncoder().encodeToString(SECRET));
    }
}
