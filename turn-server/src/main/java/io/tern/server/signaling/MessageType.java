package io.tern.server.signaling;

import java.util.Locale;

/** The {@code type}s a client may send (docs/signaling.md, "Client → server"). */
public enum MessageType {
    JOIN,
    RESUME,
    OFFER,
    ANSWER,
    CANDIDATE,
    MEDIA,
    LEAVE,
    PING;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    /** The type named {@code type}, or null for one this server does not know. */
    static MessageType of(String type) {
        for (MessageType t : values()) {
            if (t.wire.equals(type)) {
                return t;
            }
        }
        return null;
    }
}
