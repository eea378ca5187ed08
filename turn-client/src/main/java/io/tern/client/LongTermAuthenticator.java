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
 *   <li>The client picks a password algorithm (below), derives the key for that realm and
 *       algorithm and sends the request again, with USERNAME, REALM, NONCE (PASSWORD-ALGORITHMS
 *       and PASSWORD-ALGORITHM when the server offered them) and MESSAGE-INTEGRITY, or
 *       MESSAGE-INTEGRITY-SHA256 for the SHA-256 key.
 *   <li>Later requests reuse the realm and nonce at once. When the nonce expires the server answers
 *       438 with a fresh one and the client retries once with it.
 * </ol>
 *
 * <p><b>Choosing the algorithm.</b> The client walks its own preference list ({@link
 * StunClient.Builder#passwordAlgorithms}, SHA-256 then MD5 by default) and takes the first entry
 * the server offers in PASSWORD-ALGORITHMS. RFC 8489 has a client take the first algorithm
 * of the <em>server's</em> list that it supports; Tern's server lists MD5 first (for older
 * clients), so the strict reading would never use SHA-256 against it. Preferring the stronger
 * algorithm is safe: the choice is echoed inside the integrity-protected request together with
 * the server's list, which is all the RFC's bid-down protection needs. A server without
 * PASSWORD-ALGORITHMS (RFC 5389) gets MD5, if the preference list allows it.
 *
 * <p>The learned challenge is an immutable value in a volatile field, so requests may run from any
 * thread; a retry always uses what its own answer taught.
 */
final class LongTermAuthenticator {
    private final Credentials credentials;
    private final List<PasswordAlgorithm> preference;
    private final Transactions transactions;
    private final ByteBufAllocator alloc;
    private volatile Challenge challenge;

    /** @param preference the algorithms the client may use, most preferred first; not empty */
    LongTermAuthenticator(
            Credentials credentials,
            List<PasswordAlgorithm> preference,
            Transactions transactions,
            ByteBufAllocator alloc) {
        this.credentials = credentials;
        this.preference = List.copyOf(preference);
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
                next = Challenge.from(response, credentials, preference);
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
        static Challenge from(StunMessage response, Credentials credentials, List<PasswordAlgorithm> preference)
                throws StunProtocolException {
            String realm = text(response, AttributeType.REALM);
            String nonce = text(response, AttributeType.NONCE);
            if (realm == null || nonce == null) {
                return null;
            }
            StunAttribute.PasswordAlgorithms offered =
                    response.attribute(StunAttribute.PasswordAlgorithms.class).orElse(null);
            PasswordAlgorithm algorithm = choose(offered, preference);
            byte[] key = LongTermKey.derive(algorithm, credentials.username(), realm, credentials.password());
            return new Challenge(realm, nonce, algorithm, offered, key);
        }

        /**
         * The first algorithm of the client's preference that the server offers (none of the known
         * ones takes parameters). A server that sends no list speaks RFC 5389, which means MD5.
         */
        private static PasswordAlgorithm choose(
                StunAttribute.PasswordAlgorithms offered, List<PasswordAlgorithm> preference)
                throws StunProtocolException {
            for (PasswordAlgorithm wanted : preference) {
                if (offered == null ? wanted == PasswordAlgorithm.MD5 : offers(offered, wanted)) {
                    return wanted;
                }
            }
            throw new StunProtocolException("the server offers "
                    + (offered == null ? "only MD5 (no PASSWORD-ALGORITHMS)" : "no password algorithm")
                    + " of the client's " + preference);
        }

        private static boolean offers(StunAttribute.PasswordAlgorithms offered, PasswordAlgorithm wanted) {
            for (StunAttribute.PasswordAlgorithm a : offered.algorithms()) {
                if (a.algorithm() == wanted.code() && a.parameters().length == 0) {
                    return true;
                }
            }
            return false;
        }

        private static String text(StunMessage message, int type) {
            return message.attribute(type)
                    .map(a -> ((StunAttribute.Text) a).value())
                    .orElse(null);
        }
    }
}
