package io.tern.stun.attr;

import io.netty.buffer.ByteBuf;
import io.tern.stun.ParseError;
import io.tern.stun.StunParseException;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
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
import io.tern.stun.attr.StunAttribute.UnknownAttributes;
import io.tern.stun.attr.StunAttribute.UseCandidate;
import io.tern.stun.attr.StunAttribute.Userhash;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Converts between indexed attribute values and {@link StunAttribute} records. */
public final class AttributeCodec {
    private AttributeCodec() {}

    /** Decodes attribute {@code i} of a wrapped message; a malformed value is a parse failure. */
    public static StunAttribute decode(StunReader reader, int i) throws StunParseException {
        ByteBuf buf = reader.buffer();
        int type = reader.attributeType(i);
        int at = reader.valueOffset(i);
        int length = reader.valueLength(i);
        if (AttributeType.isAddress(type)) {
            return new Address(type, address(reader, type, at, length));
        }
        if (AttributeType.isText(type)) {
            return new Text(type, buf.toString(at, length, StandardCharsets.UTF_8));
        }
        return switch (type) {
            case AttributeType.ERROR_CODE -> {
                requireAtLeast(length, 4);
                yield new ErrorCode(errorCode(buf, at), reason(buf, at, length));
            }
            case AttributeType.ADDRESS_ERROR_CODE -> {
                requireAtLeast(length, 4);
                yield new AddressErrorCode(buf.getUnsignedByte(at), errorCode(buf, at), reason(buf, at, length));
            }
            case AttributeType.UNKNOWN_ATTRIBUTES -> {
                if ((length & 1) != 0) {
                    throw StunParseException.of(ParseError.BAD_ATTRIBUTE_LENGTH);
                }
                List<Integer> types = new ArrayList<>(length / 2);
                for (int p = 0; p < length; p += 2) {
                    types.add(buf.getUnsignedShort(at + p));
                }
                yield new UnknownAttributes(types);
            }
            case AttributeType.MESSAGE_INTEGRITY -> new MessageIntegrity(bytes(buf, at, length));
            case AttributeType.MESSAGE_INTEGRITY_SHA256 -> new MessageIntegritySha256(bytes(buf, at, length));
            case AttributeType.FINGERPRINT -> new Fingerprint(u32(buf, at, length));
            case AttributeType.PASSWORD_ALGORITHM -> {
                List<PasswordAlgorithm> one = passwordAlgorithms(buf, at, length);
                if (one.size() != 1) {
                    throw StunParseException.of(ParseError.BAD_ATTRIBUTE_VALUE);
                }
                yield one.get(0);
            }
            case AttributeType.PASSWORD_ALGORITHMS -> new PasswordAlgorithms(passwordAlgorithms(buf, at, length));
            case AttributeType.USERHASH -> {
                requireExactly(length, 32);
                yield new Userhash(bytes(buf, at, length));
            }
            case AttributeType.CHANNEL_NUMBER -> new ChannelNumber(u32(buf, at, length) >>> 16);
            case AttributeType.LIFETIME -> new Lifetime(u32(buf, at, length) & 0xFFFFFFFFL);
            case AttributeType.DATA -> new Data(bytes(buf, at, length));
            case AttributeType.REQUESTED_ADDRESS_FAMILY -> new RequestedAddressFamily(u32(buf, at, length) >>> 24);
            case AttributeType.ADDITIONAL_ADDRESS_FAMILY -> new AdditionalAddressFamily(u32(buf, at, length) >>> 24);
            case AttributeType.EVEN_PORT -> {
                requireExactly(length, 1);
                yield new EvenPort((buf.getByte(at) & 0x80) != 0);
            }
            case AttributeType.REQUESTED_TRANSPORT -> new RequestedTransport(u32(buf, at, length) >>> 24);
            case AttributeType.DONT_FRAGMENT -> {
                requireExactly(length, 0);
                yield new DontFragment();
            }
            case AttributeType.RESERVATION_TOKEN -> new ReservationToken(u64(buf, at, length));
            case AttributeType.ICMP -> {
                requireExactly(length, 8);
                int word = buf.getInt(at);
                yield new Icmp((word >>> 9) & 0x7F, word & 0x1FF, buf.getInt(at + 4));
            }
            case AttributeType.CONNECTION_ID -> new ConnectionId(u32(buf, at, length) & 0xFFFFFFFFL);
            case AttributeType.CHANGE_REQUEST -> {
                int flags = u32(buf, at, length);
                yield new ChangeRequest((flags & 0x4) != 0, (flags & 0x2) != 0);
            }
            case AttributeType.RESPONSE_PORT -> new ResponsePort(u32(buf, at, length) >>> 16);
            case AttributeType.PADDING -> new Padding(length);
            case AttributeType.PRIORITY -> new Priority(u32(buf, at, length) & 0xFFFFFFFFL);
            case AttributeType.USE_CANDIDATE -> {
                requireExactly(length, 0);
                yield new UseCandidate();
            }
            case AttributeType.ICE_CONTROLLED -> new IceControlled(u64(buf, at, length));
            case AttributeType.ICE_CONTROLLING -> new IceControlling(u64(buf, at, length));
            default -> new StunAttribute.Unknown(type, bytes(buf, at, length));
        };
    }

