package io.tern.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.NetUtil;
import io.tern.stun.attr.AddressFamily;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.integrity.Hmac;
import io.tern.stun.integrity.StunCrypto;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A reusable writer that encodes one STUN message straight into a {@link ByteBuf}: the hot-path
 * encoder behind {@link StunMessageBuilder}.
 *
 * <p>Calls go {@code begin}, attributes, then optionally {@link #messageIntegrity}, {@link
 * #messageIntegritySha256}, {@link #fingerprint}, then {@link #finish}. RFC 8489 fixes that order
 * (integrity covers what precedes it; FINGERPRINT is last); a call out of order throws
 * {@link IllegalStateException}, because it is a programming error, not bad input.
 */
public final class StunWriter {
    private static final int IDLE = 0;
    private static final int ATTRIBUTES = 1;
    private static final int INTEGRITY = 2;
    private static final int INTEGRITY_SHA256 = 3;
    private static final int FINGERPRINT = 4;

    private static final byte[] ZEROS = new byte[4];

    private ByteBuf out;
    private int start;
    private int cookie;
    private long txHigh;
    private int txLow;
    private int state = IDLE;

    /** Starts a message with a fresh header. */
    public StunWriter begin(ByteBuf out, int messageType, TransactionId id) {
        return begin(out, messageType, StunReader.MAGIC_COOKIE, id.high(), id.low());
    }

    /**
     * Starts a message with a transaction id given as its two halves, so that a server can issue
     * indications (Data) without allocating an id object per packet.
     */
    public StunWriter begin(ByteBuf out, int messageType, long txHigh, int txLow) {
        return begin(out, messageType, StunReader.MAGIC_COOKIE, txHigh, txLow);
    }

    /** Starts a message whose type is built from a class and a method. */
    public StunWriter begin(ByteBuf out, StunClass messageClass, int method, TransactionId id) {
        return begin(out, messageClass.messageType(method), id);
    }

    /**
     * Starts a response to the message {@code request} is reading: same transaction id, and the
     * request's cookie field, so an RFC 3489 client gets its 128-bit id back intact.
     */
    public StunWriter beginResponse(ByteBuf out, StunClass messageClass, StunReader request) {
        ByteBuf in = request.buffer();
        int s = request.start();
        return begin(
                out,
                messageClass.messageType(request.method()),
                in.getInt(s + 4),
                request.transactionIdHigh(),
                request.transactionIdLow());
    }

    private StunWriter begin(ByteBuf out, int messageType, int cookie, long txHigh, int txLow) {
        if ((messageType & ~0x3FFF) != 0) {
            throw new IllegalArgumentException("message type does not fit 14 bits: " + messageType);
        }
        this.out = out;
        this.start = out.writerIndex();
        this.cookie = cookie;
        this.txHigh = txHigh;
        this.txLow = txLow;
        this.state = ATTRIBUTES;
        out.writeShort(messageType)
                .writeShort(0)
                .writeInt(cookie)
                .writeLong(txHigh)
                .writeInt(txLow);
        return this;
    }

    /** Bytes written so far for the message begun last, header included. */
    public int length() {
        return out.writerIndex() - start;
    }

    /** An attribute with raw value bytes, padded to 4. */
    public StunWriter attribute(int type, byte[] value) {
        header(type, value.length);
        out.writeBytes(value);
        return pad(value.length);
    }

    /** An attribute whose value is a range of another buffer (e.g. DATA), padded to 4. */
    public StunWriter attribute(int type, ByteBuf value, int index, int length) {
        header(type, length);
        out.writeBytes(value, index, length);
        return pad(length);
    }

    /** An attribute with no value (DONT-FRAGMENT, USE-CANDIDATE). */
    public StunWriter empty(int type) {
        header(type, 0);
        return this;
    }

    public StunWriter u32(int type, int value) {
        header(type, 4);
        out.writeInt(value);
        return this;
    }

    public StunWriter u64(int type, long value) {
        header(type, 8);
        out.writeLong(value);
        return this;
    }

    /** A one-byte value in the first octet of a 4-byte word (REQUESTED-TRANSPORT, families). */
    public StunWriter firstOctet(int type, int value) {
        return u32(type, (value & 0xFF) << 24);
    }

    /** A two-byte value in the first half of a 4-byte word (CHANNEL-NUMBER, RESPONSE-PORT). */
    public StunWriter firstShort(int type, int value) {
        return u32(type, (value & 0xFFFF) << 16);
    }

    /** UTF-8 text, padded to 4. */
    public StunWriter text(int type, String value) {
        int lengthIndex = out.writerIndex() + 2;
        header(type, 0);
        int length = ByteBufUtil.writeUtf8(out, value);
        out.setShort(lengthIndex, length);
        return pad(length);
    }

    /**
     * An address attribute; XOR'd with the cookie and transaction id when {@code type} is one of
     * the XOR types (RFC 8489 §14.2).
     */
    public StunWriter address(int type, InetSocketAddress address) {
        return address(type, address.getAddress(), address.getPort());
    }

    public StunWriter address(int type, InetAddress ip, int port) {
        if (ip instanceof Inet4Address) {
            return ipv4Address(type, NetUtil.ipv4AddressToInt((Inet4Address) ip), port);
        }
        byte[] a = ip.getAddress();
        return ipv6Address(type, bigEndianLong(a, 0), bigEndianLong(a, 8), port);
    }

    /** An address attribute for the IPv4 address {@code ipv4} (big-endian), building no object. */
    public StunWriter ipv4Address(int type, int ipv4, int port) {
        boolean xor = AttributeType.isXorAddress(type);
        header(type, 8);
        out.writeShort(AddressFamily.IPV4).writeShort(xor ? port ^ (cookie >>> 16) : port);
        out.writeInt(xor ? ipv4 ^ cookie : ipv4);
        return this;
    }

    /**
     * An address attribute for the IPv6 address whose bytes 0-7 are {@code hi} and 8-15 are
     * {@code lo} (big-endian), building no object.
     */
    public StunWriter ipv6Address(int type, long hi, long lo, int port) {
        boolean xor = AttributeType.isXorAddress(type);
        header(type, 20);
        out.writeShort(AddressFamily.IPV6).writeShort(xor ? port ^ (cookie >>> 16) : port);
        if (xor) {
            hi ^= ((long) cookie << 32) | (txHigh >>> 32);
            lo ^= (txHigh << 32) | (txLow & 0xFFFFFFFFL);
        }
        out.writeLong(hi).writeLong(lo);
        return this;
    }

    /** ERROR-CODE and, with a family, ADDRESS-ERROR-CODE share this layout. */
    public StunWriter errorCode(int code, String reason) {
        return errorCodeLike(AttributeType.ERROR_CODE, 0, code, reason);
    }

    public StunWriter addressErrorCode(int family, int code, String reason) {
        return errorCodeLike(AttributeType.ADDRESS_ERROR_CODE, family, code, reason);
    }

    private StunWriter errorCodeLike(int type, int family, int code, String reason) {
        int lengthIndex = out.writerIndex() + 2;
        header(type, 0);
        out.writeByte(family).writeByte(0).writeByte(code / 100).writeByte(code % 100);
        int length = 4 + ByteBufUtil.writeUtf8(out, reason);
        out.setShort(lengthIndex, length);
        return pad(length);
    }

    /** UNKNOWN-ATTRIBUTES with {@code types[0..count)}. */
    public StunWriter unknownAttributes(int[] types, int count) {
        header(AttributeType.UNKNOWN_ATTRIBUTES, 2 * count);
        for (int i = 0; i < count; i++) {
            out.writeShort(types[i]);
        }
        return pad(2 * count);
    }

    /** Appends MESSAGE-INTEGRITY (HMAC-SHA1) over everything written so far. */
    public StunWriter messageIntegrity(byte[] key) {
        if (state != ATTRIBUTES) {
            throw new IllegalStateException("MESSAGE-INTEGRITY must follow the attributes and precede the rest");
        }
        writeMac(AttributeType.MESSAGE_INTEGRITY, StunCrypto.current().hmacSha1(), key);
        state = INTEGRITY;
        return this;
    }

    /** Appends MESSAGE-INTEGRITY-SHA256 (full 32 bytes); may follow MESSAGE-INTEGRITY. */
    public StunWriter messageIntegritySha256(byte[] key) {
        if (state != ATTRIBUTES && state != INTEGRITY) {
            throw new IllegalStateException("MESSAGE-INTEGRITY-SHA256 must precede FINGERPRINT");
        }
        writeMac(AttributeType.MESSAGE_INTEGRITY_SHA256, StunCrypto.current().hmacSha256(), key);
        state = INTEGRITY_SHA256;
        return this;
    }

    private void writeMac(int type, Hmac hmac, byte[] key) {
        int macLength = hmac.macLength();
        setLength(out.writerIndex() + 4 + macLength);
        byte[] mac = StunCrypto.current().macScratch();
        hmac.init(key).update(out, start, out.writerIndex() - start).doFinal(mac, 0);
        out.writeShort(type).writeShort(macLength).writeBytes(mac, 0, macLength);
    }

    /** Appends FINGERPRINT; nothing may follow it. */
    public StunWriter fingerprint() {
        if (state == IDLE || state == FINGERPRINT) {
            throw new IllegalStateException("FINGERPRINT must be the last attribute, once");
        }
        setLength(out.writerIndex() + 8);
        int crc = StunCrypto.current().fingerprint(out, start, out.writerIndex() - start);
        out.writeShort(AttributeType.FINGERPRINT).writeShort(4).writeInt(crc);
        state = FINGERPRINT;
        return this;
    }

    /** Fixes the header length and returns the buffer, ready to send. */
    public ByteBuf finish() {
        if (state == IDLE) {
            throw new IllegalStateException("finish() without begin()");
        }
        setLength(out.writerIndex());
        state = IDLE;
        ByteBuf done = out;
        out = null;
        return done;
    }

    private void header(int type, int length) {
        if (state != ATTRIBUTES) {
            throw new IllegalStateException(
                    state == IDLE ? "begin() first" : "no attribute may follow integrity or fingerprint");
        }
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("attribute value longer than 65535 bytes");
        }
        out.writeShort(type).writeShort(length);
    }

    private StunWriter pad(int length) {
        int padding = (-length) & 3;
        if (padding != 0) {
            out.writeBytes(ZEROS, 0, padding);
        }
        return this;
    }

    private void setLength(int endIndex) {
        int length = endIndex - start - StunReader.HEADER_LENGTH;
        if (length > 0xFFFF) {
            throw new IllegalStateException("message longer than 65535 bytes");
        }
        out.setShort(start + 2, length);
    }

    private static long bigEndianLong(byte[] a, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (a[offset + i] & 0xFF);
        }
        return v;
    }
}
