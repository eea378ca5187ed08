package io.tern.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tern.stun.attr.AttributeCodec;
import io.tern.stun.attr.StunAttribute;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a STUN message from attribute records. The stages are types, so the RFC 8489 ordering
 * rule is checked by the compiler: attributes, then {@code integrity} (SHA-1 and/or SHA-256),
 * then {@code fingerprint}, then {@code encode}.
 *
 * <pre>{@code
 * ByteBuf request = StunMessage.builder(StunClass.REQUEST, StunMethod.ALLOCATE, TransactionId.random())
 *         .add(new StunAttribute.RequestedTransport(RequestedTransport.UDP))
 *         .add(new StunAttribute.Text(AttributeType.USERNAME, "alice"))
 *         .integrity(key)
 *         .fingerprint()
 *         .encode(ByteBufAllocator.DEFAULT);
 * }</pre>
 */
public final class StunMessageBuilder {

    /** The first stage: any attribute except integrity and fingerprint. */
    public interface Attributes extends Integrity {
        Attributes add(StunAttribute attribute);

        /** Appends MESSAGE-INTEGRITY (HMAC-SHA1) computed with {@code key}. */
        Integrity integrity(byte[] key);
    }

    /** After integrity: another integrity of SHA-256, the fingerprint, or the end. */
    public interface Integrity extends Sealed {
        /** Appends MESSAGE-INTEGRITY-SHA256 computed with {@code key}. */
        Integrity integritySha256(byte[] key);

        Sealed fingerprint();
    }

    /** Nothing may be added any more. */
    public interface Sealed {
        /** Writes the message into {@code out} at its writer index. */
        ByteBuf encode(ByteBuf out);

        /** Writes the message into a new buffer from {@code allocator}; released if encoding fails. */
        default ByteBuf encode(ByteBufAllocator allocator) {
            ByteBuf out = allocator.buffer(256);
            try {
                return encode(out);
            } catch (RuntimeException | Error e) {
                out.release();
                throw e;
            }
        }
    }

    private StunMessageBuilder() {}

    static Attributes create(StunClass messageClass, int method, TransactionId id) {
        return new Stages(messageClass.messageType(method), id);
    }

    /** One object plays every stage; the interfaces hide the calls that are not yet allowed. */
    private static final class Stages implements Attributes {
        private final int messageType;
        private final TransactionId id;
        private final List<StunAttribute> attributes = new ArrayList<>();
        private byte[] sha1Key;
        private byte[] sha256Key;
        private boolean fingerprint;

        private Stages(int messageType, TransactionId id) {
            this.messageType = messageType;
            this.id = id;
        }

        @Override
        public Attributes add(StunAttribute attribute) {
            attributes.add(attribute);
            return this;
        }

        @Override
        public Integrity integrity(byte[] key) {
            sha1Key = key.clone();
            return this;
        }

        @Override
        public Integrity integritySha256(byte[] key) {
            sha256Key = key.clone();
            return this;
        }

        @Override
        public Sealed fingerprint() {
            fingerprint = true;
            return this;
        }

        @Override
        public ByteBuf encode(ByteBuf out) {
            StunWriter w = new StunWriter().begin(out, messageType, id);
            for (StunAttribute a : attributes) {
                AttributeCodec.encode(a, w);
            }
            if (sha1Key != null) {
                w.messageIntegrity(sha1Key);
            }
            if (sha256Key != null) {
                w.messageIntegritySha256(sha256Key);
            }
            if (fingerprint) {
                w.fingerprint();
            }
            return w.finish();
        }
    }
}