    /** Writes a record through a writer; integrity and fingerprint records are refused. */
    public static void encode(StunAttribute attribute, StunWriter w) {
        int type = attribute.type();
        if (attribute instanceof Address a) {
            w.address(type, a.address());
        } else if (attribute instanceof Text t) {
            w.text(type, t.value());
        } else if (attribute instanceof ErrorCode e) {
            w.errorCode(e.code(), e.reason());
        } else if (attribute instanceof AddressErrorCode e) {
            w.addressErrorCode(e.family(), e.code(), e.reason());
        } else if (attribute instanceof UnknownAttributes u) {
            w.unknownAttributes(
                    u.types().stream().mapToInt(Integer::intValue).toArray(),
                    u.types().size());
        } else if (attribute instanceof MessageIntegrity
                || attribute instanceof MessageIntegritySha256
                || attribute instanceof Fingerprint) {
            throw new IllegalArgumentException(
                    AttributeType.describe(type) + " is computed by the builder's integrity()/fingerprint() steps");
        } else if (attribute instanceof PasswordAlgorithm p) {
            w.attribute(type, passwordAlgorithmBytes(List.of(p)));
        } else if (attribute instanceof PasswordAlgorithms p) {
            w.attribute(type, passwordAlgorithmBytes(p.algorithms()));
        } else if (attribute instanceof Userhash u) {
            w.attribute(type, u.hash());
        } else if (attribute instanceof ChannelNumber c) {
            w.firstShort(type, c.channel());
        } else if (attribute instanceof Lifetime l) {
            w.u32(type, (int) l.seconds());
        } else if (attribute instanceof Data d) {
            w.attribute(type, d.data());
        } else if (attribute instanceof RequestedAddressFamily f) {
            w.firstOctet(type, f.family());
        } else if (attribute instanceof AdditionalAddressFamily f) {
            w.firstOctet(type, f.family());
        } else if (attribute instanceof EvenPort e) {
            w.attribute(type, new byte[] {(byte) (e.reserve() ? 0x80 : 0)});
        } else if (attribute instanceof RequestedTransport r) {
            w.firstOctet(type, r.protocol());
        } else if (attribute instanceof DontFragment) {
            w.empty(type);
        } else if (attribute instanceof ReservationToken r) {
            w.u64(type, r.token());
        } else if (attribute instanceof Icmp i) {
            w.attribute(type, icmpBytes(i));
        } else if (attribute instanceof ConnectionId c) {
            w.u32(type, (int) c.id());
        } else if (attribute instanceof ChangeRequest c) {
            w.u32(type, (c.changeIp() ? 0x4 : 0) | (c.changePort() ? 0x2 : 0));
        } else if (attribute instanceof ResponsePort r) {
            w.firstShort(type, r.port());
        } else if (attribute instanceof Padding p) {
            w.attribute(type, new byte[p.length()]);
        } else if (attribute instanceof Priority p) {
            w.u32(type, (int) p.priority());
        } else if (attribute instanceof UseCandidate) {
            w.empty(type);
        } else if (attribute instanceof IceControlled c) {
            w.u64(type, c.tieBreaker());
        } else if (attribute instanceof IceControlling c) {
            w.u64(type, c.tieBreaker());
        } else {
            w.attribute(type, ((StunAttribute.Unknown) attribute).value());
        }
    }

