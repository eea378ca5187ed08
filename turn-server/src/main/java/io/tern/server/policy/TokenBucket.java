package io.tern.server.policy;

/**
 * Events per second: {@code rate} tokens a second, up to {@code 2 * rate} saved for bursts (a
 * signaling connection's messages, a DTLS listener's new handshakes). One thread only.
 */
public final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long rate;
    private final long capacityNanoTokens;
    /** Tokens, scaled by 10^9 so refills need no division per message. */
    private long nanoTokens;

    private long last;

    public TokenBucket(int rate, long nowNanos) {
        this.rate = rate;
        this.capacityNanoTokens = 2L * rate * NANOS_PER_SECOND;
        this.nanoTokens = capacityNanoTokens;
        this.last = nowNanos;
    }

    /** Takes one token if there is one. */
    public boolean take(long nowNanos) {
        long elapsed = nowNanos - last;
        last = nowNanos;
        if (elapsed > 0) {
            // elapsed * rate overflows only after ~290 years at 1 token/s; cap elapsed anyway.
            long refill = Math.min(elapsed, 2 * NANOS_PER_SECOND) * rate;
            nanoTokens = Math.min(capacityNanoTokens, nanoTokens + refill);
        }
        if (nanoTokens >= NANOS_PER_SECOND) {
            nanoTokens -= NANOS_PER_SECOND;
            return true;
        }
        return false;
    }
}
