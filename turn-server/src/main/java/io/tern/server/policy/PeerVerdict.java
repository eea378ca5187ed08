package io.tern.server.policy;

/** Whether a TURN client may relay to a peer, and if not, which part of the policy refused it. */
public enum PeerVerdict {
    /** The peer is a valid relay destination. */
    ALLOWED("allowed"),
    /**
     * The peer is one of the server's own listening transport addresses: relaying there would let a
     * client inject messages that appear to come from the relay. Refused whatever the rules say.
     */
    DENIED_SERVER_ADDRESS("server_address"),
    /** The peer matches {@code denied-peer-ip} (and no {@code allowed-peer-ip}). */
    DENIED_BY_RULE("denied_by_rule"),
    /**
     * The default policy: the peer (or the IPv4 address it embeds) is not globally routable unicast
     * (loopback, private-use, link-local, documentation, multicast, ...).
     */
    DENIED_SPECIAL_PURPOSE("special_purpose");

    private final String tag;

    PeerVerdict(String tag) {
        this.tag = tag;
    }

    public boolean allowed() {
        return this == ALLOWED;
    }

    /** A short lower-case name for metric labels, e.g. {@code special_purpose}. */
    public String tag() {
        return tag;
    }
}
