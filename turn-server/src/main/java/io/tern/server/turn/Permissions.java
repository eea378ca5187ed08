package io.tern.server.turn;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The permissions of one allocation (RFC 8656 §9): peer IP (any port) → expiry. Owned by the
 * allocation's event loop. Looking one up on the packet path allocates nothing: the map is keyed
 * by the {@link InetAddress} the transport already has, and each entry is a mutable holder, so a
 * refresh stores a long instead of boxing one.
 */
final class Permissions {
    /** RFC 8656 §9: a permission lasts 300 seconds unless refreshed. */
    static final long LIFETIME_MILLIS = 300_000;

    private static final class Entry {
        long expiresAt;
    }

    private final Map<InetAddress, Entry> byPeer = new HashMap<>(4);

    /** Installs or refreshes a permission. */
    void install(InetAddress peer, long now) {
        byPeer.computeIfAbsent(peer, p -> new Entry()).expiresAt = now + LIFETIME_MILLIS;
    }

    boolean allows(InetAddress peer, long now) {
        Entry e = byPeer.get(peer);
        return e != null && e.expiresAt > now;
    }

    boolean has(InetAddress peer) {
        return byPeer.containsKey(peer);
    }

    /** Drops expired permissions; called by the per-loop sweep. */
    void expire(long now) {
        for (Iterator<Entry> it = byPeer.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt <= now) {
                it.remove();
            }
        }
    }

    int size() {
        return byPeer.size();
    }
}
