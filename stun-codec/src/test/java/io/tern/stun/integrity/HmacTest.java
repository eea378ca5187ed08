package io.tern.stun.integrity;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.testing.Buffers;
import io.tern.testing.Buffers.Layout;
import io.tern.testing.Hex;
import io.tern.testing.Property;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The allocation-free HMAC against {@code javax.crypto.Mac}, the reference implementation. */
class HmacTest {
    private static final byte[] LONG_KEY_DATA =
            "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(US_ASCII);

    @Test
    void sha1KnownAnswerWithKeyLongerThanTheBlock() {
        // RFC 2202 test case 6: an 80-byte key is hashed first.
        byte[] key = filled(80, 0xaa);
        assertThat(Hex.string(Hmac.sha1()
                        .init(key)
                        .update(LONG_KEY_DATA, 0, LONG_KEY_DATA.length)
                        .doFinal()))
                .isEqualTo(Hex.string(Hex.bytes("aa4ae5e15272d00e95705637ce8a3b55ed402112")));
    }

    @Test
    void sha256KnownAnswerWithKeyLongerThanTheBlock() {
        // RFC 4231 test case 6: a 131-byte key.
        byte[] key = filled(131, 0xaa);
        assertThat(Hex.string(Hmac.sha256()
                        .init(key)
                        .update(LONG_KEY_DATA, 0, LONG_KEY_DATA.length)
                        .doFinal()))
                .isEqualTo(Hex.string(Hex.bytes("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HmacSHA1", "HmacSHA256"})
    void matchesJavaxMacForRandomKeysAndArrays(String algorithm) {
        Hmac hmac = hmac(algorithm);
        Property.forAll(500, random -> {
            byte[] key = randomKey(random);
            byte[] data = randomBytes(random, random.nextInt(1500));
            int from = data.length == 0 ? 0 : random.nextInt(data.length);
            int length = random.nextInt(data.length - from + 1);

            byte[] ours = hmac.init(key).update(data, from, length).doFinal();

            assertThat(ours).isEqualTo(reference(algorithm, key, Arrays.copyOfRange(data, from, from + length)));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"HmacSHA1", "HmacSHA256"})
    void matchesJavaxMacForRandomRangesOfHeapAndDirectBuffers(String algorithm) {
        Hmac hmac = hmac(algorithm);
        Layout[] layouts = Layout.values();
        Property.forAll(500, random -> {
            byte[] key = randomKey(random);
            byte[] data = randomBytes(random, random.nextInt(1500));
            int from = data.length == 0 ? 0 : random.nextInt(data.length);
            int length = random.nextInt(data.length - from + 1);
            Layout layout = layouts[random.nextInt(layouts.length)];

            byte[] ours = Buffers.using(
                    layout.place(data),
                    buf -> hmac.init(key)
                            .update(buf, buf.readerIndex() + from, length)
                            .doFinal());

            assertThat(ours)
                    .as("%s, %d of %d bytes from %d", layout, length, data.length, from)
                    .isEqualTo(reference(algorithm, key, Arrays.copyOfRange(data, from, from + length)));
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 20, 64, 65, 200})
    void initDiscardsInputFedBeforeIt(int keyLength) {
        // A MAC abandoned half-way (e.g. an exception between update and doFinal) must not leak
        // into the next one, whatever the key length.
        Random random = new Random(keyLength);
        byte[] key = randomBytes(random, keyLength);
        byte[] data = randomBytes(random, 100);
        Hmac hmac = Hmac.sha256();

        hmac.init(randomBytes(random, 16)).update(data, 0, 50); // never finished
        byte[] ours = hmac.init(key).update(data, 0, data.length).doFinal();

        assertThat(ours).isEqualTo(reference("HmacSHA256", key, data));
    }

    @Test
    void updateShortFeedsTwoBigEndianBytes() {
        byte[] key = {1, 2, 3};
        Hmac hmac = Hmac.sha1();
        byte[] viaShort = hmac.init(key).updateShort(0xBEEF).doFinal();
        byte[] viaBytes = hmac.init(key)
                .update(new byte[] {(byte) 0xBE, (byte) 0xEF}, 0, 2)
                .doFinal();
        assertThat(viaShort).isEqualTo(viaBytes);
    }

    @Test
    void doFinalWritesAtAnOffset() {
        byte[] key = {9};
        byte[] out = new byte[40];
        Hmac.sha1().init(key).doFinal(out, 7);
        assertThat(Arrays.copyOfRange(out, 7, 27)).isEqualTo(reference("HmacSHA1", key, new byte[0]));
        assertThat(Arrays.copyOf(out, 7)).containsOnly(0);
        assertThat(Arrays.copyOfRange(out, 27, 40)).containsOnly(0);
    }

    @Test
    void macLengths() {
        assertThat(Hmac.sha1().macLength()).isEqualTo(20);
        assertThat(Hmac.sha256().macLength()).isEqualTo(32);
    }

    private static Hmac hmac(String algorithm) {
        return algorithm.equals("HmacSHA1") ? Hmac.sha1() : Hmac.sha256();
    }

    /** Keys of 1 to 200 bytes: shorter than, equal to and longer than the 64-byte block. */
    private static byte[] randomKey(Random random) {
        return randomBytes(random, 1 + random.nextInt(200));
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    static byte[] reference(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
