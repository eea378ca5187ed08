package io.tern.stun;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.tern.stun.attr.AttributeType;
import io.tern.testing.Buffers;
import io.tern.testing.Buffers.Layout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Framing and indexing rules of the hot-path reader, each rejection with its exact reason. */
class StunReaderTest {
    private static final byte[] KEY = "short-term password".getBytes(UTF_8);
    private static final int UNKNOWN_REQUIRED = 0x0031;
    private static final int UNKNOWN_OPTIONAL = 0x8031;

    private final StunReader reader = new StunReader();

    // --- header ---

    @Test
    void everyLengthBelowTheHeaderIsTruncatedHeader() {
        byte[] valid = RawStun.bindingRequest().build();
        for (int n = 0; n < StunReader.HEADER_LENGTH; n++) {
            assertRejected(Arrays.copyOf(valid, n), ParseError.TRUNCATED_HEADER);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x4001, 0x8001, 0xC001})
    void firstTwoBitsMustBeZero(int messageType) {
        assertRejected(RawStun.bindingRequest().type(messageType).build(), ParseError.NOT_STUN);
    }

    @Test
    void wrongMagicCookieIsRejected() {
        assertRejected(RawStun.bindingRequest().cookie(0x2112A443).build(), ParseError.BAD_MAGIC_COOKIE);
    }

    @Test
    void messageWithoutCookieIsAcceptedAsRfc3489WhenAsked() throws Exception {
        byte[] message = RawStun.bindingRequest()
                .cookie(0x01020304)
                .text(AttributeType.USERNAME, "old")
                .build();
        Buffers.using(Buffers.heap(message), buf -> {
            assertThat(reader.wrap(buf, true)).isNull();
            assertThat(reader.isRfc3489()).isTrue();
            assertThat(reader.text(AttributeType.USERNAME)).isEqualTo("old");
            return null;
        });
        Buffers.using(Buffers.heap(RawStun.bindingRequest().build()), buf -> {
            assertThat(reader.wrap(buf, true)).isNull();
            assertThat(reader.isRfc3489()).isFalse();
            return null;
        });
    }

    @Test
    void lengthNotMultipleOfFourIsBadLength() {
        byte[] message =
                RawStun.bindingRequest().bytes(new byte[2]).lengthField(2).build(); // length matches the bytes received
        assertRejected(message, ParseError.BAD_LENGTH);
    }

    @Test
    void lengthFieldShorterOrLongerThanTheBytesIsLengthMismatch() {
        RawStun eightBytes = RawStun.bindingRequest().u32(AttributeType.PRIORITY, 1);
        assertRejected(eightBytes.lengthField(4).build(), ParseError.LENGTH_MISMATCH);
        assertRejected(eightBytes.lengthField(12).build(), ParseError.LENGTH_MISMATCH);
        assertRejected(RawStun.bindingRequest().lengthField(0xFFFC).build(), ParseError.LENGTH_MISMATCH);
    }

    // --- attributes ---

    @Test
    void attributeHeaderCannotBeCutShortBecauseTheLengthIsAMultipleOfFour() {
        // Two bytes of an attribute header: the length check fires first, so the reader's
        // "header truncated" branch cannot be reached with a length that passed it.
        assertRejected(RawStun.bindingRequest().bytes(new byte[] {0x00, 0x06}).build(), ParseError.BAD_LENGTH);
    }

    @Test
    void attributeValuePastTheEndIsAttributeTruncated() {
        assertRejected(
                RawStun.bindingRequest()
                        .attributeDeclaring(AttributeType.USERNAME, 8, "abcd".getBytes(UTF_8))
                        .build(),
                ParseError.ATTRIBUTE_TRUNCATED);
        assertRejected(
                RawStun.bindingRequest()
                        .attributeDeclaring(AttributeType.DATA, 0xFFFF, new byte[8])
                        .build(),
                ParseError.ATTRIBUTE_TRUNCATED);
    }

    @Test
    void paddingPastTheEndIsAttributeTruncated() {
        // A 5-byte value takes 8 bytes with its padding, but the message ends 4 bytes after the header.
        byte[] message = RawStun.bindingRequest()
                .attributeDeclaring(AttributeType.USERNAME, 5, "abcd".getBytes(UTF_8))
                .build();
        assertRejected(message, ParseError.ATTRIBUTE_TRUNCATED);
    }

