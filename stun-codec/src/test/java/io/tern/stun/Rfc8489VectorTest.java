package io.tern.stun;

import static io.tern.stun.Rfc5769VectorsTest.PASSWORD;
import static io.tern.stun.Rfc5769VectorsTest.REALM;
import static io.tern.stun.Rfc5769VectorsTest.USERNAME;
import static io.tern.stun.StunBytes.flip;
import static io.tern.stun.StunBytes.integritySha256Verifies;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.attr.StunAttribute.MessageIntegritySha256;
import io.tern.stun.attr.StunAttribute.Text;
import io.tern.stun.attr.StunAttribute.Userhash;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import io.tern.testing.Hex;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/**
 * RFC 8489 Appendix B.1 as corrected by erratum 6268: USERHASH, PASSWORD-ALGORITHM and
 * MESSAGE-INTEGRITY-SHA256 with the SHA-256 long-term key.
 */
class Rfc8489VectorTest {
    private static final String NONCE = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";
    private static final TransactionId TX = new TransactionId(0x78ad3433c6ad72c0L, 0x29da412e);
    private static final byte[] SHA256_KEY = LongTermKey.derive(PasswordAlgorithm.SHA_256, USERNAME, REALM, PASSWORD);
    private static final String MAC = "b5c7bf005b6c52a21c51c5e892f81924136296cb927c43149309278cc6518e65";

    private static byte[] sample() {
        return StunBytes.vector("rfc8489-b.1-request-sha256-userhash.hex");
    }

    @Test
    void decodesUserhashNonceRealmPasswordAlgorithmAndIntegrity() throws Exception {
        StunMessage message = StunBytes.decode(sample());

        assertThat(message.messageType()).isEqualTo(StunClass.REQUEST.messageType(StunMethod.BINDING));
        assertThat(message.transactionId()).isEqualTo(TX);
        assertThat(message.attributes())
                .containsExactly(
                        new Userhash(LongTermKey.userhash(USERNAME, REALM)),
                        new Text(AttributeType.NONCE, NONCE),
                        new Text(AttributeType.REALM, REALM),
                        new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.SHA_256.code()),
                        new MessageIntegritySha256(Hex.bytes(MAC)));
        int algorithm = message.attribute(StunAttribute.PasswordAlgorithm.class)
                .orElseThrow()
                .algorithm();
        assertThat(PasswordAlgorithm.ofCode(algorithm)).isEqualTo(PasswordAlgorithm.SHA_256);
    }

    @Test
    void userhashIsSha256OfUsernameAndRealm() throws Exception {
        byte[] expected = MessageDigest.getInstance("SHA-256").digest((USERNAME + ":" + REALM).getBytes(UTF_8));
        assertThat(LongTermKey.userhash(USERNAME, REALM)).isEqualTo(expected);
        assertThat(StunBytes.decode(sample())
                        .attribute(Userhash.class)
                        .orElseThrow()
                        .hash())
                .isEqualTo(expected);
    }

    @Test
    void sha256KeyIsSha256OfUsernameRealmAndPreparedPassword() throws Exception {
        byte[] expected =
                MessageDigest.getInstance("SHA-256").digest((USERNAME + ":" + REALM + ":TheMatrIX").getBytes(UTF_8));
        assertThat(SHA256_KEY).hasSize(PasswordAlgorithm.SHA_256.keyLength()).isEqualTo(expected);
    }

    @Test
    void integritySha256VerifiesWithTheSha256KeyOnly() {
        byte[] bytes = sample();
        assertThat(integritySha256Verifies(bytes, SHA256_KEY)).isTrue();
        assertThat(integritySha256Verifies(bytes, LongTermKey.md5(USERNAME, REALM, PASSWORD)))
                .isFalse();
        assertThat(StunBytes.integrityVerifies(bytes, SHA256_KEY)).isFalse(); // there is no SHA-1 MAC
    }

    @Test
    void everyAlteredByteFailsIntegrity() {
        byte[] bytes = sample();
        for (int i = 0; i < bytes.length; i++) {
            assertThat(integritySha256Verifies(flip(bytes, i), SHA256_KEY))
                    .as("byte %d flipped", i)
                    .isFalse();
        }
    }

    @Test
    void builderReproducesTheSampleByteForByte() {
        byte[] built = StunBytes.encode(StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, TX)
                .add(new Userhash(LongTermKey.userhash(USERNAME, REALM)))
                .add(new Text(AttributeType.NONCE, NONCE))
                .add(new Text(AttributeType.REALM, REALM))
                .add(new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.SHA_256.code()))
                .integritySha256(SHA256_KEY));

        assertThat(Hex.string(built)).isEqualTo(Hex.string(sample()));
    }

    @Test
    void sampleAsPrintedInTheRfcIsRejectedForItsLength() {
        // Erratum 6268: the printed message's length field counts the header too.
        byte[] printed = Hex.bytes("0001009c2112a44278ad3433c6ad72c029da412e"
                + "001e00204a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704"
                + "001500296f624d61744a6f733241414143662f2f3439396b39353464364f4c3334"
                + "6f4c394653547679363473" + "41000000"
                + "0014000b6578616d706c652e6f726700"
                + "001c0020e4686c8f0edeb59013e07090010a93efccbccc544c0a45d9f830aa6d6f735a01");
        StunReaderTest.assertRejected(printed, ParseError.LENGTH_MISMATCH);
        assertThat(printed.length - StunReader.HEADER_LENGTH).isEqualTo(0x88);
    }
}
