package io.tern.stun;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.testing.Buffers;
import io.tern.testing.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The hot-path writer: ordering rules, integrity and fingerprint, headers, and the builder on top. */
class StunWriterTest {
    private static final byte[] KEY = "key".getBytes(UTF_8);
    private static final byte[] SHA256_KEY = "a 32-byte SHA-256 long-term key!".getBytes(UTF_8);
    private static final TransactionId TX = new TransactionId(RawStun.TX_HIGH, RawStun.TX_LOW);

    // --- ordering ---

    @Test
    void noAttributeAfterIntegrityOrFingerprint() {
        assertOrderViolation(w -> w.messageIntegrity(KEY).text(AttributeType.SOFTWARE, "late"));
        assertOrderViolation(w -> w.messageIntegritySha256(SHA256_KEY).u32(AttributeType.PRIORITY, 1));
        assertOrderViolation(w -> w.fingerprint().empty(AttributeType.USE_CANDIDATE));
    }

    @Test
    void noIntegrityAfterFingerprintOrAfterSha256() {
        assertOrderViolation(w -> w.fingerprint().messageIntegrity(KEY));
        assertOrderViolation(w -> w.fingerprint().messageIntegritySha256(SHA256_KEY));
        assertOrderViolation(w -> w.messageIntegritySha256(SHA256_KEY).messageIntegrity(KEY));
    }

    @Test
    void eachIntegrityAndTheFingerprintAtMostOnce() {
        assertOrderViolation(w -> w.messageIntegrity(KEY).messageIntegrity(KEY));
        assertOrderViolation(w -> w.messageIntegritySha256(SHA256_KEY).messageIntegritySha256(SHA256_KEY));
        assertOrderViolation(w -> w.fingerprint().fingerprint());
    }

