package io.tern.stun.integrity;

import java.text.Normalizer;
import java.util.Objects;

/**
 * String preparation for the STUN long-term credential mechanism.
 *
 * <p>The long-term credential key is an MD5 (or SHA-256) digest over {@code username ":" realm ":" password}, so
 * both sides must turn the same human-entered password into the same bytes, or the MESSAGE-INTEGRITY check fails.
 * The STUN RFCs changed their minds about how:
 *
 * <ul>
 *   <li>RFC 5389 §15.4 derives the key from {@code SASLprep(password)} (RFC 4013, a stringprep profile, RFC 3454), and
 *       the RFC 5769 test vectors are computed that way;
 *   <li>RFC 8489 §9.2.2 replaced SASLprep with the PRECIS {@code OpaqueString} profile (RFC 8265 §4.2), because
 *       stringprep is frozen at Unicode 3.2 and was obsoleted by PRECIS.
 * </ul>
 *
 * <p>For non-empty ASCII input the two agree: both leave printable ASCII untouched and both reject ASCII control
 * characters. They differ outside ASCII: SASLprep applies NFKC (so U+2168 ROMAN NUMERAL NINE becomes "IX") and removes
 * "commonly mapped to nothing" characters such as U+00AD SOFT HYPHEN, while OpaqueString uses NFC and keeps both.
 * Peers in the wild implement either, so Tern accepts both: a verifier can derive a key from each preparation and try
 * them in turn.
 *
 * <p>Error messages name the offending code point and its UTF-16 index, never the input, because the input is usually a
 * password. The index is into the string as prepared (after mapping and normalization), since that is the string the
 * prohibition rules apply to; for most input (anything NFKC/NFC leaves alone and without mapped characters) it equals
 * the index in the input.
 */
public final class StringPrep {

    // RFC 3454 tables as sorted, non-overlapping [start, end] pairs (inclusive), checked by inTable().

    /** RFC 3454 B.1, commonly mapped to nothing. */
    private static final int[] B_1 = {
        0x00AD, 0x00AD, 0x034F, 0x034F, 0x1806, 0x1806, 0x180B, 0x180D, 0x200B, 0x200D, 0x2060, 0x2060, 0xFE00, 0xFE0F,
        0xFEFF, 0xFEFF,
    };

    /** RFC 3454 C.1.2, non-ASCII space characters. */
    private static final int[] C_1_2 = {
        0x00A0, 0x00A0, 0x1680, 0x1680, 0x2000, 0x200B, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000,
    };

    /** RFC 3454 C.2.1, ASCII control characters. */
    private static final int[] C_2_1 = {0x0000, 0x001F, 0x007F, 0x007F};

    /** RFC 3454 C.2.2, non-ASCII control characters. */
    private static final int[] C_2_2 = {
        0x0080, 0x009F, 0x06DD, 0x06DD, 0x070F, 0x070F, 0x180E, 0x180E, 0x200C, 0x200D, 0x2028, 0x2029, 0x2060, 0x2063,
        0x206A, 0x206F, 0xFEFF, 0xFEFF, 0xFFF9, 0xFFFC, 0x1D173, 0x1D17A,
    };

    /** RFC 3454 C.3, private use. */
    private static final int[] C_3 = {0xE000, 0xF8FF, 0xF0000, 0xFFFFD, 0x100000, 0x10FFFD};

    /** RFC 3454 C.4, non-character code points: FDD0-FDEF and the last two code points of every plane. */
    private static final int[] C_4 = {
        0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x1FFFF, 0x2FFFE, 0x2FFFF, 0x3FFFE, 0x3FFFF,
        0x4FFFE, 0x4FFFF, 0x5FFFE, 0x5FFFF, 0x6FFFE, 0x6FFFF, 0x7FFFE, 0x7FFFF, 0x8FFFE, 0x8FFFF,
        0x9FFFE, 0x9FFFF, 0xAFFFE, 0xAFFFF, 0xBFFFE, 0xBFFFF, 0xCFFFE, 0xCFFFF, 0xDFFFE, 0xDFFFF,
        0xEFFFE, 0xEFFFF, 0xFFFFE, 0xFFFFF, 0x10FFFE, 0x10FFFF,
    };

    /** RFC 3454 C.5, surrogate codes (reachable only through unpaired surrogates in a Java string). */
    private static final int[] C_5 = {0xD800, 0xDFFF};

    /** RFC 3454 C.6, inappropriate for plain text. */
    private static final int[] C_6 = {0xFFF9, 0xFFFD};

    /** RFC 3454 C.7, inappropriate for canonical representation. */
    private static final int[] C_7 = {0x2FF0, 0x2FFB};

