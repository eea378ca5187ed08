package io.tern.stun;

/**
 * Why bytes were not accepted as a STUN or ChannelData message. Every rejection the codec makes has
 * one of these reasons, so a server can count drops by reason and a test can assert the exact one.
 */
public enum ParseError {
    TRUNCATED_HEADER("shorter than the 20-byte STUN header"),
    NOT_STUN("the two most significant bits are not zero"),
    BAD_MAGIC_COOKIE("magic cookie is not 0x2112A442"),
    BAD_LENGTH("message length is not a multiple of 4"),
    LENGTH_MISMATCH("message length does not match the bytes received"),
    ATTRIBUTE_TRUNCATED("an attribute header or value runs past the end of the message"),
    TOO_MANY_ATTRIBUTES("more attributes than the codec indexes"),
    BAD_ATTRIBUTE_LENGTH("an attribute has a length its type does not allow"),
    BAD_ATTRIBUTE_VALUE("an attribute value is malformed"),
    DUPLICATE_INTEGRITY("a message-integrity attribute appears twice"),
    INTEGRITY_OUT_OF_ORDER("MESSAGE-INTEGRITY after MESSAGE-INTEGRITY-SHA256"),
    ATTRIBUTE_AFTER_FINGERPRINT("FINGERPRINT is not the last attribute"),
    BAD_CHANNEL_NUMBER("ChannelData channel number outside 0x4000-0x4FFF"),
    CHANNEL_DATA_TRUNCATED("ChannelData length runs past the end of the datagram"),
    FRAME_TOO_LARGE("stream frame larger than the configured maximum"),
    UNKNOWN_FRAME("first byte is neither STUN nor ChannelData");

    private final String description;

    ParseError(String description) {
        this.description = description;
    }

    /** A sentence for logs and error reasons; it never contains message bytes. */
    public String description() {
        return description;
    }
}
