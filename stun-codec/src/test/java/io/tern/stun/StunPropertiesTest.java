package io.tern.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.channel.ChannelData;
import io.tern.stun.channel.StreamFraming;
import io.tern.testing.Buffers;
import io.tern.testing.Buffers.Layout;
import io.tern.testing.Hex;
import io.tern.testing.HexFixture;
import io.tern.testing.Property;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Properties over random messages: whatever is built decodes to what it was built from and its
 * integrity verifies; whatever bytes arrive, every entry point answers with a typed rejection and
 * nothing else. Failures name a seed to replay (see {@link Property}).
 */
class StunPropertiesTest {
    private static final Layout[] LAYOUTS = Layout.values();
    private static final Set<ParseError> ATTRIBUTE_VALUE_ERRORS =
            EnumSet.of(ParseError.BAD_ATTRIBUTE_LENGTH, ParseError.BAD_ATTRIBUTE_VALUE);

    /** Valid messages to damage: the RFC vectors and the checked-in corpus. */
    private static final List<byte[]> SEEDS = Stream.concat(
                    HexFixture.loadAll("vectors").stream(), HexFixture.loadAll("corpus").stream())
            .map(HexFixture::bytes)
            .toList();

    /** A random message with its ingredients. */
    private record Built(
            StunClass messageClass,
            int method,
            TransactionId transactionId,
            List<StunAttribute> attributes,
            byte[] sha1Key,
            byte[] sha256Key,
            boolean fingerprint,
            byte[] bytes) {

        static Built random(Random r) {
            StunClass messageClass = RandomStun.messageClass(r);
            int method = RandomStun.method(r);
            TransactionId id = RandomStun.transactionId(r);
            List<StunAttribute> attributes = RandomStun.attributes(r, 12);
            byte[] sha1Key = r.nextBoolean() ? RandomStun.bytes(r, 1 + r.nextInt(80)) : null;
            byte[] sha256Key = r.nextBoolean() ? RandomStun.bytes(r, 1 + r.nextInt(80)) : null;
            boolean fingerprint = r.nextBoolean();

            StunMessageBuilder.Attributes builder = StunMessage.builder(messageClass, method, id);
            attributes.forEach(builder::add);
            StunMessageBuilder.Integrity integrity = sha1Key != null ? builder.integrity(sha1Key) : builder;
            if (sha256Key != null) {
                integrity = integrity.integritySha256(sha256Key);
            }
            byte[] bytes = StunBytes.encode(fingerprint ? integrity.fingerprint() : integrity);
            return new Built(messageClass, method, id, attributes, sha1Key, sha256Key, fingerprint, bytes);
        }

        /** The attribute types the builder appends after the given attributes. */
        List<Integer> computedTypes() {
            List<Integer> types = new ArrayList<>();
            if (sha1Key != null) {
                types.add(AttributeType.MESSAGE_INTEGRITY);
            }
            if (sha256Key != null) {
                types.add(AttributeType.MESSAGE_INTEGRITY_SHA256);
            }
            if (fingerprint) {
                types.add(AttributeType.FINGERPRINT);
            }
            return types;
        }
    }

    // --- valid messages ---

    @Test
    void generatorCoversEveryAttributeKind() {
        Random random = new Random(1);
        Set<Class<?>> generated = IntStream.range(0, 2000)
                .mapToObj(i -> RandomStun.attribute(random).getClass())
                .collect(Collectors.toSet());
        assertThat(generated).hasSize(RandomStun.kindCount());
        assertThat(StunAttribute.class.getPermittedSubclasses()).hasSize(RandomStun.kindCount() + 3);
    }

    @Test
    void builtMessageDecodesToTheAttributesItWasBuiltFrom() {
        Property.forAll(random -> {
            Built built = Built.random(random);
            Layout layout = LAYOUTS[random.nextInt(LAYOUTS.length)];

            StunMessage decoded = Buffers.using(layout.place(built.bytes()), StunMessage::decode);

            int n = built.attributes().size();
            assertThat(decoded.messageClass()).isEqualTo(built.messageClass());
            assertThat(decoded.method()).isEqualTo(built.method());
            assertThat(decoded.transactionId()).isEqualTo(built.transactionId());
            assertThat(decoded.attributes().subList(0, n)).isEqualTo(built.attributes());
            assertThat(decoded.attributes().subList(n, decoded.attributes().size()))
                    .extracting(StunAttribute::type)
                    .isEqualTo(built.computedTypes());
            assertThat(StunBytes.encode(decoded)).as("re-encoded").isEqualTo(built.bytes());
        });
    }

