package io.tern.load.bench;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import io.tern.stun.StunReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.openjdk.jmh.annotations.*;

/** TEMPORARY experiments (not to be kept). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Dio.netty.leakDetection.level=disabled",
            "-Djmh.executor=CUSTOM",
            "-Djmh.executor.class=io.tern.load.bench.EventLoopThreadExecutor"
        })
public class ZzProtoBenchmark {
    @Param({"HEAP", "DIRECT"})
    public StunCodecBenchmark.BufferKind buffer;

    @Param({"84"})
    public int crcLength;

    ByteBuf binding;
    StunReader reader = new StunReader();
    Proto proto = new Proto();
    byte[] data;
    CRC32 crc = new CRC32();
    byte[] key = StunCodecBenchmark.MD5_KEY;
    byte[] ipad = new byte[64];
    byte[] opad = new byte[64];

    @Setup
    public void setUp() {
        binding = StunCodecBenchmark.copyInto(buffer, StunCodecBenchmark.bindingRequest());
        data = new byte[crcLength];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + 7);
        if (reader.wrap(binding) != null) throw new IllegalStateException();
        if (crcJdk() != crcSlicing8()) throw new IllegalStateException("slicing8");
        if (proto.wrapGetInt(binding) != 6 || proto.wrapRaw(binding) != 6) throw new IllegalStateException();
    }

    @TearDown
    public void tearDown() {
        binding.release();
    }

    @Benchmark
    public int baseline() {
        return crcLength + 1;
    }

    @Benchmark
    public long nanoTimeCost() {
        return System.nanoTime();
    }

    @Benchmark
    public Object decodeCurrent() {
        return reader.wrap(binding);
    }

    @Benchmark
    public int decodeGetIntHeader() {
        return proto.wrapGetInt(binding);
    }

    @Benchmark
    public int decodeRawAccess() {
        return proto.wrapRaw(binding);
    }

    @Benchmark
    public long crcJdk() {
        crc.reset();
        crc.update(data, 0, data.length);
        return crc.getValue();
    }

    @Param({"0"})
    public int crcOffset;

    byte[] big = new byte[2048];
    byte[] scratch = new byte[256];

    @Benchmark
    public long crcArrayAtOffset() {
        crc.reset();
        crc.update(big, crcOffset, crcLength);
        return crc.getValue();
    }

    /** As StunCrypto does for a direct buffer: copy into a scratch array, then CRC. */
    @Benchmark
    public long crcBufCopy() {
        crc.reset();
        if (binding.hasArray()) {
            crc.update(binding.array(), binding.arrayOffset(), 84);
        } else {
            binding.getBytes(0, scratch, 0, 84);
            crc.update(scratch, 0, 84);
        }
        return crc.getValue();
    }

    /** Zero copy: internalNioBuffer (reused, no allocation) and CRC32.update(ByteBuffer). */
    @Benchmark
    public long crcBufNio() {
        crc.reset();
        crc.update(binding.internalNioBuffer(0, 84));
        return crc.getValue();
    }

    @Benchmark
    public long crcSlicing8() {
        return Slicing8.crc(data, 0, data.length);
    }

    @Benchmark
    public byte[] hmacPadsCurrent() {
        byte[] k = key;
        for (int i = 0; i < 64; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
        return ipad;
    }

    @Benchmark
    public byte[] hmacPadsSplit() {
        byte[] k = key;
        int n = k.length;
        for (int i = 0; i < n; i++) {
            ipad[i] = (byte) (k[i] ^ 0x36);
        }
        for (int i = 0; i < n; i++) {
            opad[i] = (byte) (k[i] ^ 0x5c);
        }
        java.util.Arrays.fill(ipad, n, 64, (byte) 0x36);
        java.util.Arrays.fill(opad, n, 64, (byte) 0x5c);
        return ipad;
    }

    static final class Proto {
        private static final VarHandle BE_INT =
                MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
        final int[] types = new int[48];
        final int[] offsets = new int[48];
        final int[] lengths = new int[48];
        int count;
        int integrity;
        int integritySha256;
        int fingerprint;

        int wrapGetInt(ByteBuf buf) {
            int start = buf.readerIndex();
            int readable = buf.readableBytes();
            if (readable < 20) return -1;
            int first = buf.getInt(start);
            if ((first & 0xC0000000) != 0) return -1;
            if (buf.getInt(start + 4) != 0x2112A442) return -1;
            int ml = first & 0xFFFF;
            if ((ml & 3) != 0 || ml + 20 != readable) return -1;
            int end = start + 20 + ml;
            int pos = start + 20;
            count = 0;
            integrity = -1;
            integritySha256 = -1;
            fingerprint = -1;
            boolean afterIntegrity = false;
            while (pos < end) {
                if (fingerprint != -1) return -1;
                if (end - pos < 4) return -1;
                int h = buf.getInt(pos);
                int type = h >>> 16;
                int length = h & 0xFFFF;
                int value = pos + 4;
                int padded = (length + 3) & ~3;
                if (padded > end - value) return -1;
                pos = value + padded;
                switch (type) {
                    case 0x0008 -> {
                        if (integrity != -1) return -1;
                        if (integritySha256 != -1) return -1;
                        if (length != 20) return -1;
                        integrity = count;
                        afterIntegrity = true;
                    }
                    case 0x001C -> {
                        if (integritySha256 != -1) return -1;
                        if (length < 16 || length > 32 || (length & 3) != 0) return -1;
                        integritySha256 = count;
                        afterIntegrity = true;
                    }
                    case 0x8028 -> {
                        if (length != 4) return -1;
                        fingerprint = count;
                    }
                    default -> {
                        if (afterIntegrity) {
                            continue;
                        }
                    }
                }
                if (count == 48) return -1;
                types[count] = type;
                offsets[count] = value;
                lengths[count] = length;
                count++;
            }
            return count;
        }

        int wrapRaw(ByteBuf buf) {
            int start = buf.readerIndex();
            int readable = buf.readableBytes();
            if (readable < 20) return -1;
            if (buf.hasArray()) {
                return index(buf.array(), 0, buf.arrayOffset() + start, readable);
            }
            if (buf.hasMemoryAddress()) {
                return index(null, buf.memoryAddress(), start, readable);
            }
            return wrapGetInt(buf);
        }

        private static int readInt(byte[] a, long address, int i) {
            if (a != null) {
                return (int) BE_INT.get(a, i);
            }
            int v = PlatformDependent.getInt(address + i);
            return PlatformDependent.BIG_ENDIAN_NATIVE_ORDER ? v : Integer.reverseBytes(v);
        }

        private int index(byte[] a, long address, int start, int readable) {
            int first = readInt(a, address, start);
            if ((first & 0xC0000000) != 0) return -1;
            if (readInt(a, address, start + 4) != 0x2112A442) return -1;
            int ml = first & 0xFFFF;
            if ((ml & 3) != 0 || ml + 20 != readable) return -1;
            int end = start + 20 + ml;
            int pos = start + 20;
            count = 0;
            integrity = -1;
            integritySha256 = -1;
            fingerprint = -1;
            boolean afterIntegrity = false;
            while (pos < end) {
                if (fingerprint != -1) return -1;
                if (end - pos < 4) return -1;
                int h = readInt(a, address, pos);
                int type = h >>> 16;
                int length = h & 0xFFFF;
                int value = pos + 4;
                int padded = (length + 3) & ~3;
                if (padded > end - value) return -1;
                pos = value + padded;
                switch (type) {
                    case 0x0008 -> {
                        if (integrity != -1) return -1;
                        if (integritySha256 != -1) return -1;
                        if (length != 20) return -1;
                        integrity = count;
                        afterIntegrity = true;
                    }
                    case 0x001C -> {
                        if (integritySha256 != -1) return -1;
                        if (length < 16 || length > 32 || (length & 3) != 0) return -1;
                        integritySha256 = count;
                        afterIntegrity = true;
                    }
                    case 0x8028 -> {
                        if (length != 4) return -1;
                        fingerprint = count;
                    }
                    default -> {
                        if (afterIntegrity) {
                            continue;
                        }
                    }
                }
                if (count == 48) return -1;
                types[count] = type;
                offsets[count] = value;
                lengths[count] = length;
                count++;
            }
            return count;
        }
    }

    static final class Slicing8 {
        static final int[][] T = new int[8][256];

        static {
            for (int i = 0; i < 256; i++) {
                int c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ 0xEDB88320 : c >>> 1;
                T[0][i] = c;
            }
            for (int i = 0; i < 256; i++) {
                for (int s = 1; s < 8; s++) T[s][i] = (T[s - 1][i] >>> 8) ^ T[0][T[s - 1][i] & 0xFF];
            }
        }

        private static final VarHandle LE_INT =
                MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

        static long crc(byte[] b, int off, int len) {
            int c = ~0;
            int[] t0 = T[0], t1 = T[1], t2 = T[2], t3 = T[3], t4 = T[4], t5 = T[5], t6 = T[6], t7 = T[7];
            while (len >= 8) {
                int x = c ^ (int) LE_INT.get(b, off);
                int y = (int) LE_INT.get(b, off + 4);
                c = t7[x & 0xFF] ^ t6[(x >>> 8) & 0xFF] ^ t5[(x >>> 16) & 0xFF] ^ t4[x >>> 24]
                        ^ t3[y & 0xFF] ^ t2[(y >>> 8) & 0xFF] ^ t1[(y >>> 16) & 0xFF] ^ t0[y >>> 24];
                off += 8;
                len -= 8;
            }
            while (len-- > 0) c = (c >>> 8) ^ t0[(c ^ b[off++]) & 0xFF];
            return ~c & 0xFFFFFFFFL;
        }
    }
}
