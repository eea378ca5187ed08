package io.tern.stun.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.testing.Buffers;
import io.tern.testing.Buffers.Layout;
import io.tern.testing.Property;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** FINGERPRINT computation and the constant-time MAC comparison. */
class StunCryptoTest {

    @Test
    void fingerprintIsCrc32XorStunForAnyRangeOfAnyBuffer() {
        Layout[] layouts = Layout.values();
        Property.forAll(500, random -> {
            byte[] data = new byte[random.nextInt(1200)];
            random.nextBytes(data);
            int from = data.length == 0 ? 0 : random.nextInt(data.length);
            int length = random.nextInt(data.length - from + 1);
            Layout layout = layouts[random.nextInt(layouts.length)];
            CRC32 crc = new CRC32();
            crc.update(data, from, length);

            int ours = Buffers.using(
                    layout.place(data), buf -> StunCrypto.current().fingerprint(buf, buf.readerIndex() + from, length));

            assertThat(ours).as("%s", layout).isEqualTo((int) crc.getValue() ^ 0x5354554e);
        });
    }

    @Test
    void constantTimeEqualsComparesExactlyTheGivenLength() throws Exception {
        byte[] mac = {1, 2, 3, 4, 5, 6};
        Buffers.using(Buffers.direct(new byte[] {0, 1, 2, 3, 4, 5, 9}), buf -> {
            assertThat(StunCrypto.constantTimeEquals(buf, 1, mac, 5)).isTrue();
            assertThat(StunCrypto.constantTimeEquals(buf, 1, mac, 6)).isFalse();
            assertThat(StunCrypto.constantTimeEquals(buf, 0, mac, 5)).isFalse();
            assertThat(StunCrypto.constantTimeEquals(buf, 3, mac, 0)).isTrue();
            return null;
        });
    }

    @Test
    void eachThreadHasItsOwnState() throws Exception {
        StunCrypto mine = StunCrypto.current();
        StunCrypto[] other = new StunCrypto[1];
        Thread thread = new Thread(() -> other[0] = StunCrypto.current());
        thread.start();
        thread.join();
        assertThat(StunCrypto.current()).isSameAs(mine);
        assertThat(other[0]).isNotNull().isNotSameAs(mine);
        assertThat(mine.macScratch()).hasSize(32);
    }
}