    @Test
    void builtMessageIntegrityAndFingerprintVerifyAndOnlyWithTheRightKeys() {
        Property.forAll(random -> {
            Built built = Built.random(random);
            Layout layout = LAYOUTS[random.nextInt(LAYOUTS.length)];

            Buffers.using(layout.place(built.bytes()), buf -> {
                StunReader reader = new StunReader();
                assertThat(reader.wrap(buf)).isNull();
                assertThat(reader.attributeCount())
                        .isEqualTo(built.attributes().size()
                                + built.computedTypes().size());
                assertThat(reader.hasFingerprint()).isEqualTo(built.fingerprint());
                assertThat(reader.verifyFingerprint()).isEqualTo(built.fingerprint());
                if (built.sha1Key() != null) {
                    assertThat(reader.verifyMessageIntegrity(built.sha1Key())).isTrue();
                    assertThat(reader.verifyMessageIntegrity(altered(built.sha1Key(), random)))
                            .isFalse();
                } else {
                    assertThat(reader.hasMessageIntegrity()).isFalse();
                }
                if (built.sha256Key() != null) {
                    assertThat(reader.verifyMessageIntegritySha256(built.sha256Key()))
                            .isTrue();
                    assertThat(reader.verifyMessageIntegritySha256(altered(built.sha256Key(), random)))
                            .isFalse();
                } else {
                    assertThat(reader.hasMessageIntegritySha256()).isFalse();
                }
                return null;
            });
        });
    }

    // --- any bytes ---

    @Test
    void randomBytesGetATypedAnswerFromEveryEntryPoint() {
        Property.forAll(random -> assertOnlyTypedRejections(RandomStun.noise(random), random));
    }

    @Test
    void damagedValidMessagesGetATypedAnswerFromEveryEntryPoint() {
        Property.forAll(random -> {
            byte[] valid =
                    random.nextBoolean() ? Built.random(random).bytes() : SEEDS.get(random.nextInt(SEEDS.size()));
            assertOnlyTypedRejections(RandomStun.damage(valid, random), random);
        });
    }

    /**
     * Runs the bytes through every parsing entry point: each may accept or answer with a {@link
     * ParseError}, nothing else may escape, indices never move, and whatever decodes re-encodes and
     * decodes to the same value.
     */
    private static void assertOnlyTypedRejections(byte[] input, Random random) {
        Layout layout = LAYOUTS[random.nextInt(LAYOUTS.length)];
        ByteBuf buf = layout.place(input);
        try {
            int readerIndex = buf.readerIndex();
            int writerIndex = buf.writerIndex();
            StunReader reader = new StunReader();

            if (reader.wrap(buf, true) == null) {
                exercise(reader, random);
            }
            ParseError framing = reader.wrap(buf);
            if (framing == null) {
                exercise(reader, random);
            }
            try {
                StunMessage decoded = StunMessage.decode(buf);
                assertThat(framing).isNull();
                assertThat(StunBytes.decode(StunBytes.encode(decoded))).isEqualTo(decoded);
            } catch (StunParseException e) {
                if (framing == null) {
                    assertThat(e.reason()).isIn(ATTRIBUTE_VALUE_ERRORS);
                } else {
                    assertThat(e.reason()).isEqualTo(framing);
                }
            }
            ChannelData.validate(buf);
            int frame = StreamFraming.frameLength(buf, 1 + random.nextInt(70_000));
            assertThat(frame).isGreaterThanOrEqualTo(StreamFraming.TOO_LARGE);

            assertThat(buf.readerIndex()).isEqualTo(readerIndex);
            assertThat(buf.writerIndex()).isEqualTo(writerIndex);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("input (" + layout + "): " + Hex.string(input), e);
        } finally {
            buf.release();
        }
    }

    /** Every accessor of a wrapped message must work on whatever the reader accepted. */
    private static void exercise(StunReader reader, Random random) {
        reader.messageType();
        reader.method();
        reader.messageClass();
        reader.transactionId();
        for (int i = 0; i < reader.attributeCount(); i++) {
            assertThat(reader.valueOffset(i) + reader.valueLength(i))
                    .isLessThanOrEqualTo(reader.start() + reader.totalLength());
        }
        reader.text(AttributeType.USERNAME);
        reader.u32(AttributeType.PRIORITY);
        reader.firstUnknownComprehensionRequired();
        reader.unknownComprehensionRequired(new int[2]);
        byte[] key = RandomStun.bytes(random, 16);
        reader.verifyMessageIntegrity(key);
        reader.verifyMessageIntegritySha256(key);
        reader.verifyFingerprint();
    }

    private static byte[] altered(byte[] key, Random random) {
        byte[] copy = Arrays.copyOf(key, key.length);
        copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
        return copy;
    }
}
