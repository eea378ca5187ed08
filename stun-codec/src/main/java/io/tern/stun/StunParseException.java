package io.tern.stun;

import java.util.EnumMap;
import java.util.Map;

/**
 * Thrown by the record (cold-path) decoder when bytes are not a valid message.
 *
 * <p>Checked, so callers cannot forget it, and preallocated per reason without a stack trace: a
 * flood of garbage must cost the server neither allocation nor stack walking.
 */
public final class StunParseException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final Map<ParseError, StunParseException> INSTANCES = new EnumMap<>(ParseError.class);

    static {
        for (ParseError reason : ParseError.values()) {
            INSTANCES.put(reason, new StunParseException(reason));
        }
    }

    private final ParseError reason;

    private StunParseException(ParseError reason) {
        super(reason.description(), null, false, false);
        this.reason = reason;
    }

    /** The shared instance for a reason. */
    public static StunParseException of(ParseError reason) {
        return INSTANCES.get(reason);
    }

    public ParseError reason() {
        return reason;
    }
}