    /** RFC 3454 C.8, change display properties or are deprecated. */
    private static final int[] C_8 = {0x0340, 0x0341, 0x200E, 0x200F, 0x202A, 0x202E, 0x206A, 0x206F};

    /** RFC 3454 C.9, tagging characters. */
    private static final int[] C_9 = {0xE0001, 0xE0001, 0xE0020, 0xE007F};

    /** The SASLprep prohibited output (RFC 4013 §2.3), in RFC order; the first match names the reason. */
    private static final ProhibitedTable[] SASLPREP_PROHIBITED = {
        new ProhibitedTable(C_1_2, "non-ASCII space, RFC 3454 C.1.2"),
        new ProhibitedTable(C_2_1, "ASCII control, RFC 3454 C.2.1"),
        new ProhibitedTable(C_2_2, "non-ASCII control, RFC 3454 C.2.2"),
        new ProhibitedTable(C_3, "private use, RFC 3454 C.3"),
        new ProhibitedTable(C_4, "non-character, RFC 3454 C.4"),
        new ProhibitedTable(C_5, "surrogate, RFC 3454 C.5"),
        new ProhibitedTable(C_6, "inappropriate for plain text, RFC 3454 C.6"),
        new ProhibitedTable(C_7, "inappropriate for canonical representation, RFC 3454 C.7"),
        new ProhibitedTable(C_8, "changes display properties or deprecated, RFC 3454 C.8"),
        new ProhibitedTable(C_9, "tagging character, RFC 3454 C.9"),
    };

    static {
        // A mis-sorted edit to a table would silently make lookups miss; fail class initialization instead.
        for (int[] table : new int[][] {B_1, C_1_2, C_2_1, C_2_2, C_3, C_4, C_5, C_6, C_7, C_8, C_9}) {
            requireSortedRanges(table);
        }
    }

    private StringPrep() {}

    /**
     * Prepares {@code s} with the SASLprep profile (RFC 4013) of stringprep (RFC 3454), as RFC 5389 requires for
     * long-term credential passwords.
     *
     * <p>Steps, per RFC 4013 §2: map B.1 characters to nothing and C.1.2 non-ASCII spaces to U+0020; normalize with
     * NFKC; reject the prohibited output of RFC 4013 §2.3 (C.1.2, C.2.1, C.2.2, C.3 through C.9); apply the
     * bidirectional rule of RFC 3454 §6; and reject unassigned code points. The input is processed by code point, so
     * supplementary characters (C.2.2's musical controls, C.9's tags) are handled correctly.
     *
     * <p>Interpretations and approximations:
     *
     * <ul>
     *   <li>Unassigned code points are rejected ("stored strings" semantics, RFC 3454 §7) rather than passed through
     *       ("queries"): a password is something stored, and letting unassigned code points through would let its
     *       preparation change when Unicode assigns them.
     *   <li>Table A.1 (unassigned in Unicode 3.2) is approximated by {@code Character.getType(cp) ==
     *       Character.UNASSIGNED}, i.e. the JDK's Unicode version. Characters assigned after Unicode 3.2 are therefore
     *       accepted here although strict stringprep rejects them. Likewise NFKC and the bidi categories (standing in
     *       for tables D.1 and D.2) come from the JDK, not Unicode 3.2.
     *   <li>U+200B ZERO WIDTH SPACE is in both B.1 and C.1.2; RFC 4013 does not say which mapping wins. It is mapped to
     *       nothing, as B.1's name suggests and as its zero width renders; a peer that maps it to U+0020 derives a
     *       different key for such a password.
     *   <li>An input that maps to the empty string is returned as the empty string; RFC 4013 does not forbid it.
     * </ul>
     *
     * @throws IllegalArgumentException if the prepared string contains a prohibited or unassigned code point, or
     *     violates the bidi rule; the message names the code point and its index in the prepared string but not the
     *     input
     */
    public static String saslprep(String s) {
        Objects.requireNonNull(s, "s");
        StringBuilder mapped = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (inTable(B_1, cp)) {
                continue;
            }
            mapped.appendCodePoint(inTable(C_1_2, cp) ? ' ' : cp);
        }
        String prepared = Normalizer.normalize(mapped, Normalizer.Form.NFKC);

