package io.tern.load.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tern.stun.StunClass;
import io.tern.stun.StunMethod;
import io.tern.stun.StunParseException;
import io.tern.stun.StunReader;
import io.tern.stun.attr.AttributeCodec;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.StunCrypto;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Runs each benchmark body once per buffer kind and checks that it does what its name says, so a
 * benchmark that silently measures a parse error or a failed check breaks the build.
 */
class StunCodecBenchmarkTest {
    private final Blackhole bh = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    private StunCodecBenchmark bench;

    private StunCodecBenchmark setUp(StunCodecBenchmark.BufferKind kind) {
        bench = new StunCodecBenchmark();
        bench.buffer = kind;
        bench.setUp();
        return bench;
    }

    @AfterEach
    void tearDown() {
        bh.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
        if (bench != null) {
            bench.tearDown();
            assertThat(bench.bindingRequest.refCnt()).isZero();
            assertThat(bench.allocateSha1.refCnt()).isZero();
            assertThat(bench.allocateSha256.refCnt()).isZero();
            assertThat(bench.responseOut.refCnt()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(StunCodecBenchmark.BufferKind.class)
    void messagesHaveTheIntendedSizeAndKind(StunCodecBenchmark.BufferKind kind) {
        StunCodecBenchmark b = setUp(kind);
        assertThat(b.bindingRequest.readableBytes()).isEqualTo(92);
        assertThat(b.allocateSha1.readableBytes()).isEqualTo(108);
        assertThat(b.allocateSha256.readableBytes()).isEqualTo(128);
        boolean heap = kind == StunCodecBenchmark.BufferKind.HEAP;
        for (ByteBuf buf : new ByteBuf[] {b.bindingRequest, b.allocateSha1, b.allocateSha256, b.responseOut}) {
            assertThat(buf.isDirect()).isEqualTo(!heap);
            assertThat(buf.hasArray()).isEqualTo(heap);
        }
    }

    @ParameterizedTest
    @EnumSource(StunCodecBenchmark.BufferKind.class)
    void decodeIndexesTheSixAttributes(StunCodecBenchmark.BufferKind kind) {
        StunCodecBenchmark b = setUp(kind);
        assertThat(b.decodeBindingRequest(bh)).isNull();
        StunReader r = b.reader;
        assertThat(r.attributeCount()).isEqualTo(6);
        assertThat(r.method()).isEqualTo(StunMethod.BINDING);
        assertThat(r.messageClass()).isEqualTo(StunClass.REQUEST);
        assertThat(r.text(AttributeType.USERNAME)).isEqualTo(StunCodecBenchmark.ICE_USERNAME);
        assertThat(r.u32(AttributeType.PRIORITY)).isEqualTo(StunCodecBenchmark.ICE_PRIORITY);
        assertThat(r.has(AttributeType.ICE_CONTROLLING)).isTrue();
        assertThat(r.has(AttributeType.USE_CANDIDATE)).isTrue();
        assertThat(r.verifyMessageIntegrity(StunCodecBenchmark.ICE_KEY)).isTrue();
        assertThat(r.verifyFingerprint()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(StunCodecBenchmark.BufferKind.class)
    void encodeWritesAValidBindingSuccessEveryTime(StunCodecBenchmark.BufferKind kind) throws StunParseException {
        StunCodecBenchmark b = setUp(kind);
        for (int run = 0; run < 3; run++) { // the buffer is reused: each run must give the same message
            ByteBuf out = b.encodeBindingSuccess();
            assertThat(out).isSameAs(b.responseOut);
            assertThat(out.readerIndex()).isZero();
            assertThat(out.readableBytes()).isEqualTo(20 + 12 + 8);

            StunReader r = new StunReader();
            assertThat(r.wrap(out)).isNull();
            assertThat(r.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            assertThat(r.method()).isEqualTo(StunMethod.BINDING);
            assertThat(r.transactionId()).isEqualTo(StunCodecBenchmark.BINDING_ID);
            assertThat(r.attributeCount()).isEqualTo(2);
            assertThat(r.verifyFingerprint()).isTrue();
            assertThat(AttributeCodec.decode(r, r.indexOf(AttributeType.XOR_MAPPED_ADDRESS)))
                    .isEqualTo(new StunAttribute.Address(
                            AttributeType.XOR_MAPPED_ADDRESS,
                            new InetSocketAddress(StunCodecBenchmark.MAPPED_IP, StunCodecBenchmark.MAPPED_PORT)));
        }
    }

    @ParameterizedTest
    @EnumSource(StunCodecBenchmark.BufferKind.class)
    void integrityChecksPassAndWouldFailWithAnotherKey(StunCodecBenchmark.BufferKind kind) {
        StunCodecBenchmark b = setUp(kind);
        assertThat(b.checkMessageIntegrity()).isTrue();
        assertThat(b.checkMessageIntegritySha256()).isTrue();
        assertThat(b.decodeAndVerifyAllocate()).isTrue();

        // The benchmarks must measure a real comparison, not an early "absent" false or a constant.
        assertThat(b.sha1Reader.hasMessageIntegrity()).isTrue();
        assertThat(b.sha256Reader.hasMessageIntegritySha256()).isTrue();
        assertThat(b.sha1Reader.verifyMessageIntegrity(StunCodecBenchmark.SHA256_KEY))
                .isFalse();
        assertThat(b.sha256Reader.verifyMessageIntegritySha256(StunCodecBenchmark.MD5_KEY))
                .isFalse();
    }

    @ParameterizedTest
    @EnumSource(StunCodecBenchmark.BufferKind.class)
    void fingerprintCheckPassesAndWouldFailOnACorruptedByte(StunCodecBenchmark.BufferKind kind) {
        StunCodecBenchmark b = setUp(kind);
        assertThat(b.checkFingerprint()).isTrue();

        ByteBuf buf = b.bindingRequest;
        int index = 30; // inside USERNAME
        byte original = buf.getByte(index);
        buf.setByte(index, original ^ 1);
        assertThat(b.checkFingerprint()).isFalse();
        buf.setByte(index, original);
        assertThat(b.checkFingerprint()).isTrue();
    }

    @Test
    void keysHaveTheirAlgorithmsLengths() {
        assertThat(StunCodecBenchmark.MD5_KEY).hasSize(16);
        assertThat(StunCodecBenchmark.SHA256_KEY).hasSize(32);
        assertThat(StunCrypto.current().hmacSha1().macLength()).isEqualTo(20);
    }

    @Test
    void eventLoopExecutorRunsFastThreadLocalThreads() throws Exception {
        EventLoopThreadExecutor executor = new EventLoopThreadExecutor(1, "bench-test");
        try {
            Thread worker = executor.submit(Thread::currentThread).get();
            assertThat(worker).isInstanceOf(io.netty.util.concurrent.FastThreadLocalThread.class);
            assertThat(worker.getName()).startsWith("bench-test");
        } finally {
            executor.shutdownNow();
        }
    }
}
