package io.tern.server.turn;

/**
 * A token bucket in bytes per second for one allocation ({@code max-bps}, RFC 8656 §7.2 leaves
 * bandwidth policy to the server). Loop-owned, so plain fields. Traffic over the rate is dropped
 * and counted, never queued: queuing real-time media only adds delay.
 */
final class RateLimiter {
    /** No limit; shared, stateless. */
    static final RateLimiter UNLIMITED = new RateLimiter(0);

    private final long bytesPerSecond;
    private final long burst;
    private long tokens;
    private long lastRefill;

    RateLimiter(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        // One second of traffic as burst allowance: media is bursty at frame boundaries.
        this.burst = bytesPerSecond;
        this.tokens = burst;
    }

    /** Takes {@code bytes} from the bucket; false when the packet must be dropped. */
    boolean tryAcquire(int bytes, long nowMillis) {
        if (bytesPerSecond == 0) {
            return true;
        }
        long elapsed = nowMillis - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * bytesPerSecond / 1000);
            lastRefill = nowMillis;
        }
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }
}