    private static InetSocketAddress address(StunReader reader, int type, int at, int length)
            throws StunParseException {
        ByteBuf buf = reader.buffer();
        requireAtLeast(length, 4);
        int family = buf.getUnsignedByte(at + 1);
        int addressLength = AddressFamily.addressLength(family);
        if (addressLength < 0 || length != 4 + addressLength) {
            throw StunParseException.of(ParseError.BAD_ATTRIBUTE_VALUE);
        }
        boolean xor = AttributeType.isXorAddress(type);
        int cookie = reader.buffer().getInt(reader.start() + 4);
        int port = buf.getUnsignedShort(at + 2) ^ (xor ? cookie >>> 16 : 0);
        byte[] ip = bytes(buf, at + 4, addressLength);
        if (xor) {
            // The XOR key is the cookie followed by the transaction id: the 16 header bytes at 4.
            for (int k = 0; k < addressLength; k++) {
                ip[k] ^= buf.getByte(reader.start() + 4 + k);
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw StunParseException.of(ParseError.BAD_ATTRIBUTE_VALUE);
        }
    }

    private static int errorCode(ByteBuf buf, int at) throws StunParseException {
        int errorClass = buf.getByte(at + 2) & 0x07;
        int number = buf.getUnsignedByte(at + 3);
        if (errorClass < 3 || errorClass > 6 || number > 99) {
            throw StunParseException.of(ParseError.BAD_ATTRIBUTE_VALUE);
        }
        return errorClass * 100 + number;
    }

    private static String reason(ByteBuf buf, int at, int length) {
        return buf.toString(at + 4, length - 4, StandardCharsets.UTF_8);
    }

    private static List<PasswordAlgorithm> passwordAlgorithms(ByteBuf buf, int at, int length)
            throws StunParseException {
        List<PasswordAlgorithm> out = new ArrayList<>();
        int p = 0;
        while (p < length) {
            if (length - p < 4) {
                throw StunParseException.of(ParseError.BAD_ATTRIBUTE_VALUE);
            }
            int algorithm = buf.getUnsignedShort(at + p);
            int paramLength = buf.getUnsignedShort(at + p + 2);
            int padded = (paramLength + 3) & ~3;
            if (padded > length - p - 4) {
                throw StunParseException.of(ParseError.BAD_ATTRIBUTE_VALUE);
            }
            out.add(new PasswordAlgorithm(algorithm, bytes(buf, at + p + 4, paramLength)));
            p += 4 + padded;
        }
        return out;
    }

    private static byte[] passwordAlgorithmBytes(List<PasswordAlgorithm> algorithms) {
        int size = 0;
        for (PasswordAlgorithm a : algorithms) {
            size += 4 + ((a.parameters().length + 3) & ~3);
        }
        byte[] out = new byte[size];
        int p = 0;
        for (PasswordAlgorithm a : algorithms) {
            byte[] params = a.parameters();
            out[p] = (byte) (a.algorithm() >>> 8);
            out[p + 1] = (byte) a.algorithm();
            out[p + 2] = (byte) (params.length >>> 8);
            out[p + 3] = (byte) params.length;
            System.arraycopy(params, 0, out, p + 4, params.length);
            p += 4 + ((params.length + 3) & ~3);
        }
        return out;
    }

    private static byte[] icmpBytes(Icmp icmp) {
        int word = ((icmp.icmpType() & 0x7F) << 9) | (icmp.icmpCode() & 0x1FF);
        int data = icmp.errorData();
        return new byte[] {
            (byte) (word >>> 24), (byte) (word >>> 16), (byte) (word >>> 8), (byte) word,
            (byte) (data >>> 24), (byte) (data >>> 16), (byte) (data >>> 8), (byte) data
        };
    }

    private static int u32(ByteBuf buf, int at, int length) throws StunParseException {
        requireExactly(length, 4);
        return buf.getInt(at);
    }

    private static long u64(ByteBuf buf, int at, int length) throws StunParseException {
        requireExactly(length, 8);
        return buf.getLong(at);
    }

    private static byte[] bytes(ByteBuf buf, int at, int length) {
        byte[] out = new byte[length];
        buf.getBytes(at, out);
        return out;
    }

    private static void requireExactly(int length, int expected) throws StunParseException {
        if (length != expected) {
            throw StunParseException.of(ParseError.BAD_ATTRIBUTE_LENGTH);
        }
    }

    private static void requireAtLeast(int length, int minimum) throws StunParseException {
        if (length < minimum) {
            throw StunParseException.of(ParseError.BAD_ATTRIBUTE_LENGTH);
        }
    }
}
