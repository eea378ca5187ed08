package io.tern.stun.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StringPrepTest {

    // --- SASLprep (RFC 4013) ---

    @Test
    void saslprepRfc4013Examples() {
        // RFC 4013 §3, examples 1-5.
        assertThat(StringPrep.saslprep("I\u00ADX")).isEqualTo("IX");
        assertThat(StringPrep.saslprep("user")).isEqualTo("user");
        assertThat(StringPrep.saslprep("USER")).isEqualTo("USER");
        assertThat(StringPrep.saslprep("\u00AA")).isEqualTo("a");
        assertThat(StringPrep.saslprep("\u2168")).isEqualTo("IX");
    }

    @Test
    void saslprepRfc4013ProhibitedExample() {
        // RFC 4013 §3, example 6.
        assertThatThrownBy(() -> StringPrep.saslprep("\u0007"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prohibited code point U+0007 at index 0 (ASCII control, RFC 3454 C.2.1)");
    }

    @Test
    void saslprepRfc4013BidiExample() {
        // RFC 4013 §3, example 7: contains RandALCat but does not end with one.
        assertThatThrownBy(() -> StringPrep.saslprep("\u0627\u0031"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0031 at index 1")
                .hasMessageContaining("RFC 3454 section 6");
    }

    @Test
    void saslprepRfc5769LongTermCredentials() {
        // RFC 5769 §2.4: the password is prepared to "TheMatrIX" for the key, the username is left alone.
        assertThat(StringPrep.saslprep("The\u00ADM\u00AAtr\u2168")).isEqualTo("TheMatrIX");
        assertThat(StringPrep.saslprep("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"))
                .isEqualTo("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9");
    }

    @Test
    void saslprepMapsNonAsciiSpaceToSpace() {
        assertThat(StringPrep.saslprep("a\u00A0b")).isEqualTo("a b");
        // NFKC leaves U+1680 alone, so this one is down to the C.1.2 mapping.
        assertThat(StringPrep.saslprep("a\u1680b")).isEqualTo("a b");
        assertThat(StringPrep.saslprep("a\u3000b")).isEqualTo("a b");
    }

    @Test
    void saslprepMapsCommonlyMappedToNothing() {
        assertThat(StringPrep.saslprep("a\uFE0Fb\u200Dc\uFEFF")).isEqualTo("abc");
        // U+200B is in both B.1 and C.1.2; B.1 wins.
        assertThat(StringPrep.saslprep("a\u200Bb")).isEqualTo("ab");
        assertThat(StringPrep.saslprep("\u00AD")).isEmpty();
        assertThat(StringPrep.saslprep("")).isEmpty();
    }

    @Test
    void saslprepProhibitsAfterNormalizing() {
        // U+0340 is in C.8, but NFKC turns it into U+0301 (which then composes) before the check.
        assertThat(StringPrep.saslprep("a\u0340")).isEqualTo("\u00E0");
    }

    @Test
    void saslprepNamesTheProhibitingTable() {
        assertProhibited("a\u0085", "U+0085 at index 1", "C.2.2");
        assertProhibited("\uE000", "U+E000 at index 0", "C.3");
        assertProhibited("\uFDD0", "U+FDD0 at index 0", "C.4");
        assertProhibited("a\uD800", "U+D800 at index 1", "C.5");
        assertProhibited("\uFFFD", "U+FFFD at index 0", "C.6");
        assertProhibited("\u2FF0", "U+2FF0 at index 0", "C.7");
        assertProhibited("a\u200E", "U+200E at index 1", "C.8");
        assertProhibited("\u0378", "U+0378 at index 0", "A.1");
    }

    @Test
    void saslprepIteratesByCodePoint() {
        // Supplementary code points: C.2.2 musical controls and C.9 tags.
        assertProhibited("a" + Character.toString(0x1D173), "U+1D173 at index 1", "C.2.2");
        assertProhibited("a" + Character.toString(0xE0001), "U+E0001 at index 1", "C.9");
        // A valid supplementary character (U+1D400 MATHEMATICAL BOLD CAPITAL A) is NFKC-folded, not rejected.
        assertThat(StringPrep.saslprep(Character.toString(0x1D400))).isEqualTo("A");
    }

    @Test
    void saslprepBidiRule() {
        assertThat(StringPrep.saslprep("\u0627\u0628")).isEqualTo("\u0627\u0628");
        // Digits are neither RandALCat nor LCat, so they may sit inside a right-to-left string.
        assertThat(StringPrep.saslprep("\u0627\u0031\u0628")).isEqualTo("\u0627\u0031\u0628");
        assertThatThrownBy(() -> StringPrep.saslprep("\u0627A\u0628"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0041 at index 1")
                .hasMessageContaining("LCat");
        assertThatThrownBy(() -> StringPrep.saslprep("1\u0627"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0031 at index 0")
                .hasMessageContaining("start");
    }

    @Test
    void saslprepIndexIsIntoThePreparedString() {
        assertProhibited("I\u00AD\u0007", "U+0007 at index 1", "C.2.1");
    }

    @Test
    void saslprepMessageNeverContainsTheInput() {
        assertThatThrownBy(() -> StringPrep.saslprep("hunter2\u0007secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0007")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> StringPrep.saslprep("\u0627hunter2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("hunter");
    }

    // --- OpaqueString (RFC 8265 §4.2) ---

    @Test
    void opaqueStringUsesNfcNotNfkc() {
        // The RFC 5769 password: unlike SASLprep, OpaqueString keeps U+00AA and U+2168, and does not drop U+00AD.
        assertThat(StringPrep.opaqueString("The\u00ADM\u00AAtr\u2168")).isEqualTo("The\u00ADM\u00AAtr\u2168");
        assertThat(StringPrep.opaqueString("e\u0301")).isEqualTo("\u00E9");
    }

    @Test
    void opaqueStringLeavesAsciiAlone() {
        assertThat(StringPrep.opaqueString("correct horse battery staple")).isEqualTo("correct horse battery staple");
        assertThat(StringPrep.opaqueString("USER")).isEqualTo("USER");
    }

    @Test
    void opaqueStringMapsNonAsciiSpaceToSpace() {
        assertThat(StringPrep.opaqueString("\u00A0a")).isEqualTo(" a");
        assertThat(StringPrep.opaqueString("a\u1680b\u3000c")).isEqualTo("a b c");
    }

    @Test
    void opaqueStringRejectsControlCharacters() {
        assertThatThrownBy(() -> StringPrep.opaqueString("pass\u007Fword"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+007F at index 4")
                .hasMessageContaining("control")
                .hasMessageNotContaining("pass")
                .hasMessageNotContaining("word");
        assertThatThrownBy(() -> StringPrep.opaqueString("\u0085"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0085 at index 0");
    }

    @Test
    void opaqueStringRejectsEmpty() {
        assertThatThrownBy(() -> StringPrep.opaqueString(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void opaqueStringRejectsUnassignedSurrogatesAndNoncharacters() {
        assertThatThrownBy(() -> StringPrep.opaqueString("\u0378"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0378 at index 0")
                .hasMessageContaining("unassigned");
        assertThatThrownBy(() -> StringPrep.opaqueString("a\uDC00"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+DC00 at index 1")
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> StringPrep.opaqueString("a" + Character.toString(0x1FFFE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+1FFFE at index 1")
                .hasMessageContaining("noncharacter");
    }

    // --- Both ---

    @Test
    void profilesAgreeOnAscii() {
        StringBuilder printable = new StringBuilder();
        for (char c = 0x20; c < 0x7F; c++) {
            printable.append(c);
        }
        String s = printable.toString();
        assertThat(StringPrep.saslprep(s)).isEqualTo(s);
        assertThat(StringPrep.opaqueString(s)).isEqualTo(s);

        for (char c = 0; c < 0x20; c++) {
            String control = "a" + c;
            assertThatThrownBy(() -> StringPrep.saslprep(control)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> StringPrep.opaqueString(control)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> StringPrep.saslprep("\u007F")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StringPrep.opaqueString("\u007F")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> StringPrep.saslprep(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StringPrep.opaqueString(null)).isInstanceOf(NullPointerException.class);
    }

    private static void assertProhibited(String input, String where, String table) {
        assertThatThrownBy(() -> StringPrep.saslprep(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("prohibited code point " + where + " (")
                .hasMessageContaining("RFC 3454 " + table);
    }
}
