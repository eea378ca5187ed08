package io.tern.server.signaling;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Signaling connections held, in total and per source address, against the caps. Upgrades arrive
 * on every event loop (the operator, web and shared TLS listeners), so this is thread-safe. The
 * per-address map holds only addresses with a connection open, so it is bounded by the total cap.
 */
final class ConnectionSlots {
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /** Takes a slot for {@code address}, or says which cap refuses it (then nothing is held). */
    UpgradeRefusal acquire(InetAddress address, int maxTotal, int maxPerAddress) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return UpgradeRefusal.MAX_CONNECTIONS;
        }
        boolean[] taken = {false};
        perAddress.compute(address, (a, n) -> {
            int held = n == null ? 0 : n;
            if (held >= maxPerAddress) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        if (!taken[0]) {
            total.decrementAndGet();
            return UpgradeRefusal.MAX_CONNECTIONS_PER_IP;
        }
        return null;
    }

    /** Gives back a slot taken by {@link #acquire}. */
    void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
        total.decrementAndGet();
    }
}
