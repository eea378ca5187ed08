package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMessageBuilder;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of the long-term credential mechanism (RFC 8489 §9.2): the 401 dance and the
 * 438 stale-nonce retry.
 *
 * <ol>
 *   <li>The first request goes without credentials. The server answers 401 with REALM, NONCE and,
 *       if it speaks RFC 8489, PASSWORD-ALGORITHMS.
 *   <li>The client derives the key for that realm and algorithm and sends the request again, with
 *       USERNAME, REALM, NONCE (PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM when the server offered
 *       them) and MESSAGE-INTEGRITY, or MESSAGE-INTEGRITY-SHA256 for the SHA-256 key.
 *   <li>Later requests reuse the realm and nonce at once. When the nonce expires the server answers
 *       438 with a fresh one and the client retries once with it.
 * </ol>
 *
 * The learned challenge is an immutable value in a volatile field, so requests may run from any
 * thread; a retry always uses what its own answer taught.
 */
final class LongTermAuthenticator {
    private final Credentials credentials;
    private final Transactions transactions;
    private final ByteBufAllocator alloc;
    private volatile Challenge challenge;

    LongTermAuthenticator(Credentials credentials, Transactions transactions, ByteBufAllocator alloc) {
        this.credentials = credentials;
        this.transactions = transactions;
        this.alloc = alloc;
    }

    /** The realm learned from the server, once there is one. */
    Optional<String> realm() {
        Challenge c = challenge;
        return c == null ? Optional.empty() : Optional.of(c.realm());
    }

    CompletableFuture<StunMessage> request(int method, List<StunAttribute> attributes) {
        return attempt(method, attributes, challenge, false, false);
    }

    private CompletableFuture<StunMessage> attempt(
            int method, List<StunAttribute> attributes, Challenge used, boolean after401, boolean after438) {
        ByteBuf request = encode(method, attributes, used);
        return transactions.start(request, used == null ? null : used.key()).thenCompose(response -> {
            int code = errorCode(response);
            // One retry for each: a second 401 means the credentials are wrong.
            boolean retry = (code == 401 && !after401) || (code == 438 && !after438 && used != null);
            if (!retry) {
                return CompletableFuture.completedFuture(response);
            }
            Challenge next;
            try {
                next = Challenge.from(response, credentials);
            } catch (StunProtocolException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (next == null) {
                return CompletableFuture.completedFuture(response); // nothing to retry with
            }
            challenge = next;
            return attempt(method, attributes, next, after401 || code == 401, after438 || code == 438);
        });
    }

    private ByteBuf encode(int method, List<StunAttribute> attributes, Challenge c) {
        StunMessageBuilder.Attributes message = StunMessage.builder(StunClass.REQUEST, method, TransactionId.random());
        attributes.forEach(message::add);
        if (c == null) {
            return message.fingerprint().encode(alloc);
        }
        message.add(new StunAttribute.Text(AttributeType.USERNAME, credentials.username()))
                .add(new StunAttribute.Text(AttributeType.REALM, c.realm()))
                .add(new StunAttribute.Text(AttributeType.NONCE, c.nonce()));
        if (c.offered() != null) {
            message.add(c.offered())
                    .add(new StunAttribute.PasswordAlgorithm(c.algorithm().code()));
        }
        StunMessageBuilder.Integrity signed = c.algorithm() == PasswordAlgorithm.SHA_256
                ? message.integritySha256(c.key())
                : message.integrity(c.key());
        return signed.fingerprint().encode(alloc);
    }

    private static int errorCode(StunMessage response) {
        if (response.messageClass() != StunClass.ERROR_RESPONSE) {
            return 0;
        }
        return response.attribute(StunAttribute.ErrorCode.class)
                .map(StunAttribute.ErrorCode::code)
                .orElse(0);
    }

    /**
     * What a 401 or 438 taught: realm, nonce, the password algorithm and the key derived with it.
     *
     * @param offered the server's PASSWORD-ALGORITHMS, echoed back as RFC 8489 §9.2.4 asks; null
     *     from an RFC 5389 server, which means MD5
     */
    record Challenge(
            String realm,
            String nonce,
            PasswordAlgorithm algorithm,
            StunAttribute.PasswordAlgorithms offered,
            byte[] key) {

        /** Null when the answer lacks REALM or NONCE, so there is nothing to retry with. */
        static Challenge from(StunMessage response, Credentials credentials) throws StunProtocolException {
            String realm = text(response, AttributeType.REALM);
            String nonce = text(response, AttributeType.NONCE);
            if (realm == null || nonce == null) {
                return null;
            }
            StunAttribute.PasswordAlgorithms offered =
                    response.attribute(StunAttribute.PasswordAlgorithms.class).orElse(null);
            PasswordAlgorithm algorithm = offered == null ? PasswordAlgorithm.MD5 : choose(offered);
            byte[] key = LongTermKey.derive(algorithm, credentials.username(), realm, credentials.password());
            return new Challenge(realm, nonce, algorithm, offered, key);
        }

        /** The first algorithm in the server's list that Tern supports (none take parameters). */
        private static PasswordAlgorithm choose(StunAttribute.PasswordAlgorithms offered) throws StunProtocolException {
            for (StunAttribute.PasswordAlgorithm a : offered.algorithms()) {
                PasswordAlgorithm known = PasswordAlgorithm.ofCode(a.algorithm());
                if (known != null && a.parameters().length == 0) {
                    return known;
                }
            }
            throw new StunProtocolException("the server offers no password algorithm this client supports");
        }

        private static String text(StunMessage message, int type) {
            return message.attribute(type)
                    .map(a -> ((StunAttribute.Text) a).value())
                    .orElse(null);
        }
    }
}
