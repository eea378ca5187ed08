package io.tern.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.tern.stun.channel.ChannelData;
import io.tern.stun.channel.StreamFraming;
import io.tern.testing.Buffers;
import io.tern.testing.Buffers.Layout;
import io.tern.testing.HexFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checked-in corpus of tricky inputs ({@code src/test/resources/corpus/*.hex}). Each file starts
 * with {@code # expect: OUTCOME} and {@code # parse-as: PARSER}; streams may add {@code # max-frame: N}.
 *
 * <ul>
 *   <li>{@code stun}: {@link StunReader#wrap}, then {@link StunMessage#decode}; the outcome is the
 *       first {@link ParseError}, or {@code OK}.
 *   <li>{@code stun-rfc3489}: {@code wrap(buf, true)}; {@code RFC3489} when accepted without a cookie.
 *   <li>{@code channel-data}: {@link ChannelData#validate} on a UDP datagram.
 *   <li>{@code stream}: a TCP byte stream framed with {@link StreamFraming} and each frame parsed; the
 *       outcome is the first error, {@code NEED_MORE} if it ends inside a frame, or {@code OK}.
 * </ul>
 */
class CorpusTest {
    private static final int DEFAULT_MAX_FRAME = 0x10000 + 20;

    static List<HexFixture> corpus() {
        return HexFixture.loadAll("corpus");
    }

    @Test
    void everyFileStatesItsExpectationOnTheFirstLine() {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(40).allSatisfy(fixture -> {
            assertThat(fixture.comments().get(0)).startsWith("expect: ");
            assertThat(fixture.header("parse-as")).isPresent();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void fileParsesToItsExpectedOutcome(HexFixture fixture) throws Exception {
        String expected = fixture.header("expect").orElseThrow();
        for (Layout layout : List.of(Layout.HEAP, Layout.DIRECT_SLICE, Layout.OFFSET_READER_INDEX)) {
            String actual = Buffers.using(layout.place(fixture.bytes()), buf -> outcome(fixture, buf));
            assertThat(actual).as("%s in a %s buffer", fixture.name(), layout).isEqualTo(expected);
        }
    }

    private static String outcome(HexFixture fixture, ByteBuf buf) throws Exception {
        String parser = fixture.header("parse-as").orElseThrow();
        return switch (parser) {
            case "stun" -> stun(buf);
            case "stun-rfc3489" -> {
                StunReader reader = new StunReader();
                ParseError error = reader.wrap(buf, true);
                yield error != null ? error.name() : reader.isRfc3489() ? "RFC3489" : "OK";
            }
            case "channel-data" -> name(ChannelData.validate(buf));
            case "stream" ->
                stream(buf, fixture.header("max-frame").map(Integer::parseInt).orElse(DEFAULT_MAX_FRAME));
            default -> fail("unknown parse-as: " + parser);
        };
    }

    private static String stun(ByteBuf buf) {
        ParseError error = new StunReader().wrap(buf);
        if (error != null) {
            return error.name();
        }
        try {
            StunMessage.decode(buf);
            return "OK";
        } catch (StunParseException e) {
            return e.reason().name();
        }
    }

    private static String stream(ByteBuf stream, int maxFrame) {
        ByteBuf in = stream.duplicate();
        while (in.isReadable()) {
            int frame = StreamFraming.frameLength(in, maxFrame);
            if (frame == StreamFraming.TOO_LARGE) {
                return ParseError.FRAME_TOO_LARGE.name();
            }
            if (frame == StreamFraming.UNKNOWN_FRAME) {
                return ParseError.UNKNOWN_FRAME.name();
            }
            if (frame == StreamFraming.NEED_MORE || frame > in.readableBytes()) {
                return "NEED_MORE";
            }
            ByteBuf slice = in.readSlice(frame);
            String result = ChannelData.isChannelData(slice.getUnsignedByte(0))
                    ? name(ChannelData.validate(slice))
                    : stun(slice);
            if (!result.equals("OK")) {
                return result;
            }
        }
        return "OK";
    }

    private static String name(ParseError error) {
        return error == null ? "OK" : error.name();
    }
}
