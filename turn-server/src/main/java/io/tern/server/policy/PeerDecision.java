package io.tern.server.policy;

import java.util.Objects;

/**
 * A {@link PeerVerdict} with a short human reason for logs, e.g. {@code loopback 127.0.0.0/8} or
 * {@code denied-peer-ip 198.51.100.0/24}. {@link PeerFilter} builds every decision it can return
 * when it is constructed, so deciding never allocates one.
 */
public record PeerDecision(PeerVerdict verdict, String reason) {
    public PeerDecision {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(reason, "reason");
    }

    public boolean allowed() {
        return verdict == PeerVerdict.ALLOWED;
    }

    @Override
    public String toString() {
        return verdict + " (" + reason + ")";
    }
}
