package io.tern.server.turn;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Allocation counts per user and in total, shared by all event loops (user-quota → 486,
 * total-quota → 508). Touched once per Allocate and once per allocation end: control path only.
 * Users are counted even without a per-user limit, so a limit set by a reload is right at once.
 */
public final class Quotas {
    private volatile int perUser;
    private volatile int total;
    private final AtomicInteger active = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> byUser = new ConcurrentHashMap<>();

    /** Limits of 0 mean no limit. */
    public Quotas(int perUser, int total) {
        this.perUser = perUser;
        this.total = total;
    }

    /**
     * New limits, on reload: they apply to the next Allocate. Allocations already over a lowered
     * limit are kept; new ones are refused until enough of them end.
     */
    public void limits(int perUser, int total) {
        this.perUser = perUser;
        this.total = total;
    }

    /** What {@link #tryAcquire} decided. */
    public enum Verdict {
        OK,
        USER_QUOTA,
        TOTAL_QUOTA
    }

    public Verdict tryAcquire(String username) {
        int totalLimit = total;
        int userLimit = perUser;
        int now = active.incrementAndGet();
        if (totalLimit > 0 && now > totalLimit) {
            active.decrementAndGet();
            return Verdict.TOTAL_QUOTA;
        }
        boolean[] refused = new boolean[1];
        // compute() is atomic per key, so two loops cannot both take the last slot.
        byUser.compute(username, (u, count) -> {
            int c = count == null ? 0 : count;
            if (userLimit > 0 && c >= userLimit) {
                refused[0] = true;
                return count;
            }
            return c + 1;
        });
        if (refused[0]) {
            active.decrementAndGet();
            return Verdict.USER_QUOTA;
        }
        return Verdict.OK;
    }

    public void release(String username) {
        active.decrementAndGet();
        byUser.computeIfPresent(username, (u, count) -> count <= 1 ? null : count - 1);
    }

    /** Allocations currently held. */
    public int active() {
        return active.get();
    }
}
