package io.tern.stun;

import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
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
import io.tern.stun.attr.StunAttribute.IceControlled;
import io.tern.stun.attr.StunAttribute.IceControlling;
import io.tern.stun.attr.StunAttribute.Icmp;
import io.tern.stun.attr.StunAttribute.Lifetime;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/** Random valid attributes and messages, and random damage to messages, for the property tests. */
final class RandomStun {
    private static final int[] ADDRESS_TYPES = {
        AttributeType.MAPPED_ADDRESS,
        AttributeType.XOR_MAPPED_ADDRESS,
        AttributeType.XOR_PEER_ADDRESS,
        AttributeType.XOR_RELAYED_ADDRESS,
        AttributeType.ALTERNATE_SERVER,
        AttributeType.RESPONSE_ORIGIN,
        AttributeType.OTHER_ADDRESS
    };
    private static final int[] TEXT_TYPES = {
        AttributeType.USERNAME,
        AttributeType.REALM,
        AttributeType.NONCE,
        AttributeType.SOFTWARE,
        AttributeType.ALTERNATE_DOMAIN
    };
    /** Code point ranges for text: ASCII incl. controls, Latin-1, Greek/Cyrillic, CJK, emoji (4 UTF-8 bytes). */
    private static final int[][] CODE_POINTS = {
        {0x00, 0x7F}, {0xA0, 0xFF}, {0x370, 0x4FF}, {0x4E00, 0x9FFF}, {0x1F300, 0x1F64F}
    };
    /** Types the damage step writes over attribute types, to reach the integrity and ordering rules. */
    private static final int[] INTERESTING_TYPES = {
        AttributeType.MESSAGE_INTEGRITY,
        AttributeType.MESSAGE_INTEGRITY_SHA256,
        AttributeType.FINGERPRINT,
        AttributeType.XOR_MAPPED_ADDRESS,
        AttributeType.ERROR_CODE,
        AttributeType.UNKNOWN_ATTRIBUTES,
        AttributeType.PASSWORD_ALGORITHMS,
        AttributeType.PASSWORD_ALGORITHM,
        AttributeType.ICMP,
        AttributeType.EVEN_PORT,
        0x0031,
        0x8031
    };

    /** One generator per attribute kind (computed integrity and fingerprint aside). */
    private static final List<Function<Random, StunAttribute>> KINDS = List.of(
            r -> new Address(pick(r, ADDRESS_TYPES), socketAddress(r)),
            r -> new Text(pick(r, TEXT_TYPES), text(r, 40)),
            r -> new ErrorCode(300 + r.nextInt(400), text(r, 20)),
            r -> new AddressErrorCode(r.nextInt(256), 300 + r.nextInt(400), text(r, 20)),
            r -> new UnknownAttributes(u16s(r, r.nextInt(8))),
            RandomStun::passwordAlgorithm,
            r -> new PasswordAlgorithms(List.copyOf(repeat(r.nextInt(4), () -> passwordAlgorithm(r)))),
            r -> new Userhash(bytes(r, 32)),
            r -> new ChannelNumber(r.nextInt(0x10000)),
            r -> new Lifetime(u32(r)),
            r -> new Data(bytes(r, r.nextInt(1201))),
            r -> new RequestedAddressFamily(r.nextInt(256)),
            r -> new AdditionalAddressFamily(r.nextInt(256)),
            r -> new EvenPort(r.nextBoolean()),
            r -> new RequestedTransport(r.nextInt(256)),
            r -> new DontFragment(),
            r -> new ReservationToken(r.nextLong()),
            r -> new Icmp(r.nextInt(128), r.nextInt(512), r.nextInt()),
            r -> new ConnectionId(u32(r)),
            r -> new ChangeRequest(r.nextBoolean(), r.nextBoolean()),
            r -> new ResponsePort(r.nextInt(0x10000)),
            r -> new Padding(r.nextInt(101)),
            r -> new Priority(u32(r)),
            r -> new UseCandidate(),
            r -> new IceControlled(r.nextLong()),
            r -> new IceControlling(r.nextLong()),
            r -> new Unknown(unknownType(r), bytes(r, r.nextInt(65))));

    private RandomStun() {}

    static int kindCount() {
        return KINDS.size();
    }

    static StunAttribute attribute(Random r) {
        return KINDS.get(r.nextInt(KINDS.size())).apply(r);
    }

    static List<StunAttribute> attributes(Random r, int maxCount) {
        return repeat(r.nextInt(maxCount + 1), () -> attribute(r));
    }

    static TransactionId transactionId(Random r) {
        return new TransactionId(r.nextLong(), r.nextInt());
    }

    static StunClass messageClass(Random r) {
        return StunClass.ofBits(r.nextInt(4));
    }

    static int method(Random r) {
        return r.nextInt(StunMethod.METHOD_SPACE);
    }

    /** Random bytes of a random length; half the time behind a plausible STUN header. */
    static byte[] noise(Random r) {
        byte[] bytes = bytes(r, r.nextInt(121));
        if (bytes.length >= 20 && r.nextBoolean()) {
            int length = r.nextBoolean() ? bytes.length - 20 : (bytes.length - 20) & ~3;
            bytes[0] = (byte) r.nextInt(4);
            bytes[2] = (byte) (length >>> 8);
            bytes[3] = (byte) length;
            bytes[4] = 0x21;
            bytes[5] = 0x12;
            bytes[6] = (byte) 0xa4;
            bytes[7] = 0x42;
        }
        return bytes;
    }

