package io.tern.server.turn;

import io.tern.server.udp.UdpAddress;
import io.tern.server.udp.UdpEndpoint;
import java.util.Arrays;

/**
 * The channel bindings of one allocation (RFC 8656 §12): channel number ↔ peer transport address,
 * each with an expiry. Owned by the allocation's event loop.
 *
 * <p>Parallel arrays searched linearly: an allocation has a handful of channels (one per remote
 * candidate in practice), where a scan of a few entries beats hashing and allocates nothing in
 * either direction (number → peer for ChannelData from the client, peer → number for data from a
 * peer).
 */
final class ChannelBindings {
    /** RFC 8656 §12: a binding lasts 10 minutes unless refreshed. */
    static final long LIFETIME_MILLIS = 600_000;

    /**
     * RFC 8656 §12.1: after a binding expires, neither its number nor its peer may be rebound to
     * something else for 5 more minutes. Entries stay in the table (inactive) during that time.
     */
    static final long QUARANTINE_MILLIS = 300_000;

    private int[] numbers = new int[2];
    private UdpAddress[] peers = new UdpAddress[2];
    private long[] expiresAt = new long[2];
    private int size;

    /** The result of {@link #bind}. */
    enum BindResult {
        BOUND,
        REFRESHED,
        /** The number is bound to another peer, or the peer to another number (400). */
        CONFLICT
    }

    /**
     * Binds or refreshes (RFC 8656 §12.1): a number may only ever name one peer and a peer only
     * one number, until the binding has expired and its quarantine has passed.
     */
    BindResult bind(int number, UdpAddress peer, long now) {
        for (int i = 0; i < size; i++) {
            boolean sameNumber = numbers[i] == number;
            boolean samePeer = peers[i].sameAs(peer);
            if (sameNumber && samePeer) {
                boolean active = expiresAt[i] > now;
                expiresAt[i] = now + LIFETIME_MILLIS;
                return active ? BindResult.REFRESHED : BindResult.BOUND;
            }
            if ((sameNumber || samePeer) && expiresAt[i] + QUARANTINE_MILLIS > now) {
                return BindResult.CONFLICT;
            }
        }
        removeQuarantined(number, peer);
        if (size == numbers.length) {
            int n = size * 2;
            numbers = Arrays.copyOf(numbers, n);
            peers = Arrays.copyOf(peers, n);
            expiresAt = Arrays.copyOf(expiresAt, n);
        }
        numbers[size] = number;
        peers[size] = peer;
        expiresAt[size] = now + LIFETIME_MILLIS;
        size++;
        return BindResult.BOUND;
    }

    /** The peer of an active channel, or null. */
    UdpAddress peer(int number, long now) {
        for (int i = 0; i < size; i++) {
            if (numbers[i] == number) {
                return expiresAt[i] > now ? peers[i] : null;
            }
        }
        return null;
    }

    /** The number of the active channel to a peer, or -1. */
    int number(UdpEndpoint peer, long now) {
        for (int i = 0; i < size; i++) {
            if (expiresAt[i] > now && peers[i].sameAs(peer)) {
                return numbers[i];
            }
        }
        return -1;
    }

    /** Bindings in force at {@code now} (not those expired and in quarantine). */
    int active(long now) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (expiresAt[i] > now) {
                n++;
            }
        }
        return n;
    }

    /** Forgets bindings whose quarantine has ended; called by the per-loop sweep. */
    void expire(long now) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (expiresAt[i] + QUARANTINE_MILLIS > now) {
                numbers[kept] = numbers[i];
                peers[kept] = peers[i];
                expiresAt[kept] = expiresAt[i];
                kept++;
            }
        }
        Arrays.fill(peers, kept, size, null);
        size = kept;
    }

    private void removeQuarantined(int number, UdpAddress peer) {
        for (int i = 0; i < size; i++) {
            if (numbers[i] == number || peers[i].sameAs(peer)) {
                size--;
                numbers[i] = numbers[size];
                peers[i] = peers[size];
                expiresAt[i] = expiresAt[size];
                peers[size] = null;
                i--;
            }
        }
    }

    int size() {
        return size;
    }
}
