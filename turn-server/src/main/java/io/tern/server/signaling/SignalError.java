package io.tern.server.signaling;

import java.util.Locale;

/** The {@code code} of an {@code error} message (docs/signaling.md, "Errors"). */
public enum SignalError {
    BAD_MESSAGE,
    UNKNOWN_TYPE,
    NOT_JOINED,
    ALREADY_JOINED,
    ROOM_FULL,
    TOO_MANY_ROOMS,
    UNKNOWN_PEER,
    BAD_TOKEN,
    RESUME_FAILED,
    RATE_LIMITED;

    private final String code = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The wire form, e.g. {@code room-full}. */
    public String code() {
        return code;
    }
}
