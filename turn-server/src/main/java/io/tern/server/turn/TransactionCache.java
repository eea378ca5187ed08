package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answers this event loop gave to authenticated TURN requests in the last 40 seconds, by
 * client address and transaction id. A retransmitted request (its answer was lost) gets the same
 * bytes again instead of being processed twice: a retransmitted Refresh with LIFETIME 0 must not
 * earn 437 because the first one already deleted the allocation (RFC 8656 §8), nor a
 * CreatePermission a second round of work.
 *
 * <p>Only authenticated requests are remembered, so spoofed traffic cannot fill it; it is bounded
 * anyway. 40 s covers the RFC 8489 client's 39.5 s of retransmissions.
 */
final class TransactionCache {
    static final long TTL_MILLIS = 40_000;
    static final int MAX_ENTRIES = 16_384;

    private record Key(InetSocketAddress client, long high, int low) {}

    private record Entry(byte[] response, long storedAt) {}

    /** Insertion order is age order, so expiry only ever looks at the head. */
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(64);

    /** The earlier answer to this transaction, or null. */
    byte[] find(InetSocketAddress client, long high, int low, long now) {
        Entry e = entries.get(new Key(client, high, low));
        return e == null || now - e.storedAt >= TTL_MILLIS ? null : e.response;
    }

    /** Remembers a copy of an answer; does not take ownership of {@code response}. */
    void remember(InetSocketAddress client, long high, int low, ByteBuf response, long now) {
        expire(now);
        if (entries.size() >= MAX_ENTRIES) {
            Iterator<Map.Entry<Key, Entry>> oldest = entries.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
        entries.put(new Key(client, high, low), new Entry(ByteBufUtil.getBytes(response), now));
    }

    void expire(long now) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (now - it.next().storedAt < TTL_MILLIS) {
                return;
            }
            it.remove();
        }
    }

    int size() {
        return entries.size();
    }
}
