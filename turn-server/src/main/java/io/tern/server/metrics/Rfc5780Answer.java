package io.tern.server.metrics;

/**
 * What an RFC 5780 Binding answer did beyond a plain Binding, counted because each widens what the
 * server can be made to send (amplification): one answer may count under several.
 */
public enum Rfc5780Answer {
    /** Sent from another address or port because of CHANGE-REQUEST (RFC 5780 §7.2). */
    CHANGED_SOURCE,
    /** Sent to the port named by RESPONSE-PORT instead of the source port (RFC 5780 §7.5). */
    RESPONSE_PORT,
    /** Padded because the request carried PADDING (RFC 5780 §7.6). */
    PADDED
}
