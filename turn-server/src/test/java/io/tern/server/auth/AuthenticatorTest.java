package io.tern.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tern.server.auth.AuthResult.Integrity;
import io.tern.server.auth.AuthResult.Outcome;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMessageBuilder;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.attr.StunAttribute.PasswordAlgorithms;
import io.tern.stun.attr.StunAttribute.Text;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Every branch of RFC 8489 §9.2.4 as {@link Authenticator} implements it, with exact codes. */
class AuthenticatorTest {
    private static final String REALM = "example.org";
    private static final long NOW = 1_700_000_000_000L;
    private static final long NOW_SECONDS = NOW / 1000;
    private static final InetAddress CLIENT = NonceServiceTest.ip("192.0.2.1");
    private static final String OLD_SECRET = "rest-secret-2023";
    private static final String NEW_SECRET = "rest-secret-2024";
    private static final byte[] NONCE_SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] ALICE_MD5 = LongTermKey.md5("alice", REALM, "wonderland");
    private static final byte[] ALICE_SHA256 =
            LongTermKey.derive(PasswordAlgorithm.SHA_256, "alice", REALM, "wonderland");
    private static final byte[] BOB_MD5 = LongTermKey.md5("bob", REALM, "builder");

    private static final StunAttribute.PasswordAlgorithm MD5 =
            new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.MD5.code());
    private static final StunAttribute.PasswordAlgorithm SHA256 =
            new StunAttribute.PasswordAlgorithm(PasswordAlgorithm.SHA_256.code());
    private static final PasswordAlgorithms OFFERED = new PasswordAlgorithms(List.of(MD5, SHA256));

    private final NonceService nonces = new NonceService(NONCE_SECRET, NonceService.DEFAULT_LIFETIME);
    private final CredentialStore store = CredentialStore.builder(REALM)
            .user("alice:wonderland")
            .user("bob:0x" + HexFormat.of().formatHex(BOB_MD5))
            .authSecret(NEW_SECRET)
            .authSecret(OLD_SECRET)
            .build();
    private final Authenticator auth = new Authenticator(store, nonces);
    private final String nonce = nonces.issue(CLIENT, NOW);

    // --- request building -------------------------------------------------------------------

    private static StunMessageBuilder.Attributes allocate() {
        return StunMessage.builder(StunClass.REQUEST, StunMethod.ALLOCATE, TransactionId.random())
                .add(new StunAttribute.RequestedTransport(17));
    }

    /** USERNAME, REALM and NONCE, in the order RFC 8489 clients send them. */
    private StunMessageBuilder.Attributes credentials(String username) {
        return allocate()
                .add(new Text(AttributeType.USERNAME, username))
                .add(new Text(AttributeType.REALM, REALM))
                .add(new Text(AttributeType.NONCE, nonce));
    }

    private AuthResult authenticate(StunMessageBuilder.Sealed message) {
        return authenticate(message, CLIENT, NOW);
    }

    private AuthResult authenticate(StunMessageBuilder.Sealed message, InetAddress client, long now) {
        return authenticate(auth, message, client, now);
    }

    private static AuthResult authenticate(
            Authenticator authenticator, StunMessageBuilder.Sealed message, InetAddress client, long now) {
        ByteBuf buf = message.encode(ByteBufAllocator.DEFAULT);
        try {
            StunReader reader = new StunReader();
            assertThat(reader.wrap(buf)).isNull();
            return authenticator.authenticate(reader, client, now);
        } finally {
            buf.release();
        }
    }

    private static void assertRefused(AuthResult r, Outcome outcome, int code, boolean challenge) {
        assertThat(r.ok()).isFalse();
        assertThat(r.outcome()).isEqualTo(outcome);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.challenge()).isEqualTo(challenge);
        assertThat(r.reason()).isNotBlank();
        assertThat(r.username()).isNull();
        assertThat(r.key()).isNull();
    }

    private static String restPassword(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] key(String digest, String username, String password) throws Exception {
        return MessageDigest.getInstance(digest)
                .digest((username + ":" + REALM + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    // --- §9.2.4 step by step ----------------------------------------------------------------

    @Test
    void noIntegrityIs401WithChallenge() {
        AuthResult r = authenticate(allocate().add(new Text(AttributeType.USERNAME, "alice")));
        assertRefused(r, Outcome.NO_INTEGRITY, 401, true);
        assertThat(r.reason()).isEqualTo("Unauthenticated");
    }

    @Test
    void integrityWithoutUsernameRealmOrNonceIs400WithoutChallenge() {
        assertRefused(
                authenticate(allocate()
                        .add(new Text(AttributeType.REALM, REALM))
                        .add(new Text(AttributeType.NONCE, nonce))
                        .integrity(ALICE_MD5)),
                Outcome.MISSING_ATTRIBUTE,
                400,
                false);
        assertRefused(
                authenticate(allocate()
                        .add(new Text(AttributeType.USERNAME, "alice"))
                        .add(new Text(AttributeType.NONCE, nonce))
                        .integrity(ALICE_MD5)),
                Outcome.MISSING_ATTRIBUTE,
                400,
                false);
        assertRefused(
                authenticate(allocate()
                        .add(new Text(AttributeType.USERNAME, "alice"))
                        .add(new Text(AttributeType.REALM, REALM))
                        .integritySha256(ALICE_SHA256)),
                Outcome.MISSING_ATTRIBUTE,
                400,
                false);
    }

    @Test
    void aForeignNonceIs438WithChallenge() {
        AuthResult garbage = authenticate(allocate()
                .add(new Text(AttributeType.USERNAME, "alice"))
                .add(new Text(AttributeType.REALM, REALM))
                .add(new Text(AttributeType.NONCE, "not-ours"))
                .integrity(ALICE_MD5));
        assertRefused(garbage, Outcome.INVALID_NONCE, 438, true);

        NonceService otherProcess = NonceService.random(NonceService.DEFAULT_LIFETIME);
        AuthResult restarted = authenticate(allocate()
                .add(new Text(AttributeType.USERNAME, "alice"))
                .add(new Text(AttributeType.REALM, REALM))
                .add(new Text(AttributeType.NONCE, otherProcess.issue(CLIENT, NOW)))
                .integrity(ALICE_MD5));
        assertRefused(restarted, Outcome.INVALID_NONCE, 438, true);
        assertThat(restarted.reason()).isEqualTo("Stale Nonce");
    }

    @Test
    void aNonceIssuedToAnotherAddressIs438() {
        AuthResult r =
                authenticate(credentials("alice").integrity(ALICE_MD5), NonceServiceTest.ip("198.51.100.7"), NOW);
        assertRefused(r, Outcome.INVALID_NONCE, 438, true);
    }

    @Test
    void aStaleNonceIs438WithChallenge() {
        AuthResult fresh = authenticate(credentials("alice").integrity(ALICE_MD5), CLIENT, NOW + 599_000);
        assertThat(fresh.ok()).isTrue();

        AuthResult stale = authenticate(credentials("alice").integrity(ALICE_MD5), CLIENT, NOW + 601_000);
        assertRefused(stale, Outcome.STALE_NONCE, 438, true);
        assertThat(stale.reason()).isEqualTo("Stale Nonce");
    }

    @Test
    void aStaticUserWithMessageIntegrityAndNoAlgorithmIsMd5() {
        AuthResult r = authenticate(credentials("alice").integrity(ALICE_MD5));
        assertThat(r.ok()).isTrue();
        assertThat(r.outcome()).isEqualTo(Outcome.OK);
        assertThat(r.code()).isZero();
        assertThat(r.username()).isEqualTo("alice");
        assertThat(r.key()).isEqualTo(ALICE_MD5);
        assertThat(r.passwordAlgorithm()).isEqualTo(PasswordAlgorithm.MD5);
        assertThat(r.integrity()).isEqualTo(Integrity.MESSAGE_INTEGRITY);
        assertThat(r.rest()).isFalse();
    }

    @Test
    void theWrongPasswordIs401WithChallenge() {
        AuthResult r = authenticate(credentials("alice").integrity(LongTermKey.md5("alice", REALM, "wonderlant")));
        assertRefused(r, Outcome.BAD_INTEGRITY, 401, true);
    }

    @Test
    void anUnknownUserIs401WithChallengeAndTheSameReason() {
        AuthResult r = authenticate(credentials("mallory").integrity(LongTermKey.md5("mallory", REALM, "wonderland")));
        assertRefused(r, Outcome.UNKNOWN_USER, 401, true);
        assertThat(r.reason())
                .isEqualTo(AuthResult.failure(Outcome.BAD_INTEGRITY).reason());
    }

    @Test
    void anotherRealmIs401WithChallenge() {
        AuthResult r = authenticate(allocate()
                .add(new Text(AttributeType.USERNAME, "alice"))
                .add(new Text(AttributeType.REALM, "example.com"))
                .add(new Text(AttributeType.NONCE, nonce))
                .integrity(LongTermKey.md5("alice", "example.com", "wonderland")));
        assertRefused(r, Outcome.WRONG_REALM, 401, true);
    }

    @Test
    void sha256WithPasswordAlgorithmsEchoedAndSha256Chosen() {
        AuthResult r =
                authenticate(credentials("alice").add(OFFERED).add(SHA256).integritySha256(ALICE_SHA256));
        assertThat(r.ok()).isTrue();
        assertThat(r.key()).isEqualTo(ALICE_SHA256);
        assertThat(r.passwordAlgorithm()).isEqualTo(PasswordAlgorithm.SHA_256);
        assertThat(r.integrity()).isEqualTo(Integrity.MESSAGE_INTEGRITY_SHA256);
    }

    @Test
    void sha256IntegrityWithTheMd5KeyIsRejected() {
        AuthResult r =
                authenticate(credentials("alice").add(OFFERED).add(SHA256).integritySha256(ALICE_MD5));
        assertRefused(r, Outcome.BAD_INTEGRITY, 401, true);
    }

    @Test
    void md5ChosenExplicitlyFromTheOfferedList() {
        AuthResult r = authenticate(credentials("alice").add(OFFERED).add(MD5).integrity(ALICE_MD5));
        assertThat(r.ok()).isTrue();
        assertThat(r.passwordAlgorithm()).isEqualTo(PasswordAlgorithm.MD5);
        assertThat(r.integrity()).isEqualTo(Integrity.MESSAGE_INTEGRITY);
    }

    @Test
    void integrityKindAndKeyAlgorithmAreIndependent() {
        // RFC 8489 §9.2.2 picks the key by PASSWORD-ALGORITHM; §14.5/§14.6 pick the HMAC by the
        // attribute. The response uses the attribute kind of the request.
        AuthResult md5KeySha256Mac = authenticate(credentials("alice").integritySha256(ALICE_MD5));
        assertThat(md5KeySha256Mac.ok()).isTrue();
        assertThat(md5KeySha256Mac.passwordAlgorithm()).isEqualTo(PasswordAlgorithm.MD5);
        assertThat(md5KeySha256Mac.integrity()).isEqualTo(Integrity.MESSAGE_INTEGRITY_SHA256);

        AuthResult sha256KeySha1Mac =
                authenticate(credentials("alice").add(OFFERED).add(SHA256).integrity(ALICE_SHA256));
        assertThat(sha256KeySha1Mac.ok()).isTrue();
        assertThat(sha256KeySha1Mac.passwordAlgorithm()).isEqualTo(PasswordAlgorithm.SHA_256);
        assertThat(sha256KeySha1Mac.integrity()).isEqualTo(Integrity.MESSAGE_INTEGRITY);
    }

    @Test
    void withBothIntegritiesTheSha256OneDecides() {
        AuthResult good = authenticate(credentials("alice")
                .add(OFFERED)
                .add(SHA256)
                .integrity(new byte[32]) // garbage SHA-1 MAC: ignored
                .integritySha256(ALICE_SHA256));
        assertThat(good.ok()).isTrue();
        assertThat(good.integrity()).isEqualTo(Integrity.MESSAGE_INTEGRITY_SHA256);

        AuthResult bad = authenticate(credentials("alice")
                .add(OFFERED)
                .add(SHA256)
                .integrity(ALICE_SHA256)
                .integritySha256(new byte[32]));
        assertRefused(bad, Outcome.BAD_INTEGRITY, 401, true);
    }

    @Test
    void bidDownAttemptsAre400WithoutChallenge() {
        PasswordAlgorithms md5Only = new PasswordAlgorithms(List.of(MD5));
        PasswordAlgorithms reordered = new PasswordAlgorithms(List.of(SHA256, MD5));
        PasswordAlgorithms withExtra =
                new PasswordAlgorithms(List.of(MD5, SHA256, new StunAttribute.PasswordAlgorithm(3)));
        List<UnaryOperator<StunMessageBuilder.Attributes>> attempts = List.of(
                m -> m.add(md5Only).add(MD5), // SHA-256 stripped from the 401 by an attacker
                m -> m.add(reordered).add(MD5),
                m -> m.add(withExtra).add(MD5),
                m -> m.add(MD5), // PASSWORD-ALGORITHM without PASSWORD-ALGORITHMS
                m -> m.add(OFFERED), // PASSWORD-ALGORITHMS without PASSWORD-ALGORITHM
                m -> m.add(OFFERED).add(new StunAttribute.PasswordAlgorithm(3)),
                m -> m.add(OFFERED).add(new StunAttribute.PasswordAlgorithm(1, new byte[] {1, 2})));
        for (int i = 0; i < attempts.size(); i++) {
            AuthResult r =
                    authenticate(attempts.get(i).apply(credentials("alice")).integrity(ALICE_MD5));
            assertThat(r.outcome()).as("attempt %d", i).isEqualTo(Outcome.ALGORITHM_MISMATCH);
            assertRefused(r, Outcome.ALGORITHM_MISMATCH, 400, false);
        }
    }

    @Test
    void anMd5KeyUserCannotUseSha256() {
        AuthResult md5 = authenticate(credentials("bob").integrity(BOB_MD5));
        assertThat(md5.ok()).isTrue();
        assertThat(md5.username()).isEqualTo("bob");

        byte[] bobSha256 = LongTermKey.derive(PasswordAlgorithm.SHA_256, "bob", REALM, "builder");
        AuthResult sha256 =
                authenticate(credentials("bob").add(OFFERED).add(SHA256).integritySha256(bobSha256));
        assertRefused(sha256, Outcome.NO_KEY_FOR_ALGORITHM, 401, true);
    }

    // --- USERHASH ---------------------------------------------------------------------------

    private StunMessageBuilder.Attributes hashed(byte[] userhash) {
        return allocate()
                .add(new StunAttribute.Userhash(userhash))
                .add(new Text(AttributeType.REALM, REALM))
                .add(new Text(AttributeType.NONCE, nonce));
    }

    @Test
    void userhashFindsStaticUsers() {
        AuthResult r = authenticate(hashed(LongTermKey.userhash("alice", REALM))
                .add(OFFERED)
                .add(SHA256)
                .integritySha256(ALICE_SHA256));
        assertThat(r.ok()).isTrue();
        assertThat(r.username()).isEqualTo("alice");
        assertThat(r.rest()).isFalse();

        AuthResult md5 = authenticate(hashed(LongTermKey.userhash("bob", REALM)).integrity(BOB_MD5));
        assertThat(md5.ok()).isTrue();
        assertThat(md5.username()).isEqualTo("bob");

        AuthResult wrong =
                authenticate(hashed(LongTermKey.userhash("alice", REALM)).integrity(BOB_MD5));
        assertRefused(wrong, Outcome.BAD_INTEGRITY, 401, true);
    }

    @Test
    void userhashOfAnUnknownOrRestUserIs401() throws Exception {
        assertRefused(
                authenticate(hashed(LongTermKey.userhash("mallory", REALM)).integrity(ALICE_MD5)),
                Outcome.UNKNOWN_USER,
                401,
                true);

        String restUser = (NOW_SECONDS + 3600) + ":carol";
        byte[] restKey = key("MD5", restUser, restPassword(NEW_SECRET, restUser));
        assertRefused(
                authenticate(hashed(LongTermKey.userhash(restUser, REALM)).integrity(restKey)),
                Outcome.UNKNOWN_USER,
                401,
                true);
    }

    @Test
    void aUserhashThatIsNot32BytesIs400() {
        assertRefused(authenticate(hashed(new byte[31]).integrity(ALICE_MD5)), Outcome.MALFORMED_USERHASH, 400, false);
    }

    // --- TURN REST credentials --------------------------------------------------------------

    @Test
    void aRestCredentialIsAcceptedWithAnIndependentlyComputedKey() throws Exception {
        String username = (NOW_SECONDS + 86_400) + ":carol";
        String password = restPassword(NEW_SECRET, username);
        byte[] md5Key = key("MD5", username, password);
        assertThat(md5Key).isEqualTo(LongTermKey.md5(username, REALM, password));

        AuthResult r = authenticate(credentials(username).integrity(md5Key));
        assertThat(r.ok()).isTrue();
        assertThat(r.username()).isEqualTo(username);
        assertThat(r.key()).isEqualTo(md5Key);
        assertThat(r.rest()).isTrue();
        assertThat(r.integrity()).isEqualTo(Integrity.MESSAGE_INTEGRITY);
    }

    @Test
    void aRestCredentialWithSha256() throws Exception {
        String username = (NOW_SECONDS + 60) + ":carol";
        byte[] sha256Key = key("SHA-256", username, restPassword(OLD_SECRET, username));
        AuthResult r =
                authenticate(credentials(username).add(OFFERED).add(SHA256).integritySha256(sha256Key));
        assertThat(r.ok()).isTrue();
        assertThat(r.key()).isEqualTo(sha256Key);
        assertThat(r.passwordAlgorithm()).isEqualTo(PasswordAlgorithm.SHA_256);
        assertThat(r.integrity()).isEqualTo(Integrity.MESSAGE_INTEGRITY_SHA256);
    }

    @Test
    void theRotatedSecretIsAcceptedToo() throws Exception {
        String username = (NOW_SECONDS + 600) + ":dave";
        byte[] oldKey = key("MD5", username, restPassword(OLD_SECRET, username));
        AuthResult r = authenticate(credentials(username).integrity(oldKey));
        assertThat(r.ok()).isTrue();
        assertThat(r.key()).isEqualTo(oldKey);
    }

    @Test
    void aRestUsernameWithoutUserPart() throws Exception {
        String username = Long.toString(NOW_SECONDS + 600);
        byte[] k = key("MD5", username, restPassword(NEW_SECRET, username));
        assertThat(authenticate(credentials(username).integrity(k)).ok()).isTrue();
    }

    @Test
    void anExpiredRestCredentialIs401() throws Exception {
        String username = (NOW_SECONDS - 1) + ":carol";
        byte[] k = key("MD5", username, restPassword(NEW_SECRET, username));
        assertRefused(authenticate(credentials(username).integrity(k)), Outcome.EXPIRED, 401, true);

        String lastSecond = NOW_SECONDS + ":carol";
        byte[] k2 = key("MD5", lastSecond, restPassword(NEW_SECRET, lastSecond));
        assertThat(authenticate(credentials(lastSecond).integrity(k2)).ok())
                .as("valid through its expiry second")
                .isTrue();
    }

    @Test
    void aWrongSecretIs401() throws Exception {
        String username = (NOW_SECONDS + 600) + ":carol";
        byte[] k = key("MD5", username, restPassword("not-the-secret", username));
        assertRefused(authenticate(credentials(username).integrity(k)), Outcome.BAD_INTEGRITY, 401, true);
    }

    @Test
    void anAbsurdExpiryIs401() throws Exception {
        String username = "1".repeat(25) + ":carol";
        byte[] k = key("MD5", username, restPassword(NEW_SECRET, username));
        assertRefused(authenticate(credentials(username).integrity(k)), Outcome.UNKNOWN_USER, 401, true);
    }

    @Test
    void staticAndRestUsersInOneStore() throws Exception {
        String restUser = (NOW_SECONDS + 600) + ":alice";
        byte[] restKey = key("MD5", restUser, restPassword(NEW_SECRET, restUser));

        AuthResult rest = authenticate(credentials(restUser).integrity(restKey));
        AuthResult fixed = authenticate(credentials("alice").integrity(ALICE_MD5));
        assertThat(rest.ok()).isTrue();
        assertThat(rest.rest()).isTrue();
        assertThat(fixed.ok()).isTrue();
        assertThat(fixed.rest()).isFalse();
        // The static password does not open the REST name, nor the REST password the static one.
        assertThat(authenticate(credentials(restUser).integrity(ALICE_MD5)).ok())
                .isFalse();
        assertThat(authenticate(credentials("alice").integrity(restKey)).ok()).isFalse();
    }

    @Test
    void withoutSecretsADigitsUsernameIsAStaticUser() {
        CredentialStore staticOnly =
                CredentialStore.builder(REALM).user("1700000000:pw").build();
        Authenticator a = new Authenticator(staticOnly, nonces);
        byte[] k = LongTermKey.md5("1700000000", REALM, "pw");
        AuthResult r = authenticate(a, credentials("1700000000").integrity(k), CLIENT, NOW);
        assertThat(r.ok()).isTrue();
        assertThat(r.rest()).isFalse();
    }

    // --- challenge and signing --------------------------------------------------------------

    @Test
    void theChallengeCarriesRealmAFreshNonceAndTheAlgorithms() throws Exception {
        ByteBuf request = allocate().encode(ByteBufAllocator.DEFAULT);
        ByteBuf response = ByteBufAllocator.DEFAULT.buffer();
        try {
            StunReader reader = new StunReader();
            assertThat(reader.wrap(request)).isNull();
            StunWriter w = new StunWriter()
                    .beginResponse(response, StunClass.ERROR_RESPONSE, reader)
                    .errorCode(401, "Unauthenticated");
            auth.writeChallenge(w, CLIENT, NOW + 1_000).fingerprint().finish();

            StunMessage message = StunMessage.decode(response);
            assertThat(message.attribute(AttributeType.REALM)).contains(new Text(AttributeType.REALM, REALM));
            String fresh = ((Text) message.attribute(AttributeType.NONCE).orElseThrow()).value();
            assertThat(fresh).startsWith("obMatJos2wAAA").isNotEqualTo(nonce);
            assertThat(nonces.validate(fresh, CLIENT, NOW + 1_000)).isEqualTo(NonceService.Status.VALID);
            assertThat(message.attribute(PasswordAlgorithms.class)).contains(OFFERED);
        } finally {
            request.release();
            response.release();
        }
    }

    @Test
    void theWholeDanceFrom401ToSuccess() throws Exception {
        // First request: no credentials; answer 401 with the challenge.
        ByteBuf first = allocate().encode(ByteBufAllocator.DEFAULT);
        ByteBuf answer = ByteBufAllocator.DEFAULT.buffer();
        String challengeNonce;
        try {
            StunReader reader = new StunReader();
            assertThat(reader.wrap(first)).isNull();
            AuthResult r = auth.authenticate(reader, CLIENT, NOW);
            assertThat(r.challenge()).isTrue();
            StunWriter w = new StunWriter()
                    .beginResponse(answer, StunClass.ERROR_RESPONSE, reader)
                    .errorCode(r.code(), r.reason());
            auth.writeChallenge(w, CLIENT, NOW).finish();
            StunMessage challenge = StunMessage.decode(answer);
            challengeNonce = challenge
                    .attribute(AttributeType.NONCE)
                    .map(a -> ((Text) a).value())
                    .orElseThrow();
            assertThat(challenge.attribute(PasswordAlgorithms.class)).contains(OFFERED);
        } finally {
            first.release();
            answer.release();
        }
        // Second: the client picks SHA-256 from the list and echoes the list.
        AuthResult second = authenticate(allocate()
                .add(new Text(AttributeType.USERNAME, "alice"))
                .add(new Text(AttributeType.REALM, REALM))
                .add(new Text(AttributeType.NONCE, challengeNonce))
                .add(OFFERED)
                .add(SHA256)
                .integritySha256(ALICE_SHA256)
                .fingerprint());
        assertThat(second.ok()).isTrue();
    }

    @Test
    void responsesAreSignedWithTheRequestsKindAndKey() {
        AuthResult sha1 = authenticate(credentials("alice").integrity(ALICE_MD5));
        AuthResult sha256 =
                authenticate(credentials("alice").add(OFFERED).add(SHA256).integritySha256(ALICE_SHA256));
        for (AuthResult r : List.of(sha1, sha256)) {
            ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
            try {
                StunWriter w = new StunWriter()
                        .begin(out, StunClass.SUCCESS_RESPONSE, StunMethod.ALLOCATE, TransactionId.random())
                        .u32(AttributeType.LIFETIME, 600);
                auth.signResponse(w, r).fingerprint().finish();

                StunReader reader = new StunReader();
                assertThat(reader.wrap(out)).isNull();
                assertThat(reader.verifyFingerprint()).isTrue();
                if (r.integrity() == Integrity.MESSAGE_INTEGRITY_SHA256) {
                    assertThat(reader.hasMessageIntegrity()).isFalse();
                    assertThat(reader.verifyMessageIntegritySha256(ALICE_SHA256))
                            .isTrue();
                    assertThat(reader.verifyMessageIntegritySha256(ALICE_MD5)).isFalse();
                } else {
                    assertThat(reader.hasMessageIntegritySha256()).isFalse();
                    assertThat(reader.verifyMessageIntegrity(ALICE_MD5)).isTrue();
                    assertThat(reader.verifyMessageIntegrity(ALICE_SHA256)).isFalse();
                }
            } finally {
                out.release();
            }
        }
    }

    @Test
    void onlySuccessesAreSigned() {
        AuthResult refused = authenticate(allocate());
        StunWriter w = new StunWriter();
        assertThatThrownBy(() -> auth.signResponse(w, refused)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resultsAndTheAuthenticatorShowNoKeysOrSecrets() throws Exception {
        String restUser = (NOW_SECONDS + 600) + ":carol";
        byte[] restKey = key("MD5", restUser, restPassword(NEW_SECRET, restUser));
        List<String> shown = List.of(
                authenticate(credentials("alice").integrity(ALICE_MD5)).toString(),
                authenticate(credentials(restUser).integrity(restKey)).toString(),
                auth.toString());
        for (String s : shown) {
            assertThat(s)
                    .doesNotContain(HexFormat.of().formatHex(ALICE_MD5))
                    .doesNotContain(HexFormat.of().formatHex(restKey))
                    .doesNotContain("wonderland")
                    .doesNotContain(NEW_SECRET)
                    .doesNotContain(OLD_SECRET)
                    .doesNotContain(new String(NONCE_SECRET, StandardCharsets.US_ASCII));
        }
        assertThat(shown.get(0)).contains("alice");
    }

    @Test
    void logLinesGetAPrintableUsername() {
        assertThat(Authenticator.printable("eve\r\nINFO forged")).isEqualTo("eve??INFO forged");
        assertThat(Authenticator.printable("x".repeat(100))).hasSize(67).endsWith("...");
    }

    @Test
    void theNonceLifetimeComesFromTheService() {
        NonceService shortLived = new NonceService(NONCE_SECRET, Duration.ofSeconds(10));
        Authenticator a = new Authenticator(store, shortLived);
        String n = shortLived.issue(CLIENT, NOW);
        StunMessageBuilder.Sealed m = allocate()
                .add(new Text(AttributeType.USERNAME, "alice"))
                .add(new Text(AttributeType.REALM, REALM))
                .add(new Text(AttributeType.NONCE, n))
                .integrity(ALICE_MD5);
        assertThat(authenticate(a, m, CLIENT, NOW + 9_000).ok()).isTrue();
        assertThat(authenticate(a, m, CLIENT, NOW + 11_000).outcome()).isEqualTo(Outcome.STALE_NONCE);
    }
}
