package io.tern.stun;

import io.netty.buffer.ByteBuf;
import io.tern.stun.attr.AttributeCodec;
import io.tern.stun.attr.StunAttribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A decoded STUN message as a value: the cold-path API for clients, tests and tools. The server's
 * data path uses {@link StunReader} and {@link StunWriter} instead, which allocate nothing.
 *
 * @param messageType the 14-bit type (method and class interleaved)
 * @param transactionId the 96-bit transaction id
 * @param attributes the attributes in wire order, including integrity and fingerprint if present
 */
public record StunMessage(int messageType, TransactionId transactionId, List<StunAttribute> attributes) {
    public StunMessage {
        attributes = List.copyOf(attributes);
    }

    /** Starts a builder for a new message; see {@link StunMessageBuilder}. */
    public static StunMessageBuilder.Attributes builder(StunClass messageClass, int method, TransactionId id) {
        return StunMessageBuilder.create(messageClass, method, id);
    }

    /**
     * Decodes exactly the readable bytes of {@code buf}, without moving its reader index. Does not
     * check integrity or fingerprint: use {@link StunReader} for that.
     */
    public static StunMessage decode(ByteBuf buf) throws StunParseException {
        StunReader reader = new StunReader();
        ParseError error = reader.wrap(buf);
        if (error != null) {
            throw StunParseException.of(error);
        }
        return of(reader);
    }

    /** Builds the value form of a message a reader has wrapped. */
    public static StunMessage of(StunReader reader) throws StunParseException {
        List<StunAttribute> attributes = new ArrayList<>(reader.attributeCount());
        for (int i = 0; i < reader.attributeCount(); i++) {
            attributes.add(AttributeCodec.decode(reader, i));
        }
        return new StunMessage(reader.messageType(), reader.transactionId(), attributes);
    }

    public int method() {
        return StunClass.methodOf(messageType);
    }

    public StunClass messageClass() {
        return StunClass.ofMessageType(messageType);
    }

    /** The first attribute of a record type, e.g. {@code attribute(StunAttribute.Lifetime.class)}. */
    public <T extends StunAttribute> Optional<T> attribute(Class<T> kind) {
        for (StunAttribute a : attributes) {
            if (kind.isInstance(a)) {
                return Optional.of(kind.cast(a));
            }
        }
        return Optional.empty();
    }

    /** The first attribute with a type code. */
    public Optional<StunAttribute> attribute(int type) {
        for (StunAttribute a : attributes) {
            if (a.type() == type) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * Encodes this message as it stands, attribute by attribute, including any integrity or
     * fingerprint values it carries verbatim (so a decoded message re-encodes to the same bytes,
     * padding aside). To compute integrity, build with {@link StunMessageBuilder}.
     */
    public ByteBuf encode(ByteBuf out) {
        StunWriter w = new StunWriter().begin(out, messageType, transactionId);
        for (StunAttribute a : attributes) {
            if (a instanceof StunAttribute.MessageIntegrity m) {
                w.attribute(a.type(), m.mac());
            } else if (a instanceof StunAttribute.MessageIntegritySha256 m) {
                w.attribute(a.type(), m.mac());
            } else if (a instanceof StunAttribute.Fingerprint f) {
                w.u32(a.type(), f.crc());
            } else {
                AttributeCodec.encode(a, w);
            }
        }
        return w.finish();
    }
}
