package io.tern.stun;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes STUN bytes by hand, well-formed or not, without going through the codec: the length field
 * follows the body unless overridden, attributes may declare any length, and the integrity and
 * fingerprint helpers use {@code javax.crypto.Mac} and {@code CRC32}, so they are an independent
 * oracle for the codec's own implementation.
 */
final class RawStun {
    static final long TX_HIGH = 0x0102030405060708L;
    static final int TX_LOW = 0x090A0B0C;

    private int type = 0x0001;
    private int cookie = StunReader.MAGIC_COOKIE;
    private int lengthOverride = -1;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    private RawStun() {}

    /** A Binding request header with a fixed transaction id and no attributes yet. */
    static RawStun bindingRequest() {
        return new RawStun();
    }

    RawStun type(int messageType) {
        this.type = messageType;
        return this;
    }

    RawStun cookie(int value) {
        this.cookie = value;
        return this;
    }

    /** Writes this value in the header length field instead of the body's length. */
    RawStun lengthField(int length) {
        this.lengthOverride = length;
        return this;
    }

    /** An attribute whose declared length is the value's, zero-padded to 4 bytes. */
    RawStun attribute(int attributeType, byte... value) {
        return attributeDeclaring(attributeType, value.length, value).bytes(new byte[(-value.length) & 3]);
    }

    /** An attribute header declaring {@code declaredLength}, followed by exactly {@code bytes}. */
    RawStun attributeDeclaring(int attributeType, int declaredLength, byte... bytes) {
        return u16(attributeType).u16(declaredLength).bytes(bytes);
    }

    RawStun text(int attributeType, String value) {
        return attribute(attributeType, value.getBytes(StandardCharsets.UTF_8));
    }

    RawStun u32(int attributeType, int value) {
        return attribute(attributeType, ByteBuffer.allocate(4).putInt(value).array());
    }

    /** Bytes appended to the body verbatim. */
    RawStun bytes(byte... bytes) {
        body.writeBytes(bytes);
        return this;
    }

    /** MESSAGE-INTEGRITY (HMAC-SHA1) over everything so far, as RFC 8489 §14.5 specifies. */
    RawStun messageIntegrity(byte[] key) {
        return mac(0x0008, "HmacSHA1", key, 20);
    }

    /** MESSAGE-INTEGRITY-SHA256 over everything so far, truncated to {@code length} bytes. */
    RawStun messageIntegritySha256(byte[] key, int length) {
        return mac(0x001C, "HmacSHA256", key, length);
    }

    /** FINGERPRINT: CRC-32 of everything so far (length covering it) XOR 0x5354554e. */
    RawStun fingerprint() {
        byte[] covered = header(body.size() + 8);
        CRC32 crc = new CRC32();
        crc.update(covered);
        crc.update(body.toByteArray());
        return u32(0x8028, (int) crc.getValue() ^ 0x5354554e);
    }

    int bodyLength() {
        return body.size();
    }

    byte[] build() {
        byte[] b = body.toByteArray();
        byte[] out = Arrays.copyOf(header(lengthOverride >= 0 ? lengthOverride : b.length), 20 + b.length);
        System.arraycopy(b, 0, out, 20, b.length);
        return out;
    }

    private RawStun mac(int attributeType, String algorithm, byte[] key, int length) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            mac.update(header(body.size() + 4 + length));
            mac.update(body.toByteArray());
            return attribute(attributeType, Arrays.copyOf(mac.doFinal(), length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private RawStun u16(int value) {
        body.write(value >>> 8);
        body.write(value);
        return this;
    }

    private byte[] header(int length) {
        return ByteBuffer.allocate(20)
                .putShort((short) type)
                .putShort((short) length)
                .putInt(cookie)
                .putLong(TX_HIGH)
                .putInt(TX_LOW)
                .array();
    }
}