    @Test
    void nothingBeforeBeginOrAfterFinish() {
        StunWriter writer = new StunWriter();
        assertThatThrownBy(() -> writer.u32(AttributeType.PRIORITY, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(writer::fingerprint).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class);
        withBuffer(out -> {
            writer.begin(out, StunClass.REQUEST, StunMethod.BINDING, TX).finish();
            assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.messageIntegrity(KEY)).isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void sizeLimitsAreArgumentErrors() {
        withBuffer(out -> assertThatThrownBy(() -> new StunWriter().begin(out, 0x4000, TX))
                .isInstanceOf(IllegalArgumentException.class));
        withBuffer(out -> {
            StunWriter writer = new StunWriter().begin(out, StunClass.INDICATION, StunMethod.SEND, TX);
            assertThatThrownBy(() -> writer.attribute(AttributeType.DATA, new byte[0x10000]))
                    .isInstanceOf(IllegalArgumentException.class);
        });
        withBuffer(out -> {
            StunWriter writer = new StunWriter()
                    .begin(out, StunClass.INDICATION, StunMethod.SEND, TX)
                    .attribute(AttributeType.DATA, new byte[0xFFF8]); // the largest message: length 0xFFFC
            assertThat(writer.finish().readableBytes()).isEqualTo(20 + 0xFFFC);
        });
        withBuffer(out -> {
            StunWriter writer = new StunWriter()
                    .begin(out, StunClass.INDICATION, StunMethod.SEND, TX)
                    .attribute(AttributeType.DATA, new byte[0xFFF8]);
            assertThatThrownBy(writer::fingerprint).isInstanceOf(IllegalStateException.class);
        });
    }

    // --- integrity and fingerprint ---

    @Test
    void bothIntegritiesAndFingerprintVerifyTogether() throws Exception {
        byte[] message = written(w -> w.text(AttributeType.USERNAME, "alice")
                .messageIntegrity(KEY)
                .messageIntegritySha256(SHA256_KEY)
                .fingerprint());

        Buffers.using(Buffers.direct(message), buf -> {
            StunReader reader = new StunReader();
            assertThat(reader.wrap(buf)).isNull();
            assertThat(reader.verifyMessageIntegrity(KEY)).isTrue();
            assertThat(reader.verifyMessageIntegritySha256(SHA256_KEY)).isTrue();
            assertThat(reader.verifyFingerprint()).isTrue();
            assertThat(reader.verifyMessageIntegrity(SHA256_KEY)).isFalse();
            assertThat(reader.verifyMessageIntegritySha256(KEY)).isFalse();
            return null;
        });
    }

    @Test
    void integrityAndFingerprintAreTheBytesAnIndependentImplementationComputes() {
        byte[] ours = written(w -> w.text(AttributeType.USERNAME, "alice")
                .u32(AttributeType.PRIORITY, 0x6e0001ff)
                .messageIntegrity(KEY)
                .messageIntegritySha256(SHA256_KEY)
                .fingerprint());
        byte[] reference = RawStun.bindingRequest()
                .text(AttributeType.USERNAME, "alice")
                .u32(AttributeType.PRIORITY, 0x6e0001ff)
                .messageIntegrity(KEY)
                .messageIntegritySha256(SHA256_KEY, 32)
                .fingerprint()
                .build();
        assertThat(Hex.string(ours)).isEqualTo(Hex.string(reference));
    }

    @Test
    void messageWrittenAfterOtherBytesInTheBufferIsSelfContained() throws Exception {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[] {(byte) 0xFF, 1, 2});
        try {
            new StunWriter()
                    .begin(out, StunClass.REQUEST, StunMethod.BINDING, TX)
                    .text(AttributeType.USERNAME, "alice")
                    .messageIntegrity(KEY)
                    .fingerprint()
                    .finish();
            ByteBuf message = out.skipBytes(3);
            StunReader reader = new StunReader();
            assertThat(reader.wrap(message)).isNull();
            assertThat(reader.verifyMessageIntegrity(KEY)).isTrue();
            assertThat(reader.verifyFingerprint()).isTrue();
        } finally {
            out.release();
        }
    }

    // --- headers ---

    @Test
    void responseKeepsTheRequestsTransactionIdAndCookie() throws Exception {
        for (int cookie : new int[] {StunReader.MAGIC_COOKIE, 0x01020304}) {
            byte[] request = RawStun.bindingRequest().cookie(cookie).build();
            byte[] response = Buffers.using(Buffers.heap(request), in -> {
                StunReader reader = new StunReader();
                assertThat(reader.wrap(in, true)).isNull();
                return Buffers.drain(new StunWriter()
                        .beginResponse(ByteBufAllocator.DEFAULT.buffer(), StunClass.SUCCESS_RESPONSE, reader)
                        .finish());
            });
            assertThat(Hex.string(response))
                    .isEqualTo(Hex.string(
                            RawStun.bindingRequest().type(0x0101).cookie(cookie).build()));
        }
    }

    @Test
    void utf8TextLengthCountsBytesNotChars() {
        byte[] message = written(w -> w.text(AttributeType.USERNAME, "\u30DE\u30C8")); // 6 bytes
        assertThat(Hex.string(message).substring(60)).isEqualTo(Hex.string(Hex.bytes("0006 0006 e3839ee38388 0000")));
    }

    @Test
    void messageTypeInterleavesClassAndMethodBits() {
        assertThat(StunClass.REQUEST.messageType(StunMethod.BINDING)).isEqualTo(0x0001);
        assertThat(StunClass.INDICATION.messageType(StunMethod.BINDING)).isEqualTo(0x0011);
        assertThat(StunClass.SUCCESS_RESPONSE.messageType(StunMethod.BINDING)).isEqualTo(0x0101);
        assertThat(StunClass.ERROR_RESPONSE.messageType(StunMethod.BINDING)).isEqualTo(0x0111);
        assertThat(StunClass.REQUEST.messageType(StunMethod.ALLOCATE)).isEqualTo(0x0003);
        assertThat(StunClass.INDICATION.messageType(StunMethod.SEND)).isEqualTo(0x0016);
        assertThat(StunClass.INDICATION.messageType(StunMethod.DATA)).isEqualTo(0x0017);
        assertThat(StunClass.ERROR_RESPONSE.messageType(0xFFF)).isEqualTo(0x3FFF);
    }

    @Test
    void messageTypeMethodAndClassAreInverseForEveryMethodAndClass() {
        boolean[] seen = new boolean[0x4000];
        for (int method = 0; method < StunMethod.METHOD_SPACE; method++) {
            for (StunClass messageClass : StunClass.values()) {
                int type = messageClass.messageType(method);
                assertThat(type).isBetween(0, 0x3FFF);
                assertThat(StunClass.methodOf(type)).isEqualTo(method);
                assertThat(StunClass.ofMessageType(type)).isEqualTo(messageClass);
                assertThat(seen[type]).as("type %04x produced twice", type).isFalse();
                seen[type] = true;
            }
        }
    }

    // --- builder ---

    @Test
    void builderEncodesAtTheWriterIndexOfTheGivenBuffer() throws Exception {
        StunMessageBuilder.Sealed message = StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, TX)
                .add(new StunAttribute.Text(AttributeType.USERNAME, "alice"))
                .integrity(KEY)
                .integritySha256(SHA256_KEY)
                .fingerprint();
        byte[] viaWriter = written(w -> w.text(AttributeType.USERNAME, "alice")
                .messageIntegrity(KEY)
                .messageIntegritySha256(SHA256_KEY)
                .fingerprint());
        assertThat(StunBytes.encode(message)).isEqualTo(viaWriter);
    }

    @Test
    void builderReleasesItsBufferWhenEncodingFails() {
        RecordingAllocator allocator = new RecordingAllocator();
        StunMessageBuilder.Attributes builder = StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, TX)
                .add(new StunAttribute.MessageIntegrity(new byte[20]));
        try {
            assertThatThrownBy(() -> builder.encode(allocator)).isInstanceOf(IllegalArgumentException.class);
            assertThat(allocator.handedOut)
                    .isNotEmpty()
                    .allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
        } finally {
            allocator.releaseAll();
        }
    }

    // --- helpers ---

    private static void withBuffer(Consumer<ByteBuf> body) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            body.accept(out);
        } finally {
            out.release();
        }
    }

    /** A Binding request with the test transaction id and whatever {@code attributes} writes. */
    private static byte[] written(Consumer<StunWriter> attributes) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        StunWriter writer = new StunWriter().begin(out, StunClass.REQUEST, StunMethod.BINDING, TX);
        attributes.accept(writer);
        return Buffers.drain(writer.finish());
    }

    private static void assertOrderViolation(Consumer<StunWriter> calls) {
        withBuffer(out -> {
            StunWriter writer = new StunWriter().begin(out, StunClass.REQUEST, StunMethod.BINDING, TX);
            assertThatThrownBy(() -> calls.accept(writer)).isInstanceOf(IllegalStateException.class);
        });
    }

    /** Hands out leak-tracked buffers and remembers them, to check what a caller released. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> handedOut = new ArrayList<>();

        RecordingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return record(ByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return record(ByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf record(ByteBuf buf) {
            handedOut.add(buf);
            return buf;
        }

        void releaseAll() {
            for (ByteBuf buf : handedOut) {
                if (buf.refCnt() > 0) {
                    buf.release(buf.refCnt());
                }
            }
        }
    }
}
