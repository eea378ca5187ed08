package io.tern.stun.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.testing.Buffers;
import io.tern.testing.Buffers.Layout;
import io.tern.testing.Hex;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Frame lengths on TCP/TLS streams, where STUN and padded ChannelData interleave. */
class StreamFramingTest {

    @ParameterizedTest(name = "[{0}] max {1} -> {2}")
    @CsvSource({
        // fewer than the 4 bytes that hold both kinds of length
        "'', 1500, NEED_MORE",
        "00, 1500, NEED_MORE",
        "0001 00, 1500, NEED_MORE",
        // STUN: the 20-byte header plus the length field, known from the first 4 bytes
        "0001 0000, 1500, 20",
        "0001 0008 2112a442, 1500, 28",
        "3fff 0004, 1500, 24",
        "0001 ffff, 65555, 65555",
        "0001 ffff, 65554, TOO_LARGE",
        // ChannelData: the 4-byte header, the data, and padding to 4
        "4000 0000, 1500, 4",
        "4000 0001, 1500, 8",
        "4000 0002, 1500, 8",
        "4000 0003, 1500, 8",
        "4000 0004, 1500, 8",
        "4fff 0005, 1500, 12",
        "4000 ffff, 65540, 65540",
        "4000 ffff, 65539, TOO_LARGE",
        // the RFC 5766 channel range frames as ChannelData too (legacy clients bind there)
        "5000 0000, 1500, 4",
        "7fff 0004, 1500, 8",
        // neither
        "8000 0000, 1500, UNKNOWN_FRAME",
        "ff00 0000, 1500, UNKNOWN_FRAME",
    })
    void frameLengthFromTheFirstFourBytes(String hex, int maxFrameLength, String expected) throws Exception {
        byte[] bytes = Hex.bytes(hex);
        for (Layout layout : Layout.values()) {
            int actual = Buffers.using(layout.place(bytes), buf -> {
                int readerIndex = buf.readerIndex();
                int frame = StreamFraming.frameLength(buf, maxFrameLength);
                assertThat(buf.readerIndex()).isEqualTo(readerIndex);
                return frame;
            });
            assertThat(actual).as("%s", layout).isEqualTo(code(expected));
        }
    }

    private static int code(String expected) {
        return switch (expected) {
            case "NEED_MORE" -> StreamFraming.NEED_MORE;
            case "UNKNOWN_FRAME" -> StreamFraming.UNKNOWN_FRAME;
            case "TOO_LARGE" -> StreamFraming.TOO_LARGE;
            default -> Integer.parseInt(expected);
        };
    }
}