    /** One to three random kinds of damage; then, half the time, a header length that fits again. */
    static byte[] damage(byte[] message, Random r) {
        byte[] m = message;
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            m = damageOnce(m, r);
        }
        if (m.length >= 20 && r.nextBoolean()) {
            m[2] = (byte) ((m.length - 20) >>> 8);
            m[3] = (byte) (m.length - 20);
        }
        return m;
    }

    private static byte[] damageOnce(byte[] m, Random r) {
        if (m.length == 0) {
            return bytes(r, 1 + r.nextInt(24));
        }
        switch (r.nextInt(9)) {
            case 0 -> {
                m = m.clone();
                m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                return m;
            }
            case 1 -> {
                return Arrays.copyOf(m, r.nextInt(m.length));
            }
            case 2 -> {
                return withShort(m, 2, length(r, m.length - 20));
            }
            case 3 -> {
                int at = attributeHeader(m, r);
                return at < 0 ? m : withShort(m, at + 2, length(r, u16(m, at + 2)));
            }
            case 4 -> {
                int at = attributeHeader(m, r);
                return at < 0 ? m : withShort(m, at, pick(r, INTERESTING_TYPES));
            }
            case 5 -> {
                return insert(m, r.nextInt(m.length + 1), bytes(r, 1 + r.nextInt(8)));
            }
            case 6 -> {
                int from = r.nextInt(m.length);
                int to = from + r.nextInt(m.length - from + 1);
                byte[] out = Arrays.copyOf(m, m.length - (to - from));
                System.arraycopy(m, to, out, from, m.length - to);
                return out;
            }
            case 7 -> {
                int from = r.nextInt(m.length);
                byte[] chunk = Arrays.copyOfRange(m, from, Math.min(m.length, from + 4 * (1 + r.nextInt(8))));
                return insert(m, r.nextInt(m.length + 1), chunk);
            }
            default -> {
                m = m.clone();
                m[0] = (byte) r.nextInt(256);
                return m;
            }
        }
    }

    /** A length near the current one, or an extreme. */
    private static int length(Random r, int current) {
        return switch (r.nextInt(6)) {
                    case 0 -> 0;
                    case 1 -> 0xFFFF;
                    case 2 -> 0xFFFC;
                    case 3 -> current + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(8));
                    case 4 -> current + (r.nextBoolean() ? 4 : -4);
                    default -> r.nextInt(0x10000);
                }
                & 0xFFFF;
    }

    /** The offset of a random attribute header found by walking the declared lengths, or -1. */
    private static int attributeHeader(byte[] m, Random r) {
        List<Integer> headers = new ArrayList<>();
        for (int at = 20; at + 4 <= m.length; at += 4 + ((u16(m, at + 2) + 3) & ~3)) {
            headers.add(at);
        }
        return headers.isEmpty() ? -1 : headers.get(r.nextInt(headers.size()));
    }

    private static int u16(byte[] m, int at) {
        return ((m[at] & 0xFF) << 8) | (m[at + 1] & 0xFF);
    }

    private static byte[] withShort(byte[] m, int at, int value) {
        if (at + 2 > m.length) {
            return m;
        }
        byte[] out = m.clone();
        out[at] = (byte) (value >>> 8);
        out[at + 1] = (byte) value;
        return out;
    }

    private static byte[] insert(byte[] m, int at, byte[] bytes) {
        byte[] out = new byte[m.length + bytes.length];
        System.arraycopy(m, 0, out, 0, at);
        System.arraycopy(bytes, 0, out, at, bytes.length);
        System.arraycopy(m, at, out, at + bytes.length, m.length - at);
        return out;
    }

    static String text(Random r, int maxCodePoints) {
        StringBuilder s = new StringBuilder();
        for (int n = r.nextInt(maxCodePoints + 1); n > 0; n--) {
            int[] range = CODE_POINTS[r.nextInt(CODE_POINTS.length)];
            s.appendCodePoint(range[0] + r.nextInt(range[1] - range[0] + 1));
        }
        return s.toString();
    }

    static InetSocketAddress socketAddress(Random r) {
        byte[] ip = bytes(r, r.nextBoolean() ? 4 : 16);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), r.nextInt(0x10000));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(Random r, int length) {
        byte[] bytes = new byte[length];
        r.nextBytes(bytes);
        return bytes;
    }

    private static PasswordAlgorithm passwordAlgorithm(Random r) {
        return new PasswordAlgorithm(r.nextInt(0x10000), bytes(r, r.nextInt(9)));
    }

    private static int unknownType(Random r) {
        int type;
        do {
            type = r.nextInt(0x10000);
        } while (AttributeType.isKnown(type));
        return type;
    }

    private static List<Integer> u16s(Random r, int count) {
        return repeat(count, () -> r.nextInt(0x10000));
    }

    private static long u32(Random r) {
        return r.nextInt() & 0xFFFFFFFFL;
    }

    private static int pick(Random r, int[] values) {
        return values[r.nextInt(values.length)];
    }

    private static <T> List<T> repeat(int count, Supplier<T> supplier) {
        List<T> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(supplier.get());
        }
        return out;
    }
}
