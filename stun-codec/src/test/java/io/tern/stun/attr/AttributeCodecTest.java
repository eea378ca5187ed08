package io.tern.stun.attr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tern.stun.ParseError;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.StunParseException;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.StunAttribute.AdditionalAddressFamily;
import io.tern.stun.attr.StunAttribute.Address;
import io.tern.stun.attr.StunAttribute.AddressErrorCode;
import io.tern.stun.attr.StunAttribute.ChangeRequest;
import io.tern.stun.attr.StunAttribute.ChannelNumber;
import io.tern.stun.attr.StunAttribute.ConnectionId;
import io.tern.stun.attr.StunAttribute.Data;
import io.tern.stun.attr.StunAttribute.DontFragment;
import io.tern.stun.attr.StunAttribute.ErrorCode;
import io.tern.stun.attr.StunAttribute.EvenPort;
import io.tern.stun.attr.StunAttribute.Fingerprint;
import io.tern.stun.attr.StunAttribute.IceControlled;
import io.tern.stun.attr.StunAttribute.IceControlling;
import io.tern.stun.attr.StunAttribute.Icmp;
import io.tern.stun.attr.StunAttribute.Lifetime;
import io.tern.stun.attr.StunAttribute.MessageIntegrity;
import io.tern.stun.attr.StunAttribute.MessageIntegritySha256;
import io.tern.stun.attr.StunAttribute.Padding;
import io.tern.stun.attr.StunAttribute.PasswordAlgorithm;
import io.tern.stun.attr.StunAttribute.PasswordAlgorithms;
import io.tern.stun.attr.StunAttribute.Priority;
import io.tern.stun.attr.StunAttribute.RequestedAddressFamily;
import io.tern.stun.attr.StunAttribute.RequestedTransport;
import io.tern.stun.attr.StunAttribute.ReservationToken;
import io.tern.stun.attr.StunAttribute.ResponsePort;
import io.tern.stun.attr.StunAttribute.Text;
import io.tern.stun.attr.StunAttribute.Unknown;
import io.tern.stun.attr.StunAttribute.UnknownAttributes;
import io.tern.stun.attr.StunAttribute.UseCandidate;
import io.tern.stun.attr.StunAttribute.Userhash;
import io.tern.testing.Buffers;
import io.tern.testing.Hex;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every attribute kind: record to wire and back, the wire layout, and typed rejection of bad values. */
class AttributeCodecTest {
    private static final TransactionId TX = new TransactionId(0x0102030405060708L, 0x090A0B0C);
    private static final InetSocketAddress V4 = address("198.51.100.7", 3478);
    private static final InetSocketAddress V6 = address("2001:db8::1:2:3", 65535);
    private static final Set<Class<?>> COMPUTED =
            Set.of(MessageIntegrity.class, MessageIntegritySha256.class, Fingerprint.class);

    // --- round trips ---

