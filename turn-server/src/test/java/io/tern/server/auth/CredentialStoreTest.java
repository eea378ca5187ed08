package io.tern.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.server.config.ConfigException;
import io.tern.stun.integrity.LongTermKey;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialStoreTest {
    private static final String REALM = "example.org";

    static byte[] hash(String algorithm, String input) throws Exception {
        return MessageDigest.getInstance(algorithm).digest(input.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPasswordUserHasBothKeysAndNoPassword() throws Exception {
        CredentialStore store =
                CredentialStore.builder(REALM).user("alice:wonder:land").build();
        Credential alice = store.user("alice");

        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.key(PasswordAlgorithm.MD5)).isEqualTo(hash("MD5", "alice:example.org:wonder:land"));
        assertThat(alice.key(PasswordAlgorithm.SHA_256)).isEqualTo(hash("SHA-256", "alice:example.org:wonder:land"));
        assertThat(alice.toString()).doesNotContain("wonder");
        assertThat(store.user("bob")).isNull();
        assertThat(store.userCount()).isEqualTo(1);
    }

    @Test
    void anMd5KeyUserHasNoSha256Key() throws Exception {
        byte[] key = hash("MD5", "bob:example.org:builder");
        String hex = HexFormat.of().formatHex(key);
        CredentialStore store = CredentialStore.builder(REALM)
                .user("bob:0x" + hex)
                .user("carol:0X" + hex.toUpperCase(java.util.Locale.ROOT))
                .build();

        assertThat(store.user("bob").key(PasswordAlgorithm.MD5)).isEqualTo(key);
        assertThat(store.user("bob").key(PasswordAlgorithm.SHA_256)).isNull();
        assertThat(store.user("carol").key(PasswordAlgorithm.MD5)).isEqualTo(key);
    }

    @Test
    void staticUsersAreFoundByUserhash() throws Exception {
        CredentialStore store = CredentialStore.builder(REALM)
                .users(List.of("alice:a", "bob:0x" + "00".repeat(16)))
                .build();
        assertThat(store.userByHash(hash("SHA-256", "alice:example.org")).username())
                .isEqualTo("alice");
        assertThat(store.userByHash(LongTermKey.userhash("bob", REALM)).username())
                .isEqualTo("bob");
        assertThat(store.userByHash(hash("SHA-256", "mallory:example.org"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "no-colon-here",
                ":hunter2",
                "alice:",
                "alice:0x0123",
                "alice:0x0123456789abcdef0123456789abcdeg",
                "alice:0x0123456789abcdef0123456789abcdef00",
                "alice:pass\u0007word",
            })
    void parseErrorsNameTheUserOptionButNotThePassword(String spec) {
        assertThatThrownBy(() -> CredentialStore.builder(REALM).user(spec))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.option()).isEqualTo("user");
                    assertThat(e.getMessage()).contains("user");
                    int colon = spec.indexOf(':');
                    String secret = colon < 0 ? spec : spec.substring(colon + 1);
                    if (secret.length() > 2) {
                        assertThat(e.getMessage()).doesNotContain(secret);
                    }
                });
    }

    @Test
    void aUserConfiguredTwiceIsAnError() {
        CredentialStore.Builder b = CredentialStore.builder(REALM).user("alice:one");
        assertThatThrownBy(() -> b.user("alice:two"))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("user"))
                .hasMessageContaining("alice")
                .hasMessageNotContaining("two");
    }

    @Test
    void aTooLongNameIsAnError() {
        assertThatThrownBy(() -> CredentialStore.builder(REALM).user("n".repeat(509) + ":pw"))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("user"));
    }

    @Test
    void aDigitsOnlyNameNextToSecretsIsAnError() {
        CredentialStore.Builder b =
                CredentialStore.builder(REALM).user("12345:pw").authSecret("s");
        assertThatThrownBy(b::build)
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("user"))
                .hasMessageContaining("static-auth-secret")
                .hasMessageNotContaining(":pw");
        // Without secrets it is an ordinary name.
        assertThat(CredentialStore.builder(REALM).user("12345:pw").build().user("12345"))
                .isNotNull();
    }

    @Test
    void realmAndSecretErrorsNameTheirOptions() {
        assertThatThrownBy(() -> CredentialStore.builder(""))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("realm"));
        assertThatThrownBy(() -> CredentialStore.builder("r".repeat(128)))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("realm"));
        assertThatThrownBy(() -> CredentialStore.builder("bad\u0001realm"))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("realm"));
        assertThatThrownBy(() -> CredentialStore.builder(REALM).authSecret(""))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.option()).isEqualTo("static-auth-secret"));
    }

    @Test
    void secretsAreCountedOnceEach() {
        CredentialStore store = CredentialStore.builder(REALM)
                .authSecrets(List.of("old", "new", "old"))
                .build();
        assertThat(store.authSecretCount()).isEqualTo(2);
        assertThat(store.isEmpty()).isFalse();
        assertThat(CredentialStore.builder(REALM).build().isEmpty()).isTrue();
    }

    @Test
    void restUsernamesHaveAnExpiryAndAnOptionalUser() {
        assertThat(CredentialStore.restExpiry("1700000000:alice")).isEqualTo(1_700_000_000L);
        assertThat(CredentialStore.restExpiry("1700000000")).isEqualTo(1_700_000_000L);
        assertThat(CredentialStore.restExpiry("1700000000:a:b")).isEqualTo(1_700_000_000L);
        assertThat(CredentialStore.restExpiry("1700000000:")).isEqualTo(1_700_000_000L);
        assertThat(CredentialStore.restExpiry("alice")).isEqualTo(-1);
        assertThat(CredentialStore.restExpiry("17a:alice")).isEqualTo(-1);
        assertThat(CredentialStore.restExpiry(":alice")).isEqualTo(-1);
        assertThat(CredentialStore.restExpiry("")).isEqualTo(-1);
        assertThat(CredentialStore.restExpiry("1".repeat(19) + ":x")).isEqualTo(-1);
        assertThat(CredentialStore.restExpiry("9".repeat(18))).isEqualTo(999_999_999_999_999_999L);

        CredentialStore withSecret =
                CredentialStore.builder(REALM).authSecret("s").build();
        CredentialStore without = CredentialStore.builder(REALM).build();
        assertThat(withSecret.isRestUsername("1700000000:alice")).isTrue();
        assertThat(withSecret.isRestUsername("alice")).isFalse();
        assertThat(without.isRestUsername("1700000000:alice")).isFalse();
    }

    @Test
    void restPasswordIsBase64OfHmacSha1() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("north".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String expected =
                Base64.getEncoder().encodeToString(mac.doFinal("1700000000:alice".getBytes(StandardCharsets.UTF_8)));
        assertThat(CredentialStore.restPassword("north", "1700000000:alice")).isEqualTo(expected);
    }

    @Test
    void toStringShowsNoSecretPasswordOrKey() throws Exception {
        String md5Hex = HexFormat.of().formatHex(hash("MD5", "bob:example.org:builder"));
        CredentialStore.Builder builder = CredentialStore.builder(REALM)
                .user("alice:wonderland")
                .user("bob:0x" + md5Hex)
                .authSecret("topsecret-rest");
        CredentialStore store = builder.build();
        String aliceKey = HexFormat.of().formatHex(hash("MD5", "alice:example.org:wonderland"));
        for (String shown : List.of(store.toString(), builder.toString())) {
            assertThat(shown)
                    .contains(REALM)
                    .doesNotContain("wonderland")
                    .doesNotContain("topsecret")
                    .doesNotContain(md5Hex)
                    .doesNotContain(aliceKey);
        }
        assertThat(store.toString()).contains("users=2").contains("authSecrets=1");
    }
}
