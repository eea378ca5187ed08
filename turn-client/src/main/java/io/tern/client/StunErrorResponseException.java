package io.tern.client;

import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.attr.StunAttribute;

/**
 * The server answered with an error response. The convenience operations ({@link
 * StunClient#binding()}) fail with this; {@link StunClient#request} hands error responses back as
 * they are, because answering with an error is a completed transaction.
 */
public final class StunErrorResponseException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient StunMessage response;
    private final int code;
    private final String reason;

    StunErrorResponseException(StunMessage response, StunAttribute.ErrorCode error) {
        super(StunMethod.name(response.method()) + " failed: " + error.code() + " " + error.reason());
        this.response = response;
        this.code = error.code();
        this.reason = error.reason();
    }

    /** The ERROR-CODE number, e.g. 401 or 438. */
    public int code() {
        return code;
    }

    /** The reason phrase the server sent. */
    public String reason() {
        return reason;
    }

    /** The whole error response, for attributes such as UNKNOWN-ATTRIBUTES or ALTERNATE-SERVER. */
    public StunMessage response() {
        return response;
    }
}
