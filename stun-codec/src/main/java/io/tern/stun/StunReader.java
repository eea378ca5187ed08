package io.tern.stun;

import io.netty.buffer.ByteBuf;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.integrity.Hmac;
import io.tern.stun.integrity.StunCrypto;
import java.nio.charset.StandardCharsets;

/**
 * A reusable, read-only view of one STUN message in a {@link ByteBuf}: the hot-path decoder.
 *
 * <p>{@link #wrap} checks the framing and records where each attribute's value lies in three
 * {@code int} arrays; nothing is copied and no object is created per message or per attribute.
 * The view is valid until the buffer is released or written. One instance per thread.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Magic Cookie                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Transaction ID (96 bits)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Type                  |            Length             |  attributes,
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  each padded
 * |                         Value (variable)                ....     to 4 bytes
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are
 * skipped, as RFC 8489 §14.5 requires; they are never indexed, so nothing can read them by mistake.
 */
public final class StunReader {
    public static final int HEADER_LENGTH = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;

    /** Generous for real traffic (a browser's Allocate carries about ten). */
    public static final int MAX_ATTRIBUTES = 48;

    private static final int NONE = -1;

    private final int[] types = new int[MAX_ATTRIBUTES];
    private final int[] offsets = new int[MAX_ATTRIBUTES];
    private final int[] lengths = new int[MAX_ATTRIBUTES];

    private ByteBuf buf;
    private int start;
    private int messageLength;
    private int count;
    private int integrity;
    private int integritySha256;
    private int fingerprint;
    private boolean rfc3489;

    /**
     * Parses the readable bytes of {@code buf} as exactly one STUN message (a UDP datagram or a
     * stream frame). Does not move the reader index and does not retain the buffer.
     *
     * @return {@code null} when the message is well-formed, else the reason it is not
     */
    public ParseError wrap(ByteBuf buf) {
        return wrap(buf, false);
    }

    /**
     * As {@link #wrap(ByteBuf)}; with {@code allowRfc3489} a message without the magic cookie is
     * accepted and {@link #isRfc3489()} is set, so a Binding server can still answer RFC 3489
     * clients (with MAPPED-ADDRESS, RFC 8489 §12).
     */
    public ParseError wrap(ByteBuf buf, boolean allowRfc3489) {
        this.buf = buf;
        this.start = buf.readerIndex();
        this.count = 0;
        this.integrity = NONE;
        this.integritySha256 = NONE;
        this.fingerprint = NONE;
        int readable = buf.readableBytes();
        if (readable < HEADER_LENGTH) {
            return fail(ParseError.TRUNCATED_HEADER);
        }
        if ((buf.getByte(start) & 0xC0) != 0) {
            return fail(ParseError.NOT_STUN);
        }
        rfc3489 = buf.getInt(start + 4) != MAGIC_COOKIE;
        if (rfc3489 && !allowRfc3489) {
            return fail(ParseError.BAD_MAGIC_COOKIE);
        }
        messageLength = buf.getUnsignedShort(start + 2);
        if ((messageLength & 3) != 0) {
            return fail(ParseError.BAD_LENGTH);
        }
        if (messageLength + HEADER_LENGTH != readable) {
            return fail(ParseError.LENGTH_MISMATCH);
        }
        return indexAttributes();
    }

    private ParseError indexAttributes() {
        int end = start + HEADER_LENGTH + messageLength;
        int pos = start + HEADER_LENGTH;
        boolean afterIntegrity = false;
        while (pos < end) {
            if (fingerprint != NONE) {
                return fail(ParseError.ATTRIBUTE_AFTER_FINGERPRINT);
            }
            if (end - pos < 4) {
                return fail(ParseError.ATTRIBUTE_TRUNCATED);
            }
            int type = buf.getUnsignedShort(pos);
            int length = buf.getUnsignedShort(pos + 2);
            int value = pos + 4;
            int padded = (length + 3) & ~3;
            if (padded > end - value) {
                return fail(ParseError.ATTRIBUTE_TRUNCATED);
            }
            pos = value + padded;
            switch (type) {
                case AttributeType.MESSAGE_INTEGRITY -> {
                    if (integrity != NONE) {
                        return fail(ParseError.DUPLICATE_INTEGRITY);
                    }
                    if (integritySha256 != NONE) {
                        return fail(ParseError.INTEGRITY_OUT_OF_ORDER);
                    }
                    if (length != 20) {
                        return fail(ParseError.BAD_ATTRIBUTE_LENGTH);
                    }
                    integrity = count;
                    afterIntegrity = true;
                }
                case AttributeType.MESSAGE_INTEGRITY_SHA256 -> {
                    if (integritySha256 != NONE) {
                        return fail(ParseError.DUPLICATE_INTEGRITY);
                    }
                    // RFC 8489 §14.6: 16 to 32 bytes, a multiple of 4 (it may be truncated).
                    if (length < 16 || length > 32 || (length & 3) != 0) {
                        return fail(ParseError.BAD_ATTRIBUTE_LENGTH);
                    }
                    integritySha256 = count;
                    afterIntegrity = true;
                }
                case AttributeType.FINGERPRINT -> {
                    if (length != 4) {
                        return fail(ParseError.BAD_ATTRIBUTE_LENGTH);
                    }
                    fingerprint = count;
                }
                default -> {
                    if (afterIntegrity) {
                        continue; // RFC 8489 §14.5: ignored, and so not indexed
                    }
                }
            }
            if (count == MAX_ATTRIBUTES) {
                return fail(ParseError.TOO_MANY_ATTRIBUTES);
            }
            types[count] = type;
            offsets[count] = value;
            lengths[count] = length;
            count++;
        }
        return null;
    }

