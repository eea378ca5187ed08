package io.tern.server.turn;

import io.tern.server.udp.UdpEndpoint;
import java.util.Arrays;

/**
 * The permissions of one allocation (RFC 8656 §9): peer IP (any port) → expiry. Owned by the
 * allocation's event loop.
 *
 * <p>An open-addressing table keyed by the address as two longs ({@link UdpEndpoint#hi()},
 * {@link UdpEndpoint#lo()}): a lookup on the packet path hashes two numbers and builds nothing,
 * and a client that installs many permissions still gets constant-time lookups.
 */
final class Permissions {
    /** RFC 8656 §9: a permission lasts 300 seconds unless refreshed. */
    static final long LIFETIME_MILLIS = 300_000;

    /** The expiry of a free entry; the loop's clock (nanoTime in ms) never reads it. */
    private static final long FREE = Long.MIN_VALUE;

    private long[] his;
    private long[] los;
    private long[] expiresAt;
    private int size;

    Permissions() {
        allocate(4);
    }

    /** Installs or refreshes a permission for {@code peer}'s IP. */
    void install(UdpEndpoint peer, long now) {
        int i = find(peer.hi(), peer.lo());
        if (i < 0) {
            if ((size + 1) * 4 > his.length * 3) {
                resize(his.length * 2);
            }
            i = -i - 1;
            his[i] = peer.hi();
            los[i] = peer.lo();
            size++;
        }
        expiresAt[i] = now + LIFETIME_MILLIS;
    }

    /** Whether {@code peer}'s IP has a permission in force. */
    boolean allows(UdpEndpoint peer, long now) {
        int i = find(peer.hi(), peer.lo());
        return i >= 0 && expiresAt[i] > now;
    }

    /** Drops expired permissions; called by the per-loop sweep. */
    void expire(long now) {
        boolean any = false;
        for (int i = 0; i < expiresAt.length; i++) {
            if (expiresAt[i] != FREE && expiresAt[i] <= now) {
                any = true;
                break;
            }
        }
        if (any) {
            // Rebuilding keeps probe chains intact without tombstones.
            long[] oldHi = his;
            long[] oldLo = los;
            long[] oldExpiry = expiresAt;
            allocate(oldHi.length);
            for (int i = 0; i < oldExpiry.length; i++) {
                if (oldExpiry[i] != FREE && oldExpiry[i] > now) {
                    put(oldHi[i], oldLo[i], oldExpiry[i]);
                }
            }
        }
    }

    int size() {
        return size;
    }

    /** The index of the entry for the address, or {@code -(insertion point) - 1}. */
    private int find(long hi, long lo) {
        int mask = his.length - 1;
        long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (expiresAt[i] != FREE) {
            if (his[i] == hi && los[i] == lo) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -i - 1;
    }

    private void put(long hi, long lo, long expiry) {
        int i = -find(hi, lo) - 1;
        his[i] = hi;
        los[i] = lo;
        expiresAt[i] = expiry;
        size++;
    }

    private void resize(int capacity) {
        long[] oldHi = his;
        long[] oldLo = los;
        long[] oldExpiry = expiresAt;
        allocate(capacity);
        for (int i = 0; i < oldExpiry.length; i++) {
            if (oldExpiry[i] != FREE) {
                put(oldHi[i], oldLo[i], oldExpiry[i]);
            }
        }
    }

    private void allocate(int capacity) {
        his = new long[capacity];
        los = new long[capacity];
        expiresAt = new long[capacity];
        Arrays.fill(expiresAt, FREE);
        size = 0;
    }
}
