package io.tern.stun.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.channel.ChannelData;
import io.tern.testing.Buffers;
import io.tern.testing.Hex;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Framing a TCP byte stream of interleaved STUN and padded ChannelData, however it is chunked. */
class StunStreamDecoderTest {
    private static final int MAX_FRAME = 2048;

    /** STUN messages and ChannelData of every padding size, in the order a client might send them. */
    private static final List<byte[]> FRAMES = List.of(
            stun("alice"),
            channelData(0x4000, 5),
            channelData(0x4FFF, 0),
            stun("bob"),
            channelData(0x4001, 4),
            channelData(0x4002, 6),
            channelData(0x4003, 7),
            stun("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"),
            channelData(0x4004, MAX_FRAME - 4));

    @Test
    void wholeStreamInOneReadGivesEveryFrame() {
        assertThat(decode(List.of(concat(FRAMES)))).containsExactlyElementsOf(hex(FRAMES));
    }

    @Test
    void streamFedOneByteAtATimeGivesEveryFrame() {
        byte[] stream = concat(FRAMES);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < stream.length; i++) {
            chunks.add(new byte[] {stream[i]});
        }
        assertThat(decode(chunks)).containsExactlyElementsOf(hex(FRAMES));
    }

    @Test
    void streamSplitAtRandomBoundariesGivesEveryFrame() {
        byte[] stream = concat(FRAMES);
        Random random = new Random(0x5354554EL);
        for (int run = 0; run < 50; run++) {
            assertThat(decode(randomChunks(stream, random))).as("run %d", run).containsExactlyElementsOf(hex(FRAMES));
        }
    }

    @Test
    void everyFrameIsValidForItsParser() {
        StunReader reader = new StunReader();
        for (String frame : decode(List.of(concat(FRAMES)))) {
            byte[] bytes = Hex.bytes(frame);
            ByteBuf buf = Buffers.heap(bytes);
            try {
                if (ChannelData.isChannelData(bytes[0])) {
                    assertThat(ChannelData.validate(buf)).isNull();
                } else {
                    assertThat(reader.wrap(buf)).isNull();
                    assertThat(reader.verifyFingerprint()).isTrue();
                }
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void frameOverTheLimitFailsAfterTheFramesBeforeIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new StunStreamDecoder(MAX_FRAME));
        byte[] tooLong = channelData(0x4000, MAX_FRAME - 3); // 4 + 2045 + 3 padding = 2052
        ByteBuf input = Buffers.heap(concat(List.of(FRAMES.get(0), tooLong)));

        assertThatThrownBy(() -> channel.writeInbound(input)).isInstanceOf(TooLongFrameException.class);

        assertThat(drain(channel)).containsExactly(Hex.string(FRAMES.get(0)));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void stunHeaderAnnouncingTooLongAMessageFails() {
        EmbeddedChannel channel = new EmbeddedChannel(new StunStreamDecoder(MAX_FRAME));
        ByteBuf header = Buffers.heap(Hex.bytes("0001 0800 2112a442")); // 20 + 2048 > 2048

        assertThatThrownBy(() -> channel.writeInbound(header)).isInstanceOf(TooLongFrameException.class);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unknownFirstByteFailsTheStream() {
        EmbeddedChannel channel = new EmbeddedChannel(new StunStreamDecoder(MAX_FRAME));
        ByteBuf input = Buffers.heap(concat(List.of(channelData(0x4000, 1), Hex.bytes("8000 0000 ffff"))));

        assertThatThrownBy(() -> channel.writeInbound(input)).isInstanceOf(CorruptedFrameException.class);

        assertThat(drain(channel)).containsExactly(Hex.string(channelData(0x4000, 1)));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void incompleteFrameAtCloseIsDroppedAndReleased() {
        EmbeddedChannel channel = new EmbeddedChannel(new StunStreamDecoder(MAX_FRAME));
        byte[] frame = FRAMES.get(0);

        assertThat(channel.writeInbound(Buffers.heap(Arrays.copyOf(frame, frame.length - 1))))
                .isFalse();

        assertThat(channel.finish()).isFalse();
    }

    // --- helpers ---

    /** Feeds the chunks to a fresh decoder and returns what it emitted, each frame released. */
    private static List<String> decode(List<byte[]> chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new StunStreamDecoder(MAX_FRAME));
        List<String> frames = new ArrayList<>();
        for (byte[] chunk : chunks) {
            channel.writeInbound(Buffers.heap(chunk));
            frames.addAll(drain(channel));
        }
        assertThat(channel.finish()).as("nothing left in the channel").isFalse();
        return frames;
    }

    private static List<String> drain(EmbeddedChannel channel) {
        List<String> frames = new ArrayList<>();
        for (ByteBuf frame; (frame = channel.readInbound()) != null; ) {
            frames.add(Hex.string(Buffers.drain(frame)));
        }
        return frames;
    }

    private static List<byte[]> randomChunks(byte[] stream, Random random) {
        List<byte[]> chunks = new ArrayList<>();
        for (int at = 0; at < stream.length; ) {
            int n = Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 600));
            chunks.add(Arrays.copyOfRange(stream, at, at + n));
            at += n;
        }
        return chunks;
    }

    private static byte[] stun(String username) {
        ByteBuf buf = StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, TransactionId.random())
                .add(new StunAttribute.Text(AttributeType.USERNAME, username))
                .fingerprint()
                .encode(ByteBufAllocator.DEFAULT);
        return Buffers.drain(buf);
    }

    /** A ChannelData message as sent on a stream: header, data, zero padding to 4. */
    private static byte[] channelData(int channel, int dataLength) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        ChannelData.writeHeader(buf, channel, dataLength);
        byte[] data =
                ("data " + channel).repeat(dataLength).substring(0, dataLength).getBytes(UTF_8);
        buf.writeBytes(data).writeZero(ChannelData.streamPadding(dataLength));
        return Buffers.drain(buf);
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(Hex::string).toList();
    }
}
