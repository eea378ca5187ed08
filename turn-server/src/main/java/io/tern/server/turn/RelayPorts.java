package io.tern.server.turn;

import java.security.SecureRandom;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The relay port range of one relay IP, shared by every event loop. Ports are handed out from a
 * random starting point (RFC 8656 §7.2 asks for unpredictable relay ports), and an EVEN-PORT
 * request with the R bit keeps the next port reserved under a RESERVATION-TOKEN.
 *
 * <p>Synchronized: this is the control path (one call per Allocate), never the packet path.
 */
public final class RelayPorts {
    private final int min;
    private final int max;
    private final BitSet used;
    private final Random random;
    private final Map<Long, Integer> reservations = new HashMap<>();
    private int inUse;

    public RelayPorts(int min, int max) {
        this(min, max, new SecureRandom());
    }

    RelayPorts(int min, int max, Random random) {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException("bad port range " + min + "-" + max);
        }
        this.min = min;
        this.max = max;
        this.used = new BitSet(max - min + 1);
        this.random = random;
    }

    /** A free port, or -1 when the range is exhausted (the caller answers 508). */
    public synchronized int acquire() {
        return acquire(false);
    }

    /** A free even port (EVEN-PORT), or -1. */
    public synchronized int acquireEven() {
        return acquire(true);
    }

    private int acquire(boolean even) {
        int size = max - min + 1;
        int start = random.nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = min + (start + i) % size;
            if ((!even || (port & 1) == 0) && !used.get(port - min)) {
                used.set(port - min);
                inUse++;
                return port;
            }
        }
        return -1;
    }

    /**
     * An even port whose successor is free too; the successor is held for {@code token} (RFC 8656
     * §7.2, EVEN-PORT with R=1). Returns -1 when no such pair exists.
     */
    public synchronized int acquireEvenPair(long token) {
        int size = max - min + 1;
        int start = random.nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = min + (start + i) % size;
            if ((port & 1) == 0 && port + 1 <= max && !used.get(port - min) && !used.get(port + 1 - min)) {
                used.set(port - min);
                used.set(port + 1 - min);
                inUse += 2;
                reservations.put(token, port + 1);
                return port;
            }
        }
        return -1;
    }

    /** Takes the port held for a RESERVATION-TOKEN; -1 when the token is unknown or used. */
    public synchronized int claimReservation(long token) {
        Integer port = reservations.remove(token);
        return port == null ? -1 : port;
    }

    /** Gives a reservation's port back unused (the reservation expired). */
    public synchronized void dropReservation(long token) {
        Integer port = reservations.remove(token);
        if (port != null) {
            release(port);
        }
    }

    public synchronized void release(int port) {
        if (port >= min && port <= max && used.get(port - min)) {
            used.clear(port - min);
            inUse--;
        }
    }

    public synchronized int inUse() {
        return inUse;
    }

    public int capacity() {
        return max - min + 1;
    }
}
