package io.tern.server.policy;

import java.net.InetAddress;

/**
 * Limits how many unauthenticated answers (401, 438, 400 before authentication) one source IP can
 * draw from an event loop, so Tern cannot be used to reflect and amplify traffic at a spoofed
 * victim: a 401 carries REALM, NONCE and PASSWORD-ALGORITHMS and is several times larger than the
 * smallest request that earns it.
 *
 * <p>No per-source state may grow before a request authenticates (a spoofed flood would fill it),
 * so this is a fixed table of token buckets indexed by a hash of the IP; sources that collide share
 * a bucket, which errs on the side of answering less. One per event loop; not thread-safe.
 */
public final class ChallengeLimiter {
    /** Buckets per event loop: 4096 × 16 bytes. */
    static final int SLOTS = 4096;

    private final long[] tokensMicros = new long[SLOTS];
    private final long[] lastRefill = new long[SLOTS];
    private final long perSecond;
    private final long burst;
    private final int seed;

    /**
     * @param perSecond sustained unauthenticated answers per source IP and second; 0 disables
     * @param burst answers a quiet source may draw at once
     */
    public ChallengeLimiter(int perSecond, int burst, int seed) {
        this.perSecond = perSecond;
        this.burst = burst * 1_000_000L;
        this.seed = seed;
        java.util.Arrays.fill(tokensMicros, this.burst);
    }

    /** Whether the source may have one more unauthenticated answer now. */
    public boolean tryAcquire(InetAddress source, long nowMillis) {
        if (perSecond == 0) {
            return true;
        }
        int slot = slot(source);
        long elapsed = nowMillis - lastRefill[slot];
        if (elapsed > 0) {
            tokensMicros[slot] = Math.min(burst, tokensMicros[slot] + elapsed * perSecond * 1000);
            lastRefill[slot] = nowMillis;
        }
        if (tokensMicros[slot] < 1_000_000) {
            return false;
        }
        tokensMicros[slot] -= 1_000_000;
        return true;
    }

    private int slot(InetAddress source) {
        // A per-process seed keeps an attacker from choosing sources that share one victim's slot.
        int h = source.hashCode() * 0x9E3779B9 ^ seed;
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
