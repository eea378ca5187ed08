package io.tern.load.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tern.stun.ParseError;
import io.tern.stun.StunClass;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The STUN codec's hot path, as one event-loop thread runs it: decode, encode, and the integrity and
 * fingerprint checks, on pre-built messages of realistic shape and size.
 *
 * <p>Every message lives in a buffer of the kind given by {@link #buffer}, so the heap ({@code
 * hasArray()}) and direct (copy-through-scratch) paths of the codec are both measured. The readers and
 * the writer are fields, one set per benchmark thread, as the server keeps one per event loop. The
 * check benchmarks run on a reader wrapped once in {@link #setUp}, so they time the check alone (as
 * pion/stun's {@code BenchmarkMessageIntegrity_Check} and {@code BenchmarkFingerprint_Check} do);
 * {@link #decodeAndVerifyAllocate} is the whole per-request cost.
 *
 * <p>The forked JVM runs the benchmark threads as {@code FastThreadLocalThread}s (see {@link
 * EventLoopThreadExecutor}) and turns Netty's leak detector off, so that a sampled, leak-tracked
 * wrapper does not land on one of the few buffers in some forks and not in others.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 2,
        jvmArgsAppend = {
            "-Dio.netty.leakDetection.level=disabled",
            "-Djmh.executor=CUSTOM",
            "-Djmh.executor.class=io.tern.load.bench.EventLoopThreadExecutor"
        })
public class StunCodecBenchmark {

    /** Where the messages live. */
    public enum BufferKind {
        /** {@code PooledByteBufAllocator.DEFAULT.heapBuffer}: {@code hasArray()} is true. */
        HEAP,
        /** {@code PooledByteBufAllocator.DEFAULT.directBuffer}: off-heap, as a datagram read by Netty. */
        DIRECT,
        /**
         * {@code AdaptiveByteBufAllocator} direct: what Netty 4.2's {@code ByteBufAllocator.DEFAULT}
         * hands a channel that sets no allocator.
         */
        ADAPTIVE_DIRECT;

        ByteBuf allocate(int capacity) {
            return switch (this) {
                case HEAP -> PooledByteBufAllocator.DEFAULT.heapBuffer(capacity);
                case DIRECT -> PooledByteBufAllocator.DEFAULT.directBuffer(capacity);
                case ADAPTIVE_DIRECT -> ADAPTIVE.directBuffer(capacity);
            };
        }

        private static final ByteBufAllocator ADAPTIVE = new AdaptiveByteBufAllocator();
    }

    // ---- The messages. Fixed values, so every fork measures the same bytes. ----

    /** Chrome-style ICE ufrags: USERNAME is "remote:local". */
    static final String ICE_USERNAME = "Hx2a:9fLk";
    /** The remote ice-pwd: the short-term key of ICE connectivity checks (RFC 8445 §7.2.2). */
    static final byte[] ICE_KEY = "asd88fgpdd777uzjYhagZgkR".getBytes(StandardCharsets.UTF_8);

    static final long ICE_PRIORITY = 1_853_824_767L; // a host candidate, typical of browsers
    static final long ICE_TIE_BREAKER = 0x5A1E_77C4_0B3D_9F21L;

    static final String USERNAME = "alice";
    static final String REALM = "example.org";
    static final String PASSWORD = "correct horse battery staple";
    static final String NONCE = "f1b4c9d2e8a70356";

    /** The long-term key of RFC 5389 (MD5), for MESSAGE-INTEGRITY. */
    static final byte[] MD5_KEY = LongTermKey.md5(USERNAME, REALM, PASSWORD);
    /** The long-term key of RFC 8489 (SHA-256), for MESSAGE-INTEGRITY-SHA256. */
    static final byte[] SHA256_KEY = LongTermKey.derive(PasswordAlgorithm.SHA_256, USERNAME, REALM, PASSWORD);

    static final TransactionId BINDING_ID = new TransactionId(0xB7E7_A701_BC34_D686L, 0xFA87_DFAE);
    static final TransactionId ALLOCATE_ID = new TransactionId(0x4C1A_2B3C_9D8E_7F60L, 0x1234_5678);

    /** The client's reflexive address, as a TEST-NET-3 IPv4 address and an ephemeral port. */
    static final InetAddress MAPPED_IP = ipv4(203, 0, 113, 7);

    static final int MAPPED_PORT = 54_321;

    @Param({"HEAP", "DIRECT", "ADAPTIVE_DIRECT"})
    public BufferKind buffer;

    /** Binding request of a browser's ICE check: 92 bytes. */
    public ByteBuf bindingRequest;
    /** Allocate with MESSAGE-INTEGRITY (HMAC-SHA1) and FINGERPRINT: 108 bytes. */
    public ByteBuf allocateSha1;
    /** Allocate with PASSWORD-ALGORITHM, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT: 128 bytes. */
    public ByteBuf allocateSha256;
    /** Where the Binding success response is encoded, cleared before each. */
    public ByteBuf responseOut;

    /** Decodes: {@link #decodeBindingRequest} re-wraps it; it is the request the encoder answers. */
    public StunReader reader;
    /** Wrapped once over {@link #allocateSha1}. */
    public StunReader sha1Reader;
    /** Wrapped once over {@link #allocateSha256}. */
    public StunReader sha256Reader;
    /** Wrapped once over {@link #bindingRequest}, for the FINGERPRINT check. */
    public StunReader fingerprintReader;
    /** Re-wraps {@link #allocateSha1} in {@link #decodeAndVerifyAllocate}. */
    public StunReader requestReader;

    public StunWriter writer;

    @Setup(Level.Trial)
    public void setUp() {
        bindingRequest = copyInto(buffer, bindingRequest());
        allocateSha1 = copyInto(buffer, allocateSha1());
        allocateSha256 = copyInto(buffer, allocateSha256());
        responseOut = buffer.allocate(256);

        reader = wrapped(bindingRequest);
        sha1Reader = wrapped(allocateSha1);
        sha256Reader = wrapped(allocateSha256);
        fingerprintReader = wrapped(bindingRequest);
        requestReader = wrapped(allocateSha1);
        writer = new StunWriter();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bindingRequest.release();
        allocateSha1.release();
        allocateSha256.release();
        responseOut.release();
    }

    /** Parses the framing and indexes the six attributes of a browser's Binding request. */
    @Benchmark
    public ParseError decodeBindingRequest(Blackhole bh) {
        ParseError error = reader.wrap(bindingRequest);
        bh.consume(reader.attributeCount());
        bh.consume(reader.messageType());
        return error;
    }

    /** Binding success response: XOR-MAPPED-ADDRESS (IPv4) and FINGERPRINT, into a reused buffer. */
    @Benchmark
    public ByteBuf encodeBindingSuccess() {
        responseOut.clear();
        return writer.beginResponse(responseOut, StunClass.SUCCESS_RESPONSE, reader)
                .address(AttributeType.XOR_MAPPED_ADDRESS, MAPPED_IP, MAPPED_PORT)
                .fingerprint()
                .finish();
    }

    /** HMAC-SHA1 over the 76 bytes that precede MESSAGE-INTEGRITY, with the MD5 long-term key. */
    @Benchmark
    public boolean checkMessageIntegrity() {
        return sha1Reader.verifyMessageIntegrity(MD5_KEY);
    }

    /** HMAC-SHA256 over the 84 bytes that precede MESSAGE-INTEGRITY-SHA256, with the SHA-256 key. */
    @Benchmark
    public boolean checkMessageIntegritySha256() {
        return sha256Reader.verifyMessageIntegritySha256(SHA256_KEY);
    }

    /** CRC-32 over the 84 bytes that precede FINGERPRINT of the Binding request. */
    @Benchmark
    public boolean checkFingerprint() {
        return fingerprintReader.verifyFingerprint();
    }

    /** What the server does per authenticated request: wrap, FINGERPRINT, MESSAGE-INTEGRITY. */
    @Benchmark
    public boolean decodeAndVerifyAllocate() {
        return requestReader.wrap(allocateSha1) == null
                && requestReader.verifyFingerprint()
                && requestReader.verifyMessageIntegrity(MD5_KEY);
    }

    // ---- Message construction (setup only; allocation is fine here). ----

    /** USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT. */
    static ByteBuf bindingRequest() {
        ByteBuf out = Unpooled.buffer(128);
        return new StunWriter()
                .begin(out, StunClass.REQUEST, StunMethod.BINDING, BINDING_ID)
                .text(AttributeType.USERNAME, ICE_USERNAME)
                .u32(AttributeType.PRIORITY, (int) ICE_PRIORITY)
                .u64(AttributeType.ICE_CONTROLLING, ICE_TIE_BREAKER)
                .empty(AttributeType.USE_CANDIDATE)
                .messageIntegrity(ICE_KEY)
                .fingerprint()
                .finish();
    }

    /** REQUESTED-TRANSPORT, USERNAME, REALM, NONCE, MESSAGE-INTEGRITY, FINGERPRINT. */
    static ByteBuf allocateSha1() {
        ByteBuf out = Unpooled.buffer(128);
        return allocateAttributes(out).messageIntegrity(MD5_KEY).fingerprint().finish();
    }

    /** As {@link #allocateSha1} with PASSWORD-ALGORITHM SHA-256 and MESSAGE-INTEGRITY-SHA256. */
    static ByteBuf allocateSha256() {
        ByteBuf out = Unpooled.buffer(160);
        return allocateAttributes(out)
                .u32(AttributeType.PASSWORD_ALGORITHM, PasswordAlgorithm.SHA_256.code() << 16)
                .messageIntegritySha256(SHA256_KEY)
                .fingerprint()
                .finish();
    }

    private static StunWriter allocateAttributes(ByteBuf out) {
        return new StunWriter()
                .begin(out, StunClass.REQUEST, StunMethod.ALLOCATE, ALLOCATE_ID)
                .firstOctet(AttributeType.REQUESTED_TRANSPORT, 17) // UDP
                .text(AttributeType.USERNAME, USERNAME)
                .text(AttributeType.REALM, REALM)
                .text(AttributeType.NONCE, NONCE);
    }

    /** Copies {@code message} into a new buffer of {@code kind} and releases it. */
    static ByteBuf copyInto(BufferKind kind, ByteBuf message) {
        try {
            return kind.allocate(message.readableBytes()).writeBytes(message);
        } finally {
            message.release();
        }
    }

    private static StunReader wrapped(ByteBuf message) {
        StunReader r = new StunReader();
        ParseError error = r.wrap(message);
        if (error != null) {
            throw new IllegalStateException("benchmark message does not parse: " + error);
        }
        return r;
    }

    private static InetAddress ipv4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