    private ParseError fail(ParseError reason) {
        count = 0;
        integrity = NONE;
        integritySha256 = NONE;
        fingerprint = NONE;
        return reason;
    }

    /** The buffer this view reads. */
    public ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the first header byte. */
    public int start() {
        return start;
    }

    /** Header plus attributes, in bytes. */
    public int totalLength() {
        return HEADER_LENGTH + messageLength;
    }

    public int messageType() {
        return buf.getUnsignedShort(start);
    }

    public int method() {
        return StunClass.methodOf(messageType());
    }

    public StunClass messageClass() {
        return StunClass.ofMessageType(messageType());
    }

    /** True when the message had no magic cookie (accepted only when asked for). */
    public boolean isRfc3489() {
        return rfc3489;
    }

    /** The first 64 bits of the transaction id. */
    public long transactionIdHigh() {
        return buf.getLong(start + 8);
    }

    /** The last 32 bits of the transaction id. */
    public int transactionIdLow() {
        return buf.getInt(start + 16);
    }

    public TransactionId transactionId() {
        return new TransactionId(transactionIdHigh(), transactionIdLow());
    }

    public int attributeCount() {
        return count;
    }

    public int attributeType(int i) {
        return types[i];
    }

    /** Absolute index of the attribute's value. */
    public int valueOffset(int i) {
        return offsets[i];
    }

    /** The attribute's value length, without padding. */
    public int valueLength(int i) {
        return lengths[i];
    }

    /** Index of the first attribute of this type, or -1. */
    public int indexOf(int type) {
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                return i;
            }
        }
        return NONE;
    }

    public boolean has(int type) {
        return indexOf(type) != NONE;
    }

    /**
     * The first comprehension-required attribute type that Tern does not know, or -1. The caller
     * answers a request that has one with 420 (RFC 8489 §7.3.1).
     */
    public int firstUnknownComprehensionRequired() {
        for (int i = 0; i < count; i++) {
            int type = types[i];
            if (AttributeType.isComprehensionRequired(type) && !AttributeType.isKnown(type)) {
                return type;
            }
        }
        return NONE;
    }

    /** Copies every unknown comprehension-required type into {@code out}; returns how many. */
    public int unknownComprehensionRequired(int[] out) {
        int n = 0;
        for (int i = 0; i < count && n < out.length; i++) {
            int type = types[i];
            if (AttributeType.isComprehensionRequired(type) && !AttributeType.isKnown(type)) {
                out[n++] = type;
            }
        }
        return n;
    }

    /** A 32-bit value as unsigned; -1 when the attribute is absent or not 4 bytes. */
    public long u32(int type) {
        int i = indexOf(type);
        if (i == NONE || lengths[i] != 4) {
            return NONE;
        }
        return buf.getUnsignedInt(offsets[i]);
    }

    /** UTF-8 text of an attribute, or {@code null} when absent; allocates, so not for the data path. */
    public String text(int type) {
        int i = indexOf(type);
        return i == NONE ? null : buf.toString(offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    public boolean hasMessageIntegrity() {
        return integrity != NONE;
    }

    public boolean hasMessageIntegritySha256() {
        return integritySha256 != NONE;
    }

    public boolean hasFingerprint() {
        return fingerprint != NONE;
    }

    /** Checks FINGERPRINT; false when there is none. */
    public boolean verifyFingerprint() {
        if (fingerprint == NONE) {
            return false;
        }
        int attrStart = offsets[fingerprint] - 4;
        int expected = StunCrypto.current().fingerprint(buf, start, attrStart - start);
        return buf.getInt(offsets[fingerprint]) == expected;
    }

    /** Checks MESSAGE-INTEGRITY (HMAC-SHA1) with a long- or short-term key; false when absent. */
    public boolean verifyMessageIntegrity(byte[] key) {
        return integrity != NONE && verify(StunCrypto.current().hmacSha1(), integrity, key);
    }

    /** Checks MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, possibly truncated); false when absent. */
    public boolean verifyMessageIntegritySha256(byte[] key) {
        return integritySha256 != NONE && verify(StunCrypto.current().hmacSha256(), integritySha256, key);
    }

    private boolean verify(Hmac hmac, int index, byte[] key) {
        int value = offsets[index];
        int macLength = lengths[index];
        int attrStart = value - 4;
        // The MAC covers the message up to this attribute, with a length field that ends after it.
        int coveredLength = attrStart + 4 + macLength - start - HEADER_LENGTH;
        StunCrypto crypto = StunCrypto.current();
        byte[] mac = crypto.macScratch();
        hmac.init(key)
                .update(buf, start, 2)
                .updateShort(coveredLength)
                .update(buf, start + 4, attrStart - start - 4)
                .doFinal(mac, 0);
        return StunCrypto.constantTimeEquals(buf, value, mac, macLength);
    }
}
