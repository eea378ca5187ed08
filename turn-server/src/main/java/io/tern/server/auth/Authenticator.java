package io.tern.server.auth;

import io.netty.buffer.ByteBuf;
import io.tern.server.auth.AuthResult.Integrity;
import io.tern.server.auth.AuthResult.Outcome;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.integrity.Hmac;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetAddress;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the long-term credential mechanism (RFC 8489 §9.2) as TURN uses it (RFC 8656
 * §5): every Allocate, Refresh, CreatePermission and ChannelBind request goes through {@link
 * #authenticate} before its handler does anything.
 *
 * <p>One per event loop: it owns reusable scratch (an HMAC, two digests, byte arrays) and is not
 * thread-safe. The {@link CredentialStore} and {@link NonceService} it holds are immutable and
 * shared by every loop. Nothing is locked; a failure allocates nothing but the nonce of its
 * challenge.
 *
 * <h2>Checks, in order</h2>
 *
 * <ol>
 *   <li>Neither MESSAGE-INTEGRITY nor MESSAGE-INTEGRITY-SHA256: 401 with the challenge (§9.2.4).
 *   <li>Integrity present but USERNAME and USERHASH both absent, or REALM or NONCE absent: 400
 *       without a challenge (§9.2.4).
 *   <li>A NONCE that is not one this process issued to this client IP, or one older than its
 *       lifetime: 438 with the challenge, so the client retries at once with the fresh nonce
 *       (§9.2.4 "no longer valid", RFC 8656 §5). This check comes before the credential checks
 *       (§9.2.4 lists it last): it is the cheap one, it spares foreign traffic any key derivation,
 *       and the checks that follow rely on the nonce's feature bits, which only a nonce this server
 *       signed can vouch for. pion/turn and coturn order it the same way.
 *   <li>Bid-down protection (§9.2.4; every Tern nonce sets the "Password algorithms" bit): with
 *       neither PASSWORD-ALGORITHMS nor PASSWORD-ALGORITHM the request is processed as MD5 (RFC
 *       5389 clients); otherwise both must be present, PASSWORD-ALGORITHMS must be byte for byte
 *       the list Tern sends (MD5, SHA-256) and PASSWORD-ALGORITHM one of its entries, else 400.
 *       An attacker who strips SHA-256 from the 401 is caught here, because the client echoes
 *       the list it saw inside the integrity-protected request.
 *   <li>A REALM other than the server's: 401 with the challenge (the key is bound to the realm).
 *   <li>The user: USERNAME names a static user, or a TURN REST credential when secrets are set
 *       and it has the {@code <expiry>[:<user>]} shape; USERHASH (§14.4) names static users only,
 *       since REST usernames are not known in advance. Unknown, expired, or an MD5-key-only user
 *       asking for SHA-256: 401 with the challenge (§9.2.4 "not valid"). A USERHASH that is not
 *       32 bytes: 400.
 *   <li>Integrity (§9.2.4): MESSAGE-INTEGRITY-SHA256 when present (HMAC-SHA256, §14.6), else
 *       MESSAGE-INTEGRITY (HMAC-SHA1, §14.5), with the key derived by the negotiated password
 *       algorithm (§9.2.2). REST credentials are checked against every secret (rotation), always
 *       all of them. Mismatch: 401 with the challenge.
 * </ol>
 *
 * <p>Every 401 carries the same reason phrase, so an attacker cannot tell an unknown user from a
 * wrong password by the answer; unknown users are also checked against a dummy key so that the
 * time taken does not tell either. MAC comparisons are constant-time (the codec's and {@link
 * NonceService}'s).
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * AuthResult r = auth.authenticate(request, client, now);
 * if (!r.ok()) {
 *     StunWriter w = responder.error(exchange, request, r.code(), r.reason());
 *     if (r.challenge()) auth.writeChallenge(w, client, now);
 *     responder.send(exchange, request);
 *     return;
 * }
 * // ... success or error response attributes, then:
 * auth.signResponse(w, r);   // before FINGERPRINT, after every other attribute
 * }</pre>
 *
 * <p>Nothing here logs a password, key or secret; failures are logged at debug level with the
 * outcome, the client address and at most the (sanitized) username.
 */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

    /**
     * The PASSWORD-ALGORITHMS value Tern offers (RFC 8489 §14.11): MD5 then SHA-256, neither with
     * parameters. Requests must echo exactly these bytes.
     */
    private static final byte[] OFFERED_ALGORITHMS = {
        0, (byte) PasswordAlgorithm.MD5.code(), 0, 0, 0, (byte) PasswordAlgorithm.SHA_256.code(), 0, 0
    };

    private static final int USERHASH_LENGTH = 32;
    private static final byte COLON = ':';
    private static final int LOGGED_USERNAME_CHARS = 64;

    /** Keys for the dummy check that hides whether a user exists; their result is ignored. */
    private static final byte[] DUMMY_MD5_KEY = new byte[PasswordAlgorithm.MD5.keyLength()];

    private static final byte[] DUMMY_SHA256_KEY = new byte[PasswordAlgorithm.SHA_256.keyLength()];

    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    /** Where the current credentials come from: a reload swaps what it returns. */
    private final Supplier<CredentialStore> source;

    /**
     * The credentials of the request being handled: read from {@link #source} once per request,
     * so one request never mixes two generations of users and secrets. This object belongs to one
     * event loop, so the field needs no synchronisation.
     */
    private CredentialStore store;

    private final NonceService nonces;

    // Scratch for TURN REST key derivation, owned by this loop.
    private final Hmac restHmac = Hmac.sha1();
    private final MessageDigest md5 = digest("MD5");
    private final MessageDigest sha256 = digest("SHA-256");
    private final byte[] restMac = new byte[20];
    private final byte[] restPassword = new byte[28];
    private final byte[] usernameBytes = new byte[CredentialStore.MAX_USERNAME_BYTES];
    private final byte[] md5Key = new byte[PasswordAlgorithm.MD5.keyLength()];
    private final byte[] sha256Key = new byte[PasswordAlgorithm.SHA_256.keyLength()];
    private final byte[] userhash = new byte[USERHASH_LENGTH];

    public Authenticator(CredentialStore store, NonceService nonces) {
        this(constant(Objects.requireNonNull(store, "store")), nonces);
    }

    /** An authenticator whose credentials can be replaced while it runs (configuration reload). */
    public Authenticator(Supplier<CredentialStore> source, NonceService nonces) {
        this.source = Objects.requireNonNull(source, "source");
        this.store = Objects.requireNonNull(source.get(), "store");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
    }

    private static Supplier<CredentialStore> constant(CredentialStore store) {
        return () -> store;
    }

    public CredentialStore store() {
        return store;
    }

    public NonceService nonces() {
        return nonces;
    }

    /**
     * Decides whether {@code request} carries valid long-term credentials.
     *
     * @param request a wrapped request; read only
     * @param client the address the request came from (the nonce is bound to it)
     * @param nowMillis the wall clock, Unix epoch milliseconds (nonce age and REST expiry)
     */
    public AuthResult authenticate(StunReader request, InetAddress client, long nowMillis) {
        store = source.get();
        boolean sha256Integrity = request.hasMessageIntegritySha256();
        if (!sha256Integrity && !request.hasMessageIntegrity()) {
            return fail(Outcome.NO_INTEGRITY, request, client, null);
        }
        int nonce = request.indexOf(AttributeType.NONCE);
        int realm = request.indexOf(AttributeType.REALM);
        int username = request.indexOf(AttributeType.USERNAME);
        int hash = request.indexOf(AttributeType.USERHASH);
        if (nonce < 0 || realm < 0 || (username < 0 && hash < 0)) {
            return fail(Outcome.MISSING_ATTRIBUTE, request, client, null);
        }
        NonceService.Status status = nonces.validate(
                request.buffer(), request.valueOffset(nonce), request.valueLength(nonce), client, nowMillis);
        if (status != NonceService.Status.VALID) {
            Outcome o = status == NonceService.Status.STALE ? Outcome.STALE_NONCE : Outcome.INVALID_NONCE;
            return fail(o, request, client, null);
        }
        PasswordAlgorithm algorithm = negotiatedAlgorithm(request);
        if (algorithm == null) {
            return fail(Outcome.ALGORITHM_MISMATCH, request, client, null);
        }
        if (!isOurRealm(request, realm)) {
            return fail(Outcome.WRONG_REALM, request, client, null);
        }
        Integrity integrity = sha256Integrity ? Integrity.MESSAGE_INTEGRITY_SHA256 : Integrity.MESSAGE_INTEGRITY;
        // RFC 8489 §9.2.3 has a client send USERNAME or USERHASH; given both, USERNAME is used.
        if (username >= 0) {
            return byUsername(request, username, algorithm, integrity, client, nowMillis);
        }
        return byUserhash(request, hash, algorithm, integrity, client);
    }

    private AuthResult byUsername(
            StunReader request,
            int index,
            PasswordAlgorithm algorithm,
            Integrity integrity,
            InetAddress client,
            long nowMillis) {
        int length = request.valueLength(index);
        if (length > CredentialStore.MAX_USERNAME_BYTES) {
            dummyCheck(request, algorithm, integrity);
            return fail(Outcome.UNKNOWN_USER, request, client, null);
        }
        String name = request.text(AttributeType.USERNAME);
        if (store.isRestUsername(name)) {
            return restUser(request, index, name, algorithm, integrity, client, nowMillis);
        }
        return staticUser(request, store.user(name), name, algorithm, integrity, client);
    }

    private AuthResult byUserhash(
            StunReader request, int index, PasswordAlgorithm algorithm, Integrity integrity, InetAddress client) {
        if (request.valueLength(index) != USERHASH_LENGTH) {
            return fail(Outcome.MALFORMED_USERHASH, request, client, null);
        }
        request.buffer().getBytes(request.valueOffset(index), userhash, 0, USERHASH_LENGTH);
        return staticUser(request, store.userByHash(userhash), null, algorithm, integrity, client);
    }

    private AuthResult staticUser(
            StunReader request,
            Credential credential,
            String presentedName,
            PasswordAlgorithm algorithm,
            Integrity integrity,
            InetAddress client) {
        if (credential == null) {
            dummyCheck(request, algorithm, integrity);
            return fail(Outcome.UNKNOWN_USER, request, client, presentedName);
        }
        byte[] key = credential.key(algorithm);
        if (key == null) {
            dummyCheck(request, algorithm, integrity);
            return fail(Outcome.NO_KEY_FOR_ALGORITHM, request, client, credential.username());
        }
        if (!verify(request, integrity, key)) {
            return fail(Outcome.BAD_INTEGRITY, request, client, credential.username());
        }
        return AuthResult.success(credential.username(), key, algorithm, integrity, false);
    }

    private AuthResult restUser(
            StunReader request,
            int index,
            String name,
            PasswordAlgorithm algorithm,
            Integrity integrity,
            InetAddress client,
            long nowMillis) {
        long expiry = CredentialStore.restExpiry(name);
        if (expiry < 0) {
            return fail(Outcome.UNKNOWN_USER, request, client, name);
        }
        // The expiry is public (it is in the username), so returning early leaks nothing.
        if (expiry < Math.floorDiv(nowMillis, 1000L)) {
            return fail(Outcome.EXPIRED, request, client, name);
        }
        int length = request.valueLength(index);
        request.buffer().getBytes(request.valueOffset(index), usernameBytes, 0, length);
        byte[] key = algorithm == PasswordAlgorithm.SHA_256 ? sha256Key : md5Key;
        byte[] matched = null;
        // Every secret, every time: how long this takes does not say which secret matched.
        for (int i = 0; i < store.authSecretCount(); i++) {
            deriveRestKey(store.authSecret(i), length, algorithm, key);
            if (verify(request, integrity, key) && matched == null) {
                matched = key.clone();
            }
        }
        if (matched == null) {
            return fail(Outcome.BAD_INTEGRITY, request, client, name);
        }
        return AuthResult.success(name, matched, algorithm, integrity, true);
    }

    /**
     * {@code H(username ":" realm ":" base64(HMAC-SHA1(secret, username)))} into {@code out}, with H
     * the password algorithm's hash. The base64 password is printable ASCII, which SASLprep leaves
     * alone, so this is exactly {@link io.tern.stun.integrity.LongTermKey#derive}.
     */
    private void deriveRestKey(byte[] secret, int usernameLength, PasswordAlgorithm algorithm, byte[] out) {
        restHmac.init(secret).update(usernameBytes, 0, usernameLength).doFinal(restMac, 0);
        int passwordLength = BASE64.encode(restMac, restPassword);
        MessageDigest d = algorithm == PasswordAlgorithm.SHA_256 ? sha256 : md5;
        d.reset();
        d.update(usernameBytes, 0, usernameLength);
        d.update(COLON);
        d.update(store.realmBytes());
        d.update(COLON);
        d.update(restPassword, 0, passwordLength);
        try {
            d.digest(out, 0, out.length);
        } catch (DigestException e) {
            throw new IllegalStateException("key array does not fit " + algorithm, e);
        }
    }

    private static boolean verify(StunReader request, Integrity integrity, byte[] key) {
        return integrity == Integrity.MESSAGE_INTEGRITY_SHA256
                ? request.verifyMessageIntegritySha256(key)
                : request.verifyMessageIntegrity(key);
    }

    /** The same MAC work a known user costs, with a key no one holds; the result is ignored. */
    private static void dummyCheck(StunReader request, PasswordAlgorithm algorithm, Integrity integrity) {
        verify(request, integrity, algorithm == PasswordAlgorithm.SHA_256 ? DUMMY_SHA256_KEY : DUMMY_MD5_KEY);
    }

    /**
     * RFC 8489 §9.2.4 bid-down protection. Null when the request must be refused with 400.
     */
    private static PasswordAlgorithm negotiatedAlgorithm(StunReader request) {
        int list = request.indexOf(AttributeType.PASSWORD_ALGORITHMS);
        int chosen = request.indexOf(AttributeType.PASSWORD_ALGORITHM);
        if (list < 0 && chosen < 0) {
            return PasswordAlgorithm.MD5;
        }
        if (list < 0 || chosen < 0 || !valueEquals(request, list, OFFERED_ALGORITHMS)) {
            return null;
        }
        ByteBuf buf = request.buffer();
        int at = request.valueOffset(chosen);
        // Algorithm (2 bytes), parameters length (2 bytes): neither offered algorithm has parameters,
        // so an entry of the offered list is exactly 4 bytes with a zero length.
        if (request.valueLength(chosen) != 4 || buf.getUnsignedShort(at + 2) != 0) {
            return null;
        }
        int code = buf.getUnsignedShort(at);
        for (int i = 0; i < OFFERED_ALGORITHMS.length; i += 4) {
            if (code == (((OFFERED_ALGORITHMS[i] & 0xFF) << 8) | (OFFERED_ALGORITHMS[i + 1] & 0xFF))) {
                return PasswordAlgorithm.ofCode(code);
            }
        }
        return null;
    }

    private boolean isOurRealm(StunReader request, int index) {
        return valueEquals(request, index, store.realmBytes());
    }

    private static boolean valueEquals(StunReader request, int index, byte[] expected) {
        if (request.valueLength(index) != expected.length) {
            return false;
        }
        ByteBuf buf = request.buffer();
        int at = request.valueOffset(index);
        for (int i = 0; i < expected.length; i++) {
            if (buf.getByte(at + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends the challenge to an error response being written: REALM, a fresh NONCE for {@code
     * client} and PASSWORD-ALGORITHMS (MD5, SHA-256). RFC 8489 §9.2.4 requires all three in 401
     * and 438 answers.
     */
    public StunWriter writeChallenge(StunWriter w, InetAddress client, long nowMillis) {
        return w.text(AttributeType.REALM, store.realm())
                .text(AttributeType.NONCE, nonces.issue(client, nowMillis))
                .attribute(AttributeType.PASSWORD_ALGORITHMS, OFFERED_ALGORITHMS);
    }

    /**
     * Appends the integrity attribute a response to an authenticated request must carry (RFC 8489
     * §9.2.4): the kind the request was checked with, under the same key. Call it after every other
     * attribute and before FINGERPRINT.
     *
     * @throws IllegalArgumentException if {@code result} is not a success
     */
    public StunWriter signResponse(StunWriter w, AuthResult result) {
        if (!result.ok()) {
            throw new IllegalArgumentException("only an authenticated request's response is signed: " + result);
        }
        return result.integrity() == Integrity.MESSAGE_INTEGRITY_SHA256
                ? w.messageIntegritySha256(result.key())
                : w.messageIntegrity(result.key());
    }

    private static AuthResult fail(Outcome outcome, StunReader request, InetAddress client, String username) {
        // The first leg of every credential dance is no news: trace, not debug.
        if (outcome == Outcome.NO_INTEGRITY) {
            if (log.isTraceEnabled()) {
                log.trace("{} from {}: {}", StunMethod.name(request.method()), client.getHostAddress(), outcome);
            }
        } else if (log.isDebugEnabled()) {
            String method = StunMethod.name(request.method());
            String from = client.getHostAddress();
            if (username == null) {
                log.debug("{} from {}: {}", method, from, outcome);
            } else {
                log.debug("{} from {}: {} (user {})", method, from, outcome, printable(username));
            }
        }
        return AuthResult.failure(outcome);
    }

    /** A username fit for a log line: control characters replaced, length capped. */
    static String printable(String username) {
        int n = Math.min(username.length(), LOGGED_USERNAME_CHARS);
        StringBuilder b = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = username.charAt(i);
            b.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
        }
        if (username.length() > n) {
            b.append("...");
        }
        return b.toString();
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide " + name, e);
        }
    }

    @Override
    public String toString() {
        return "Authenticator[" + store + ", " + nonces + "]";
    }
}