    static Stream<StunAttribute> everyKind() {
        Stream<StunAttribute> addresses = Stream.of(
                        AttributeType.MAPPED_ADDRESS,
                        AttributeType.XOR_MAPPED_ADDRESS,
                        AttributeType.XOR_PEER_ADDRESS,
                        AttributeType.XOR_RELAYED_ADDRESS,
                        AttributeType.ALTERNATE_SERVER,
                        AttributeType.RESPONSE_ORIGIN,
                        AttributeType.OTHER_ADDRESS)
                .flatMap(type -> Stream.of(
                        new Address(type, V4), new Address(type, V6), new Address(type, address("0.0.0.0", 0))));
        Stream<StunAttribute> texts = Stream.of(
                        AttributeType.USERNAME,
                        AttributeType.REALM,
                        AttributeType.NONCE,
                        AttributeType.SOFTWARE,
                        AttributeType.ALTERNATE_DOMAIN)
                .flatMap(type -> Stream.of(
                        new Text(type, ""),
                        new Text(type, "abc"),
                        new Text(type, "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9 \uD83D\uDE00"),
                        new Text(type, "x".repeat(763))));
        Stream<StunAttribute> others = Stream.of(
                new ErrorCode(300, ""),
                new ErrorCode(420, "Unknown Attribute"),
                new ErrorCode(699, "\u00fcn\u00efc\u00f8d\u00e9"),
                new AddressErrorCode(AddressFamily.IPV6, 440, "Address Family not Supported"),
                new AddressErrorCode(0xFF, 508, ""),
                new UnknownAttributes(List.of()),
                new UnknownAttributes(List.of(0x0031)),
                new UnknownAttributes(List.of(0x0001, 0x7FFF, 0x8000, 0xFFFF)),
                new PasswordAlgorithm(1),
                new PasswordAlgorithm(0xFFFF, new byte[] {1, 2, 3}),
                new PasswordAlgorithms(List.of()),
                new PasswordAlgorithms(List.of(new PasswordAlgorithm(2), new PasswordAlgorithm(1))),
                new PasswordAlgorithms(
                        List.of(new PasswordAlgorithm(3, new byte[] {9}), new PasswordAlgorithm(4, new byte[5]))),
                new Userhash(sequence(32)),
                new ChannelNumber(0x4000),
                new ChannelNumber(0xFFFF),
                new Lifetime(0),
                new Lifetime(0xFFFFFFFFL),
                new Data(new byte[0]),
                new Data(sequence(1)),
                new Data(sequence(1200)),
                new RequestedAddressFamily(AddressFamily.IPV4),
                new RequestedAddressFamily(0xFF),
                new AdditionalAddressFamily(AddressFamily.IPV6),
                new EvenPort(true),
                new EvenPort(false),
                new RequestedTransport(RequestedTransport.UDP),
                new RequestedTransport(0xFF),
                new DontFragment(),
                new ReservationToken(Long.MIN_VALUE),
                new Icmp(127, 511, -1),
                new Icmp(0, 0, 0),
                new ConnectionId(0xFFFFFFFFL),
                new ChangeRequest(false, false),
                new ChangeRequest(true, false),
                new ChangeRequest(false, true),
                new ChangeRequest(true, true),
                new ResponsePort(0),
                new ResponsePort(0xFFFF),
                new Padding(0),
                new Padding(5),
                new Padding(1000),
                new Priority(0),
                new Priority(0xFFFFFFFFL),
                new UseCandidate(),
                new IceControlled(Long.MAX_VALUE),
                new IceControlling(-1),
                new Unknown(0x0031, sequence(7)),
                new Unknown(0x8FFF, new byte[0]),
                new Unknown(0xFFFF, sequence(4)));
        return Stream.of(addresses, texts, others).flatMap(s -> s);
    }

