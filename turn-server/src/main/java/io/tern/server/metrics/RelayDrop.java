package io.tern.server.metrics;

/** Why relayed data was not passed on; counted per reason. */
public enum RelayDrop {
    /** Data from or to a peer without a permission (RFC 8656 §9). */
    NO_PERMISSION,
    /** ChannelData on a channel number that is not bound. */
    UNBOUND_CHANNEL,
    /** ChannelData or a Send indication from a 5-tuple without an allocation. */
    NO_ALLOCATION,
    /** Over the allocation's max-bps. */
    RATE_LIMITED,
    /** A permission or channel refused by the peer filter (answered 403). */
    PEER_REFUSED,
    /** A peer datagram over 2048 bytes, which the read slot truncated. */
    OVERSIZED,
    /** A malformed ChannelData message or Send indication. */
    MALFORMED,
    /** The kernel refused a send (ICMP unreachable, ENETUNREACH, EPERM...). */
    SEND_FAILED,
    /**
     * Data for a peer of an address family the allocation has no relayed address of (RFC 8656
     * §7.2: one relayed address per family; the family's relay was refused or deleted).
     */
    NO_RELAY_FOR_FAMILY,
    /**
     * A peer TCP connection to a relayed address closed at once: the allocation already has
     * {@code TcpRelay.MAX_PENDING_PEER_CONNECTIONS} accepted ones waiting for a ConnectionBind
     * (RFC 6062 §5.3).
     */
    PENDING_LIMIT
}