        // Bidi rule (RFC 3454 §6) state, gathered in the same pass as the prohibition check.
        int firstRandAl = -1;
        int firstL = -1;
        for (int i = 0; i < prepared.length(); ) {
            int cp = prepared.codePointAt(i);
            for (ProhibitedTable table : SASLPREP_PROHIBITED) {
                if (inTable(table.ranges(), cp)) {
                    throw prohibited(cp, i, table.reason());
                }
            }
            // After C.4 and C.5, which claim the code points Java also reports as unassigned or surrogate.
            if (Character.getType(cp) == Character.UNASSIGNED) {
                throw prohibited(cp, i, "unassigned, RFC 3454 A.1");
            }
            if (isRandAlCat(cp)) {
                if (firstRandAl < 0) {
                    firstRandAl = i;
                }
            } else if (firstL < 0 && Character.getDirectionality(cp) == Character.DIRECTIONALITY_LEFT_TO_RIGHT) {
                firstL = i;
            }
            i += Character.charCount(cp);
        }
        if (firstRandAl >= 0) {
            if (firstL >= 0) {
                throw prohibited(
                        prepared.codePointAt(firstL),
                        firstL,
                        "LCat character in a string with RandALCat characters, RFC 3454 section 6");
            }
            int first = prepared.codePointAt(0);
            if (!isRandAlCat(first)) {
                throw prohibited(first, 0, "string with RandALCat characters must start with one, RFC 3454 section 6");
            }
            int lastIndex = prepared.offsetByCodePoints(prepared.length(), -1);
            int last = prepared.codePointAt(lastIndex);
            if (!isRandAlCat(last)) {
                throw prohibited(
                        last, lastIndex, "string with RandALCat characters must end with one, RFC 3454 section 6");
            }
        }
        return prepared;
    }

    /**
     * Prepares {@code s} with the PRECIS OpaqueString profile (RFC 8265 §4.2), as RFC 8489 requires for long-term
     * credential passwords (and realms).
     *
     * <p>Rules, in RFC 8264 §7 order: no width mapping; map every non-ASCII space (general category Zs other than
     * U+0020) to U+0020; no case mapping; NFC normalization; no directionality rule. The result must then be a
     * non-empty FreeformClass string.
     *
     * <p>The FreeformClass check here is a practical subset of RFC 8264's: it rejects control characters (Cc),
     * surrogates (Cs, only reachable through unpaired surrogates), noncharacters and unassigned code points (by the
     * JDK's Unicode version). It does not reject the rest of FreeformClass's DISALLOWED set, notably default-ignorable
     * code points such as U+00AD SOFT HYPHEN, other format characters (Cf), private use (Co), line and paragraph
     * separators, and old Hangul jamo; so this method accepts some strings a strict PRECIS implementation rejects, but
     * never prepares an accepted string differently from one.
     *
     * @throws IllegalArgumentException if the prepared string is empty or contains a disallowed code point; the message
     *     names the code point and its index in the prepared string but not the input
     */
    public static String opaqueString(String s) {
        Objects.requireNonNull(s, "s");
        StringBuilder mapped = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            mapped.appendCodePoint(cp != ' ' && Character.getType(cp) == Character.SPACE_SEPARATOR ? ' ' : cp);
        }
        String prepared = Normalizer.normalize(mapped, Normalizer.Form.NFC);
        if (prepared.isEmpty()) {
            throw new IllegalArgumentException("empty string is not allowed (RFC 8265 section 4.2.2)");
        }
        for (int i = 0; i < prepared.length(); ) {
            int cp = prepared.codePointAt(i);
            String reason = freeformDisallowedReason(cp);
            if (reason != null) {
                throw prohibited(cp, i, reason);
            }
            i += Character.charCount(cp);
        }
        return prepared;
    }

    private static String freeformDisallowedReason(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL -> "control, disallowed by RFC 8264 FreeformClass";
            case Character.SURROGATE -> "surrogate, disallowed by RFC 8264 FreeformClass";
            // The JDK reports noncharacters as unassigned; PRECIS disallows them under their own category.
            case Character.UNASSIGNED ->
                isNoncharacter(cp)
                        ? "noncharacter, disallowed by RFC 8264 FreeformClass"
                        : "unassigned, disallowed by RFC 8264 FreeformClass";
            default -> null;
        };
    }

    private static boolean isNoncharacter(int cp) {
        return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    /** RandALCat of RFC 3454 §6 (table D.1): bidi category R or AL. */
    private static boolean isRandAlCat(int cp) {
        byte d = Character.getDirectionality(cp);
        return d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }

    private static IllegalArgumentException prohibited(int cp, int index, String reason) {
        // Deliberately omits the input: it is usually a password.
        return new IllegalArgumentException(
                String.format("prohibited code point U+%04X at index %d (%s)", cp, index, reason));
    }

    /** Binary search over sorted, non-overlapping [start, end] pairs. */
    private static boolean inTable(int[] ranges, int cp) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (cp > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private static void requireSortedRanges(int[] ranges) {
        if (ranges.length % 2 != 0) {
            throw new IllegalStateException("odd-length range table");
        }
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] > ranges[i + 1] || (i > 0 && ranges[i] <= ranges[i - 1])) {
                throw new IllegalStateException(String.format("range table out of order at U+%04X", ranges[i]));
            }
        }
    }

    private record ProhibitedTable(int[] ranges, String reason) {}
}