    @Test
    void everyAttributeKindHasARoundTripCase() {
        Set<Class<?>> covered = everyKind().map(Object::getClass).collect(Collectors.toSet());
        Set<Class<?>> kinds = Arrays.stream(StunAttribute.class.getPermittedSubclasses())
                .filter(k -> !COMPUTED.contains(k))
                .collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrderElementsOf(kinds);
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void builtAttributeDecodesToAnEqualRecord(StunAttribute attribute) throws Exception {
        byte[] message = build(attribute);
        assertThat(message.length % 4).isZero();

        assertThat(decode(message).attributes()).containsExactly(attribute);
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void decodedRecordHasTheSameHashCodeAndText(StunAttribute attribute) throws Exception {
        StunAttribute decoded = decode(build(attribute)).attributes().get(0);
        assertThat(decoded).isNotSameAs(attribute).isEqualTo(attribute).hasSameHashCodeAs(attribute);
        assertThat(decoded.toString()).isEqualTo(attribute.toString());
    }

    @Test
    void integrityAndFingerprintRecordsAreComputedByTheBuilderNotEncoded() {
        for (StunAttribute computed : List.of(
                new MessageIntegrity(new byte[20]), new MessageIntegritySha256(new byte[32]), new Fingerprint(0))) {
            ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
            try {
                StunWriter writer = new StunWriter().begin(out, StunClass.REQUEST, StunMethod.BINDING, TX);
                assertThatThrownBy(() -> AttributeCodec.encode(computed, writer))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("builder");
            } finally {
                out.release();
            }
        }
    }

    // --- wire layout ---

    static Stream<Arguments> wireLayouts() {
        return Stream.of(
                arguments(new Address(AttributeType.MAPPED_ADDRESS, V4), "0001 0008 0001 0d96 c6336407"),
                // XOR: port ^ 0x2112, address ^ 0x2112a442
                arguments(new Address(AttributeType.XOR_PEER_ADDRESS, V4), "0012 0008 0001 2c84 e721c045"),
                arguments(new ErrorCode(420, "x"), "0009 0005 00000414 78 000000"),
                arguments(new AddressErrorCode(2, 440, ""), "8001 0004 02000428"),
                arguments(new UnknownAttributes(List.of(0x0031)), "000a 0002 0031 0000"),
                arguments(
                        new PasswordAlgorithms(
                                List.of(new PasswordAlgorithm(2), new PasswordAlgorithm(7, new byte[] {1}))),
                        "8002 000c 0002 0000 0007 0001 01000000"),
                arguments(new ChannelNumber(0x4001), "000c 0004 4001 0000"),
                arguments(new Lifetime(600), "000d 0004 00000258"),
                arguments(new RequestedAddressFamily(2), "0017 0004 02000000"),
                arguments(new EvenPort(true), "0018 0001 80 000000"),
                arguments(new RequestedTransport(17), "0019 0004 11000000"),
                arguments(new DontFragment(), "001a 0000"),
                // RFC 8656 §18.13 as drawn: 16 reserved bits, a 7-bit type, a 9-bit code.
                arguments(new Icmp(3, 4, 1400), "8004 0008 00000604 00000578"),
                arguments(new ChangeRequest(true, true), "0003 0004 00000006"),
                arguments(new ResponsePort(0x1234), "0027 0004 1234 0000"),
                arguments(new Padding(3), "0026 0003 000000 00"),
                arguments(new UseCandidate(), "0025 0000"),
                arguments(new Text(AttributeType.SOFTWARE, "abcde"), "8022 0005 6162636465 000000"));
    }

    @ParameterizedTest
    @MethodSource("wireLayouts")
    void encodesTheRfcLayout(StunAttribute attribute, String expectedHex) {
        byte[] message = build(attribute);
        byte[] attributeBytes = Arrays.copyOfRange(message, StunReader.HEADER_LENGTH, message.length);
        assertThat(Hex.string(attributeBytes)).isEqualTo(Hex.string(Hex.bytes(expectedHex)));
    }

    // --- malformed values ---

    static Stream<Arguments> malformedValues() {
        return Stream.of(
                // addresses
                arguments(
                        "family 3",
                        AttributeType.XOR_MAPPED_ADDRESS,
                        "0003 2c84 e721c045",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "family 0", AttributeType.MAPPED_ADDRESS, "0000 0d96 c6336407", ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "IPv4 with 16 bytes",
                        AttributeType.MAPPED_ADDRESS,
                        "0001 0d96" + "00".repeat(16),
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "IPv6 with 4 bytes",
                        AttributeType.XOR_PEER_ADDRESS,
                        "0002 0d96 c6336407",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "IPv4 with 5 bytes",
                        AttributeType.OTHER_ADDRESS,
                        "0001 0d96 c633640701",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "address shorter than its header",
                        AttributeType.MAPPED_ADDRESS,
                        "0001",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                // error codes
                arguments("error class 2", AttributeType.ERROR_CODE, "00000263", ParseError.BAD_ATTRIBUTE_VALUE),
                arguments("error class 7", AttributeType.ERROR_CODE, "00000700", ParseError.BAD_ATTRIBUTE_VALUE),
                arguments("error number 100", AttributeType.ERROR_CODE, "00000464", ParseError.BAD_ATTRIBUTE_VALUE),
                arguments("error code of 3 bytes", AttributeType.ERROR_CODE, "000004", ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "address error class 0",
                        AttributeType.ADDRESS_ERROR_CODE,
                        "01000000",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "address error code of 2 bytes",
                        AttributeType.ADDRESS_ERROR_CODE,
                        "0100",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                // lists
                arguments(
                        "odd UNKNOWN-ATTRIBUTES",
                        AttributeType.UNKNOWN_ATTRIBUTES,
                        "000100",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "algorithm parameters past the end",
                        AttributeType.PASSWORD_ALGORITHMS,
                        "0002 0008 00000000",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "padded parameters past the end",
                        AttributeType.PASSWORD_ALGORITHMS,
                        "0002 0001 00",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "algorithm header cut short",
                        AttributeType.PASSWORD_ALGORITHMS,
                        "0002 0000 0001",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "PASSWORD-ALGORITHM with two entries",
                        AttributeType.PASSWORD_ALGORITHM,
                        "0001 0000 0002 0000",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                arguments(
                        "empty PASSWORD-ALGORITHM",
                        AttributeType.PASSWORD_ALGORITHM,
                        "",
                        ParseError.BAD_ATTRIBUTE_VALUE),
                // fixed lengths
                arguments(
                        "USERHASH of 31 bytes",
                        AttributeType.USERHASH,
                        "00".repeat(31),
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "USERHASH of 33 bytes",
                        AttributeType.USERHASH,
                        "00".repeat(33),
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "CHANNEL-NUMBER of 2 bytes",
                        AttributeType.CHANNEL_NUMBER,
                        "4000",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "LIFETIME of 8 bytes", AttributeType.LIFETIME, "00".repeat(8), ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "REQUESTED-ADDRESS-FAMILY of 1 byte",
                        AttributeType.REQUESTED_ADDRESS_FAMILY,
                        "01",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "ADDITIONAL-ADDRESS-FAMILY of 0 bytes",
                        AttributeType.ADDITIONAL_ADDRESS_FAMILY,
                        "",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments("EVEN-PORT of 4 bytes", AttributeType.EVEN_PORT, "80000000", ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "REQUESTED-TRANSPORT of 1 byte",
                        AttributeType.REQUESTED_TRANSPORT,
                        "11",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "DONT-FRAGMENT with a value",
                        AttributeType.DONT_FRAGMENT,
                        "00000000",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "RESERVATION-TOKEN of 4 bytes",
                        AttributeType.RESERVATION_TOKEN,
                        "00".repeat(4),
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments("ICMP of 4 bytes", AttributeType.ICMP, "00000604", ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "CONNECTION-ID of 8 bytes",
                        AttributeType.CONNECTION_ID,
                        "00".repeat(8),
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "CHANGE-REQUEST of 1 byte",
                        AttributeType.CHANGE_REQUEST,
                        "06",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "RESPONSE-PORT of 2 bytes",
                        AttributeType.RESPONSE_PORT,
                        "1234",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "PRIORITY of 8 bytes", AttributeType.PRIORITY, "00".repeat(8), ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "USE-CANDIDATE with a value",
                        AttributeType.USE_CANDIDATE,
                        "01",
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "ICE-CONTROLLED of 4 bytes",
                        AttributeType.ICE_CONTROLLED,
                        "00".repeat(4),
                        ParseError.BAD_ATTRIBUTE_LENGTH),
                arguments(
                        "ICE-CONTROLLING of 12 bytes",
                        AttributeType.ICE_CONTROLLING,
                        "00".repeat(12),
                        ParseError.BAD_ATTRIBUTE_LENGTH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedValues")
    void malformedValueIsATypedParseFailure(String what, int type, String valueHex, ParseError reason) {
        byte[] value = Hex.bytes(valueHex);
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            new StunWriter()
                    .begin(buf, StunClass.REQUEST, StunMethod.BINDING, TX)
                    .attribute(type, value)
                    .finish();
            StunReader reader = new StunReader();
            assertThat(reader.wrap(buf)).as("the framing is fine").isNull();
            assertThatThrownBy(() -> AttributeCodec.decode(reader, 0))
                    .isInstanceOfSatisfying(
                            StunParseException.class,
                            e -> assertThat(e.reason()).isEqualTo(reason));
            assertThatThrownBy(() -> StunMessage.decode(buf))
                    .isInstanceOfSatisfying(
                            StunParseException.class,
                            e -> assertThat(e.reason()).isEqualTo(reason));
        } finally {
            buf.release();
        }
    }

    @Test
    void reservedBitsAndPaddingContentsAreIgnored() throws Exception {
        // CHANNEL-NUMBER's RFFU half, EVEN-PORT's low bits, ERROR-CODE's reserved bits, 0x20 padding.
        byte[] message = Hex.bytes("0001 0024 2112a442 0102030405060708090a0b0c"
                + "000c 0004 4001 ffff"
                + "0018 0001 ff 202020"
                + "0009 0005 fffffc14 78 202020"
                + "0006 0001 61 ffffff");
        assertThat(decode(message).attributes())
                .containsExactly(
                        new ChannelNumber(0x4001),
                        new EvenPort(true),
                        new ErrorCode(420, "x"),
                        new Text(AttributeType.USERNAME, "a"));
    }

    @Test
    void invalidUtf8TextDecodesWithReplacementCharacters() throws Exception {
        byte[] message = Hex.bytes("0001 0008 2112a442 0102030405060708090a0b0c 8022 0002 c328 0000");
        assertThat(decode(message).attributes()).containsExactly(new Text(AttributeType.SOFTWARE, "\uFFFD("));
    }

    @Test
    void recordsRejectTypesOfAnotherKind() {
        assertThatThrownBy(() -> new Address(AttributeType.USERNAME, V4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Text(AttributeType.XOR_MAPPED_ADDRESS, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        new Address(AttributeType.MAPPED_ADDRESS, InetSocketAddress.createUnresolved("example.org", 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorCode(299, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorCode(700, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byteArrayRecordsCopyTheirInput() {
        byte[] data = {1, 2, 3};
        Data record = new Data(data);
        data[0] = 9;
        assertThat(record.data()).containsExactly(1, 2, 3);
        record.data()[1] = 9;
        assertThat(record.data()).containsExactly(1, 2, 3);
    }

    // --- helpers ---

    private static byte[] build(StunAttribute attribute) {
        ByteBuf buf = StunMessage.builder(StunClass.REQUEST, StunMethod.BINDING, TX)
                .add(attribute)
                .encode(ByteBufAllocator.DEFAULT);
        return Buffers.drain(buf);
    }

    private static StunMessage decode(byte[] message) throws Exception {
        return Buffers.using(Buffers.heap(message), StunMessage::decode);
    }

    private static byte[] sequence(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + 1);
        }
        return bytes;
    }

    private static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
