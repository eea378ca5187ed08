package io.tern.client;

import java.time.Duration;
import java.util.Objects;

/**
 * The retransmission schedule for requests over UDP (RFC 8489 §6.2.1).
 *
 * <p>The request is sent at once, then again after RTO, 2·RTO, 4·RTO and so on, {@code
 * maxTransmissions} times in all (Rc). After the last one the client waits {@code
 * finalWaitMultiplier} times the initial RTO (Rm) before it gives up. With the defaults (500 ms, 7,
 * 16) that is sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and a timeout at 39.5 s.
 *
 * @param rto the initial retransmission timeout
 * @param maxTransmissions Rc: how many times the request is sent, the first included
 * @param finalWaitMultiplier Rm: how many initial RTOs to wait after the last transmission
 */
public record RetransmissionPolicy(Duration rto, int maxTransmissions, int finalWaitMultiplier) {
    /** RTO 500 ms, Rc 7, Rm 16: the values RFC 8489 recommends. */
    public static final RetransmissionPolicy RFC_8489 = new RetransmissionPolicy(Duration.ofMillis(500), 7, 16);

    /** Keeps {@code rto << (maxTransmissions - 1)} far from overflowing. */
    private static final int MAX_TRANSMISSIONS = 20;

    public RetransmissionPolicy {
        Objects.requireNonNull(rto, "rto");
        if (rto.isNegative() || rto.isZero()) {
            throw new IllegalArgumentException("rto must be positive: " + rto);
        }
        if (maxTransmissions < 1 || maxTransmissions > MAX_TRANSMISSIONS) {
            throw new IllegalArgumentException("maxTransmissions must be in 1.." + MAX_TRANSMISSIONS);
        }
        if (finalWaitMultiplier < 1) {
            throw new IllegalArgumentException("finalWaitMultiplier must be at least 1");
        }
    }

    /** The RFC 8489 schedule with another initial RTO (the RFC allows one learned from RTT). */
    public static RetransmissionPolicy withRto(Duration rto) {
        return new RetransmissionPolicy(rto, RFC_8489.maxTransmissions, RFC_8489.finalWaitMultiplier);
    }

    /**
     * How long to wait after transmission {@code n} (counting from 1) before the next one: the RTO
     * doubles each time. After the last transmission, see {@link #finalWait()}.
     */
    public Duration intervalAfter(int n) {
        if (n < 1 || n >= maxTransmissions) {
            throw new IllegalArgumentException("no retransmission follows transmission " + n);
        }
        return rto.multipliedBy(1L << (n - 1));
    }

    /** Rm × RTO: the wait after the last transmission. */
    public Duration finalWait() {
        return rto.multipliedBy(finalWaitMultiplier);
    }

    /** From the first transmission until the transaction times out: 39.5 s for the defaults. */
    public Duration timeout() {
        // RTO · (1 + 2 + ... + 2^(Rc-2)) + Rm · RTO
        return rto.multipliedBy((1L << (maxTransmissions - 1)) - 1 + finalWaitMultiplier);
    }
}
