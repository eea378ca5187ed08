package io.tern.testing;

import java.util.HexFormat;

/** Hex for test data and failure messages. */
public final class Hex {
    private Hex() {}

    /** Parses hex pairs, ignoring whitespace: {@code bytes("00 01 a4")}. */
    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    /** Lowercase hex pairs separated by spaces, as in the fixture files. */
    public static String string(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
