package io.tern.server.metrics;

/**
 * Why the server discarded a datagram or frame without answering, beyond the codec's own {@link
 * io.tern.stun.ParseError} reasons.
 */
public enum DropReason {
    /** An empty datagram. */
    EMPTY,
    /** A success or error response sent to the server. */
    UNEXPECTED_RESPONSE,
    /** An indication the server has no use for (e.g. a Binding keep-alive). */
    UNHANDLED_INDICATION,
    /** FINGERPRINT present but wrong: RFC 8489 §7.3 says it is not STUN. */
    BAD_FINGERPRINT,
    /** A message without the magic cookie that is not an RFC 3489 Binding request. */
    RFC3489_NOT_BINDING,
    /** An unauthenticated answer (401, 438...) over the per-source limit: anti-reflection. */
    UNAUTHENTICATED_LIMIT,
    /** ChannelData that no allocation on this 5-tuple can take. */
    CHANNEL_DATA_WITHOUT_ALLOCATION,
    /** An answer or relayed message a UDP listening socket could not send (no route, buffer full). */
    SEND_FAILED
}