    @Test
    void anythingAfterFingerprintIsRejected() {
        assertRejected(
                RawStun.bindingRequest()
                        .fingerprint()
                        .text(AttributeType.SOFTWARE, "late")
                        .build(),
                ParseError.ATTRIBUTE_AFTER_FINGERPRINT);
        assertRejected(
                RawStun.bindingRequest().fingerprint().fingerprint().build(), ParseError.ATTRIBUTE_AFTER_FINGERPRINT);
        assertRejected(
                RawStun.bindingRequest().fingerprint().messageIntegrity(KEY).build(),
                ParseError.ATTRIBUTE_AFTER_FINGERPRINT);
    }

    @Test
    void secondIntegrityOfTheSameKindIsDuplicateIntegrity() {
        assertRejected(
                RawStun.bindingRequest()
                        .messageIntegrity(KEY)
                        .messageIntegrity(KEY)
                        .build(),
                ParseError.DUPLICATE_INTEGRITY);
        assertRejected(
                RawStun.bindingRequest()
                        .messageIntegritySha256(KEY, 32)
                        .messageIntegritySha256(KEY, 32)
                        .build(),
                ParseError.DUPLICATE_INTEGRITY);
    }

    @Test
    void messageIntegrityAfterSha256IsOutOfOrder() {
        assertRejected(
                RawStun.bindingRequest()
                        .messageIntegritySha256(KEY, 32)
                        .messageIntegrity(KEY)
                        .build(),
                ParseError.INTEGRITY_OUT_OF_ORDER);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 16, 19, 21, 24, 32})
    void messageIntegrityMustBe20Bytes(int length) {
        assertRejected(
                RawStun.bindingRequest()
                        .attribute(AttributeType.MESSAGE_INTEGRITY, new byte[length])
                        .build(),
                ParseError.BAD_ATTRIBUTE_LENGTH);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 12, 15, 17, 18, 30, 36, 64})
    void messageIntegritySha256MustBe16To32BytesInStepsOfFour(int length) {
        assertRejected(
                RawStun.bindingRequest()
                        .attribute(AttributeType.MESSAGE_INTEGRITY_SHA256, new byte[length])
                        .build(),
                ParseError.BAD_ATTRIBUTE_LENGTH);
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 20, 24, 28, 32})
    void truncatedMessageIntegritySha256IsAcceptedAndVerified(int length) throws Exception {
        byte[] message = RawStun.bindingRequest()
                .text(AttributeType.USERNAME, "alice")
                .messageIntegritySha256(KEY, length)
                .build();
        Buffers.using(Buffers.heap(message), buf -> {
            assertThat(reader.wrap(buf)).isNull();
            assertThat(reader.verifyMessageIntegritySha256(KEY)).isTrue();
            assertThat(reader.verifyMessageIntegritySha256("other".getBytes(UTF_8)))
                    .isFalse();
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 3, 5, 8})
    void fingerprintMustBe4Bytes(int length) {
        assertRejected(
                RawStun.bindingRequest()
                        .attribute(AttributeType.FINGERPRINT, new byte[length])
                        .build(),
                ParseError.BAD_ATTRIBUTE_LENGTH);
    }

    @Test
    void indexesUpTo48AttributesAndRejectsThe49th() throws Exception {
        Buffers.using(Buffers.heap(withPriorities(StunReader.MAX_ATTRIBUTES).build()), buf -> {
            assertThat(reader.wrap(buf)).isNull();
            assertThat(reader.attributeCount()).isEqualTo(StunReader.MAX_ATTRIBUTES);
            return null;
        });
        assertRejected(withPriorities(StunReader.MAX_ATTRIBUTES + 1).build(), ParseError.TOO_MANY_ATTRIBUTES);
        assertRejected(withPriorities(StunReader.MAX_ATTRIBUTES).fingerprint().build(), ParseError.TOO_MANY_ATTRIBUTES);
    }

    @Test
    void attributesAfterIntegrityAreSkippedNotIndexed() throws Exception {
        byte[] message = RawStun.bindingRequest()
                .text(AttributeType.USERNAME, "alice")
                .messageIntegrity(KEY)
                .text(AttributeType.SOFTWARE, "ignored")
                .u32(AttributeType.PRIORITY, 7)
                .messageIntegritySha256(KEY, 32)
                .u32(UNKNOWN_REQUIRED, 0)
                .fingerprint()
                .build();
        Buffers.using(Buffers.heap(message), buf -> {
            assertThat(reader.wrap(buf)).isNull();
            assertThat(indexedTypes())
                    .containsExactly(
                            AttributeType.USERNAME,
                            AttributeType.MESSAGE_INTEGRITY,
                            AttributeType.MESSAGE_INTEGRITY_SHA256,
                            AttributeType.FINGERPRINT);
            assertThat(reader.has(AttributeType.SOFTWARE)).isFalse();
            assertThat(reader.text(AttributeType.SOFTWARE)).isNull();
            assertThat(reader.u32(AttributeType.PRIORITY)).isEqualTo(-1);
            assertThat(reader.firstUnknownComprehensionRequired()).isEqualTo(-1);
            assertThat(reader.verifyMessageIntegrity(KEY)).isTrue();
            assertThat(reader.verifyMessageIntegritySha256(KEY)).isTrue();
            assertThat(reader.verifyFingerprint()).isTrue();
            return null;
        });
    }

    @Test
    void skippedAttributesDoNotCountTowardsTheLimit() throws Exception {
        RawStun message = withPriorities(StunReader.MAX_ATTRIBUTES - 1).messageIntegrity(KEY);
        for (int i = 0; i < 10; i++) {
            message.u32(AttributeType.PRIORITY, i);
        }
        Buffers.using(Buffers.heap(message.build()), buf -> {
            assertThat(reader.wrap(buf)).isNull();
            assertThat(reader.attributeCount()).isEqualTo(StunReader.MAX_ATTRIBUTES);
            return null;
        });
    }

    @Test
    void unknownComprehensionRequiredAttributesAreReportedAndOptionalOnesAreNot() throws Exception {
        byte[] message = RawStun.bindingRequest()
                .u32(UNKNOWN_OPTIONAL, 1)
                .text(AttributeType.USERNAME, "alice")
                .u32(UNKNOWN_REQUIRED, 2)
                .attribute(0x7FFF)
                .build();
        Buffers.using(Buffers.heap(message), buf -> {
            assertThat(reader.wrap(buf)).isNull();
            assertThat(reader.has(UNKNOWN_OPTIONAL)).isTrue();
            assertThat(reader.firstUnknownComprehensionRequired()).isEqualTo(UNKNOWN_REQUIRED);
            int[] all = new int[4];
            assertThat(reader.unknownComprehensionRequired(all)).isEqualTo(2);
            assertThat(Arrays.copyOf(all, 2)).containsExactly(UNKNOWN_REQUIRED, 0x7FFF);
            int[] one = new int[1];
            assertThat(reader.unknownComprehensionRequired(one)).isEqualTo(1);
            assertThat(one).containsExactly(UNKNOWN_REQUIRED);
            return null;
        });
        byte[] optionalOnly = RawStun.bindingRequest().u32(UNKNOWN_OPTIONAL, 1).build();
        Buffers.using(Buffers.heap(optionalOnly), buf -> {
            assertThat(reader.wrap(buf)).isNull();
            assertThat(reader.firstUnknownComprehensionRequired()).isEqualTo(-1);
            assertThat(reader.unknownComprehensionRequired(new int[4])).isZero();
            return null;
        });
    }

    // --- where the message sits ---

    @ParameterizedTest
    @EnumSource(Layout.class)
    void readsOnlyTheReadableBytesWhereverTheyAre(Layout layout) throws Exception {
        byte[] message = RawStun.bindingRequest()
                .text(AttributeType.USERNAME, "alice")
                .u32(AttributeType.PRIORITY, 0x6e0001ff)
                .messageIntegrity(KEY)
                .fingerprint()
                .build();
        Buffers.using(layout.place(message), buf -> {
            int readerIndex = buf.readerIndex();
            int writerIndex = buf.writerIndex();
            assertThat(reader.wrap(buf)).isNull();
            assertThat(reader.start()).isEqualTo(readerIndex);
            assertThat(reader.totalLength()).isEqualTo(message.length);
            assertThat(reader.transactionIdHigh()).isEqualTo(RawStun.TX_HIGH);
            assertThat(reader.transactionIdLow()).isEqualTo(RawStun.TX_LOW);
            assertThat(reader.method()).isEqualTo(StunMethod.BINDING);
            assertThat(reader.messageClass()).isEqualTo(StunClass.REQUEST);
            assertThat(reader.text(AttributeType.USERNAME)).isEqualTo("alice");
            assertThat(reader.u32(AttributeType.PRIORITY)).isEqualTo(0x6e0001ffL);
            assertThat(reader.verifyMessageIntegrity(KEY)).isTrue();
            assertThat(reader.verifyFingerprint()).isTrue();
            assertThat(StunMessage.decode(buf).attributes()).hasSize(4);
            assertThat(buf.readerIndex()).isEqualTo(readerIndex);
            assertThat(buf.writerIndex()).isEqualTo(writerIndex);
            return null;
        });
    }

    @Test
    void valuesOfTheWrongShapeOrMissingGiveNoValue() throws Exception {
        byte[] message = RawStun.bindingRequest()
                .attribute(AttributeType.PRIORITY, new byte[8])
                .build();
        Buffers.using(Buffers.heap(message), buf -> {
            assertThat(reader.wrap(buf)).isNull();
            assertThat(reader.u32(AttributeType.PRIORITY)).isEqualTo(-1);
            assertThat(reader.u32(AttributeType.LIFETIME)).isEqualTo(-1);
            assertThat(reader.text(AttributeType.USERNAME)).isNull();
            assertThat(reader.indexOf(AttributeType.USERNAME)).isEqualTo(-1);
            assertThat(reader.hasMessageIntegrity()).isFalse();
            assertThat(reader.verifyMessageIntegrity(KEY)).isFalse();
            assertThat(reader.verifyMessageIntegritySha256(KEY)).isFalse();
            assertThat(reader.verifyFingerprint()).isFalse();
            return null;
        });
    }

    @Test
    void failedWrapForgetsThePreviousMessage() throws Exception {
        byte[] good =
                RawStun.bindingRequest().messageIntegrity(KEY).fingerprint().build();
        byte[] bad = RawStun.bindingRequest().fingerprint().fingerprint().build();
        ByteBuf first = Buffers.heap(good);
        ByteBuf second = Buffers.heap(bad);
        try {
            assertThat(reader.wrap(first)).isNull();
            assertThat(reader.attributeCount()).isEqualTo(2);
            assertThat(reader.wrap(second)).isEqualTo(ParseError.ATTRIBUTE_AFTER_FINGERPRINT);
            assertThat(reader.attributeCount()).isZero();
            assertThat(reader.hasMessageIntegrity()).isFalse();
            assertThat(reader.hasFingerprint()).isFalse();
        } finally {
            first.release();
            second.release();
        }
    }

    // --- helpers ---

    private static RawStun withPriorities(int count) {
        RawStun message = RawStun.bindingRequest();
        for (int i = 0; i < count; i++) {
            message.u32(AttributeType.PRIORITY, i);
        }
        return message;
    }

    private int[] indexedTypes() {
        int[] types = new int[reader.attributeCount()];
        for (int i = 0; i < types.length; i++) {
            types[i] = reader.attributeType(i);
        }
        return types;
    }

    /** Both decoders, from heap and direct buffers, reject the bytes for exactly this reason. */
    static void assertRejected(byte[] message, ParseError reason) {
        for (Layout layout : new Layout[] {Layout.HEAP, Layout.DIRECT_SLICE}) {
            ByteBuf buf = layout.place(message);
            try {
                assertThat(new StunReader().wrap(buf))
                        .as("StunReader.wrap, %s", layout)
                        .isEqualTo(reason);
                assertThatThrownBy(() -> StunMessage.decode(buf))
                        .as("StunMessage.decode, %s", layout)
                        .isInstanceOfSatisfying(
                                StunParseException.class,
                                e -> assertThat(e.reason()).isEqualTo(reason));
            } finally {
                buf.release();
            }
        }
    }
}
