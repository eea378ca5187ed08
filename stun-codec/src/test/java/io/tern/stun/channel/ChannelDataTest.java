package io.tern.stun.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tern.stun.ParseError;
import io.tern.testing.Buffers;
import io.tern.testing.Buffers.Layout;
import io.tern.testing.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ChannelData in UDP datagrams (RFC 8656 §12.4). */
class ChannelDataTest {

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            nullValues = "OK",
            value = {
                "'', CHANNEL_DATA_TRUNCATED",
                "4000 00, CHANNEL_DATA_TRUNCATED",
                "4000 0000, OK",
                "4fff 0000, OK",
                "3fff 0000, BAD_CHANNEL_NUMBER",
                "5000 0000, BAD_CHANNEL_NUMBER",
                "0001 0000, BAD_CHANNEL_NUMBER",
                "ffff 0000, BAD_CHANNEL_NUMBER",
                "4000 0004 01020304, OK",
                "4000 0005 01020304, CHANNEL_DATA_TRUNCATED",
                "4000 ffff 00, CHANNEL_DATA_TRUNCATED",
                // UDP: padding is optional and trailing bytes are ignored
                "4000 0003 010203 00, OK",
                "4000 0001 01 000000 ffffffff, OK",
            })
    void validatesChannelAndLengthInEveryBufferLayout(String hex, ParseError expected) throws Exception {
        byte[] datagram = Hex.bytes(hex);
        for (Layout layout : Layout.values()) {
            ParseError actual = Buffers.using(layout.place(datagram), buf -> {
                int readerIndex = buf.readerIndex();
                ParseError result = ChannelData.validate(buf);
                assertThat(buf.readerIndex()).isEqualTo(readerIndex);
                return result;
            });
            assertThat(actual).as("%s", layout).isEqualTo(expected);
        }
    }

    @Test
    void firstByte0x40To0x4fIsChannelData() {
        for (int b = 0; b < 256; b++) {
            assertThat(ChannelData.isChannelData(b)).as("0x%02x", b).isEqualTo(b >= 0x40 && b <= 0x4F);
        }
    }

    @Test
    void clientsMayBindChannels0x4000To0x4fff() {
        assertThat(ChannelData.isValidChannel(0x3FFF)).isFalse();
        assertThat(ChannelData.isValidChannel(0x4000)).isTrue();
        assertThat(ChannelData.isValidChannel(0x4FFF)).isTrue();
        assertThat(ChannelData.isValidChannel(0x5000)).isFalse();
    }

    @Test
    void headerFieldsAreReadAtTheReaderIndex() throws Exception {
        Buffers.using(Layout.OFFSET_READER_INDEX.place(Hex.bytes("4abc 0002 ffff")), buf -> {
            assertThat(ChannelData.channel(buf)).isEqualTo(0x4ABC);
            assertThat(ChannelData.dataLength(buf)).isEqualTo(2);
            return null;
        });
    }

    @Test
    void writesTheHeaderAndPadsToFourOnStreams() {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        ChannelData.writeHeader(out, 0x4001, 5);
        assertThat(Hex.string(Buffers.drain(out))).isEqualTo("40 01 00 05");
        assertThat(ChannelData.streamPadding(0)).isZero();
        assertThat(ChannelData.streamPadding(1)).isEqualTo(3);
        assertThat(ChannelData.streamPadding(2)).isEqualTo(2);
        assertThat(ChannelData.streamPadding(3)).isEqualTo(1);
        assertThat(ChannelData.streamPadding(4)).isZero();
        assertThat(ChannelData.streamPadding(0xFFFF)).isEqualTo(1);
    }
}
