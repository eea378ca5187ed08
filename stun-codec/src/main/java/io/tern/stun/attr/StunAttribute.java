package io.tern.stun.attr;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A decoded attribute: the cold-path, value-typed view of what {@link io.tern.stun.StunReader}
 * indexes. One record per attribute kind, except the address and text families, which share a
 * record parameterised by type (XOR-MAPPED and XOR-PEER differ only in their type code).
 *
 * <p>Records that hold a {@code byte[]} compare its contents, so a decoded message equals the one
 * it was built from.
 */
public sealed interface StunAttribute {
    /** The attribute type code, see {@link AttributeType}. */
    int type();

    /**
     * MAPPED-ADDRESS and its relatives. For the XOR types the port and address are XOR'd with the
     * magic cookie (and, for IPv6, the transaction id) on the wire.
     *
     * <pre>
     *  0                   1                   2                   3
     * |0 0 0 0 0 0 0 0|    Family     |           Port                |
     * |                 Address (32 bits or 128 bits)                 |
     * </pre>
     */
    record Address(int type, InetSocketAddress address) implements StunAttribute {
        public Address {
            if (!AttributeType.isAddress(type)) {
                throw new IllegalArgumentException(AttributeType.describe(type) + " is not an address attribute");
            }
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("unresolved address " + address);
            }
        }
    }

    /** USERNAME, REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN: UTF-8 text, padded to 4 bytes. */
    record Text(int type, String value) implements StunAttribute {
        public Text {
            if (!AttributeType.isText(type)) {
                throw new IllegalArgumentException(AttributeType.describe(type) + " is not a text attribute");
            }
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * ERROR-CODE (RFC 8489 §14.8).
     *
     * <pre>
     * |           Reserved, should be 0         |Class|     Number    |
     * |      Reason Phrase (variable)                                ..
     * </pre>
     */
    record ErrorCode(int code, String reason) implements StunAttribute {
        public ErrorCode {
            if (code < 300 || code > 699) {
                throw new IllegalArgumentException("error code " + code + " outside 300-699");
            }
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public int type() {
            return AttributeType.ERROR_CODE;
        }
    }

    /** UNKNOWN-ATTRIBUTES: the 16-bit types a server did not understand, for a 420 answer. */
    record UnknownAttributes(List<Integer> types) implements StunAttribute {
        public UnknownAttributes {
            types = List.copyOf(types);
        }

        @Override
        public int type() {
            return AttributeType.UNKNOWN_ATTRIBUTES;
        }
    }

    /** MESSAGE-INTEGRITY: HMAC-SHA1, 20 bytes. */
    record MessageIntegrity(byte[] mac) implements StunAttribute {
        public MessageIntegrity {
            mac = mac.clone();
        }

        @Override
        public byte[] mac() {
            return mac.clone();
        }

        @Override
        public int type() {
            return AttributeType.MESSAGE_INTEGRITY;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MessageIntegrity other && Arrays.equals(mac, other.mac);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(mac);
        }

        @Override
        public String toString() {
            return "MessageIntegrity[" + HexFormat.of().formatHex(mac) + "]";
        }
    }

    /** MESSAGE-INTEGRITY-SHA256: HMAC-SHA256, 16 to 32 bytes. */
    record MessageIntegritySha256(byte[] mac) implements StunAttribute {
        public MessageIntegritySha256 {
            mac = mac.clone();
        }

        @Override
        public byte[] mac() {
            return mac.clone();
        }

        @Override
        public int type() {
            return AttributeType.MESSAGE_INTEGRITY_SHA256;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MessageIntegritySha256 other && Arrays.equals(mac, other.mac);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(mac);
        }

        @Override
        public String toString() {
            return "MessageIntegritySha256[" + HexFormat.of().formatHex(mac) + "]";
        }
    }

    /** FINGERPRINT: CRC-32 of the message XOR 0x5354554e. */
    record Fingerprint(int crc) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.FINGERPRINT;
        }
    }

    /**
     * PASSWORD-ALGORITHM (RFC 8489 §14.12), also the element of PASSWORD-ALGORITHMS.
     *
     * <pre>
     * |          Algorithm           |  Algorithm Parameters Length   |
     * |                    Algorithm Parameters (variable)
     * </pre>
     */
    record PasswordAlgorithm(int algorithm, byte[] parameters) implements StunAttribute {
        public PasswordAlgorithm {
            parameters = parameters.clone();
        }

        public PasswordAlgorithm(int algorithm) {
            this(algorithm, new byte[0]);
        }

        @Override
        public byte[] parameters() {
            return parameters.clone();
        }

        @Override
        public int type() {
            return AttributeType.PASSWORD_ALGORITHM;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PasswordAlgorithm other
                    && algorithm == other.algorithm
                    && Arrays.equals(parameters, other.parameters);
        }

        @Override
        public int hashCode() {
            return 31 * algorithm + Arrays.hashCode(parameters);
        }

        @Override
        public String toString() {
            return "PasswordAlgorithm[" + algorithm + ", " + HexFormat.of().formatHex(parameters) + "]";
        }
    }

    /** PASSWORD-ALGORITHMS (RFC 8489 §14.11): the server's list, each entry padded to 4 bytes. */
    record PasswordAlgorithms(List<PasswordAlgorithm> algorithms) implements StunAttribute {
        public PasswordAlgorithms {
            algorithms = List.copyOf(algorithms);
        }

        @Override
        public int type() {
            return AttributeType.PASSWORD_ALGORITHMS;
        }
    }

    /** USERHASH (RFC 8489 §14.4): SHA-256(username ":" realm), 32 bytes. */
    record Userhash(byte[] hash) implements StunAttribute {
        public Userhash {
            hash = hash.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        @Override
        public int type() {
            return AttributeType.USERHASH;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Userhash other && Arrays.equals(hash, other.hash);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(hash);
        }

        @Override
        public String toString() {
            return "Userhash[" + HexFormat.of().formatHex(hash) + "]";
        }
    }

    /**
     * CHANNEL-NUMBER (RFC 8656 §18.1).
     *
     * <pre>
     * |        Channel Number         |         RFFU = 0              |
     * </pre>
     */
    record ChannelNumber(int channel) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.CHANNEL_NUMBER;
        }
    }

    /** LIFETIME (RFC 8656 §18.2): seconds, unsigned 32 bits. */
    record Lifetime(long seconds) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.LIFETIME;
        }
    }

    /** DATA (RFC 8656 §18.4): the application payload of a Send or Data indication. */
    record Data(byte[] data) implements StunAttribute {
        public Data {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public int type() {
            return AttributeType.DATA;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data other && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Data[" + data.length + " bytes]";
        }
    }

    /**
     * REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
     *
     * <pre>
     * |     Family    |            Reserved                           |
     * </pre>
     */
    record RequestedAddressFamily(int family) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.REQUESTED_ADDRESS_FAMILY;
        }
    }

    /** ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11): same layout, asks for a second relay. */
    record AdditionalAddressFamily(int family) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.ADDITIONAL_ADDRESS_FAMILY;
        }
    }

    /**
     * EVEN-PORT (RFC 8656 §18.7): one byte, the R bit asks to reserve the next port too.
     *
     * <pre>
     * |R|    RFFU     |
     * </pre>
     */
    record EvenPort(boolean reserve) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.EVEN_PORT;
        }
    }

    /**
     * REQUESTED-TRANSPORT (RFC 8656 §18.8): an IANA protocol number, 17 (UDP) or 6 (TCP).
     *
     * <pre>
     * |    Protocol   |                    RFFU                       |
     * </pre>
     */
    record RequestedTransport(int protocol) implements StunAttribute {
        public static final int UDP = 17;
        public static final int TCP = 6;

        @Override
        public int type() {
            return AttributeType.REQUESTED_TRANSPORT;
        }
    }

    /** DONT-FRAGMENT (RFC 8656 §18.9): no value. */
    record DontFragment() implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.DONT_FRAGMENT;
        }
    }

    /** RESERVATION-TOKEN (RFC 8656 §18.10): 8 opaque bytes naming a reserved relay port. */
    record ReservationToken(long token) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.RESERVATION_TOKEN;
        }
    }

    /**
     * ADDRESS-ERROR-CODE (RFC 8656 §18.12): why one family of a dual allocation failed.
     *
     * <pre>
     * |  Family       |    Reserved             |Class|     Number    |
     * |      Reason Phrase (variable)                                ..
     * </pre>
     */
    record AddressErrorCode(int family, int code, String reason) implements StunAttribute {
        public AddressErrorCode {
            if (code < 300 || code > 699) {
                throw new IllegalArgumentException("error code " + code + " outside 300-699");
            }
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public int type() {
            return AttributeType.ADDRESS_ERROR_CODE;
        }
    }

    /**
     * ICMP (RFC 8656 §18.13): an ICMP error the relay received for a peer.
     *
     * <pre>
     * |  Reserved                     |  ICMP Type  |  ICMP Code      |
     * |                          Error Data                           |
     * </pre>
     */
    record Icmp(int icmpType, int icmpCode, int errorData) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.ICMP;
        }
    }

    /** CONNECTION-ID (RFC 6062 §6.2.1): names a peer TCP connection, 32 bits. */
    record ConnectionId(long id) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.CONNECTION_ID;
        }
    }

    /**
     * CHANGE-REQUEST (RFC 5780 §7.2).
     *
     * <pre>
     * |0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 A B 0|
     * </pre>
     */
    record ChangeRequest(boolean changeIp, boolean changePort) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.CHANGE_REQUEST;
        }
    }

    /** RESPONSE-PORT (RFC 5780 §7.5): a 16-bit port and 16 bits of padding. */
    record ResponsePort(int port) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.RESPONSE_PORT;
        }
    }

    /** PADDING (RFC 5780 §7.6): only its length matters; the content is zeros when Tern writes it. */
    record Padding(int length) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.PADDING;
        }
    }

    /** PRIORITY (RFC 8445 §16.1). */
    record Priority(long priority) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.PRIORITY;
        }
    }

    /** USE-CANDIDATE (RFC 8445 §16.1): no value. */
    record UseCandidate() implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.USE_CANDIDATE;
        }
    }

    /** ICE-CONTROLLED (RFC 8445 §16.1): a 64-bit tie-breaker. */
    record IceControlled(long tieBreaker) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.ICE_CONTROLLED;
        }
    }

    /** ICE-CONTROLLING (RFC 8445 §16.1): a 64-bit tie-breaker. */
    record IceControlling(long tieBreaker) implements StunAttribute {
        @Override
        public int type() {
            return AttributeType.ICE_CONTROLLING;
        }
    }

    /** Any attribute type Tern does not model, kept as raw bytes so it can be reported. */
    record Unknown(int type, byte[] value) implements StunAttribute {
        public Unknown {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown other && type == other.type && Arrays.equals(value, other.value);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Unknown[" + AttributeType.describe(type) + ", "
                    + HexFormat.of().formatHex(value) + "]";
        }
    }
}
