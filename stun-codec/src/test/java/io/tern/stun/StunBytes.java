package io.tern.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tern.stun.attr.AttributeType;
import io.tern.testing.Buffers;
import io.tern.testing.HexFixture;
import java.util.Arrays;
import java.util.function.Predicate;

/** Byte-level helpers for tests on whole messages; every buffer they use is released. */
final class StunBytes {
    private StunBytes() {}

    static byte[] vector(String file) {
        return HexFixture.load("vectors/" + file).bytes();
    }

    /** Encodes a built message into a fresh buffer and returns its bytes. */
    static byte[] encode(StunMessageBuilder.Sealed message) {
        return Buffers.drain(message.encode(ByteBufAllocator.DEFAULT));
    }

    static byte[] encode(StunMessage message) {
        return Buffers.drain(message.encode(ByteBufAllocator.DEFAULT.buffer()));
    }

    static StunMessage decode(byte[] message) throws StunParseException {
        ByteBuf buf = Buffers.heap(message);
        try {
            return StunMessage.decode(buf);
        } finally {
            buf.release();
        }
    }

    /** The same message with every padding byte set to zero, as Tern's writer pads. */
    static byte[] zeroPadding(byte[] message) {
        ByteBuf buf = Buffers.heap(message);
        try {
            StunReader reader = wrapped(buf);
            for (int i = 0; i < reader.attributeCount(); i++) {
                int end = reader.valueOffset(i) + reader.valueLength(i);
                buf.setZero(end, (-reader.valueLength(i)) & 3);
            }
            return Buffers.bytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Index of the attribute header (type field) of the first attribute of this type. */
    static int attributeStart(byte[] message, int type) {
        ByteBuf buf = Buffers.heap(message);
        try {
            StunReader reader = wrapped(buf);
            int i = reader.indexOf(type);
            if (i < 0) {
                throw new AssertionError("no " + AttributeType.describe(type));
            }
            return reader.valueOffset(i) - 4;
        } finally {
            buf.release();
        }
    }

    /** The whole attribute (header, value, padding) of the first attribute of this type. */
    static byte[] attributeBytes(byte[] message, int type) {
        int start = attributeStart(message, type);
        int length = ((message[start + 2] & 0xFF) << 8) | (message[start + 3] & 0xFF);
        return Arrays.copyOfRange(message, start, start + 4 + ((length + 3) & ~3));
    }

    static byte[] flip(byte[] message, int index) {
        byte[] copy = message.clone();
        copy[index] ^= 0x01;
        return copy;
    }

    /** Whether the message parses and its MESSAGE-INTEGRITY verifies with the key. */
    static boolean integrityVerifies(byte[] message, byte[] key) {
        return check(message, r -> r.verifyMessageIntegrity(key));
    }

    static boolean integritySha256Verifies(byte[] message, byte[] key) {
        return check(message, r -> r.verifyMessageIntegritySha256(key));
    }

    static boolean fingerprintVerifies(byte[] message) {
        return check(message, StunReader::verifyFingerprint);
    }

    private static boolean check(byte[] message, Predicate<StunReader> verification) {
        ByteBuf buf = Buffers.heap(message);
        try {
            StunReader reader = new StunReader();
            return reader.wrap(buf) == null && verification.test(reader);
        } finally {
            buf.release();
        }
    }

    private static StunReader wrapped(ByteBuf buf) {
        StunReader reader = new StunReader();
        ParseError error = reader.wrap(buf);
        if (error != null) {
            throw new AssertionError("not a valid message: " + error);
        }
        return reader;
    }
}
