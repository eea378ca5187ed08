package io.tern.server.turn;

import io.netty.channel.EventLoop;
import io.tern.server.metrics.AllocationEnd;
import io.tern.server.metrics.ServerMetrics;
import io.tern.stun.StunWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TURN state one event loop owns: its allocations, a writer for Data indications, the flush
 * batch, and the once-a-second sweep that ends expired allocations, permissions and channels.
 *
 * <p>Expiry is checked twice: exactly, by timestamp, whenever a packet or request touches a
 * permission or channel; and coarsely by the sweep, which reclaims memory and ports. One sweep per
 * loop instead of a timer per object keeps 16k allocations from meaning 100k scheduled tasks.
 */
public final class RelayLoop {
    private static final Logger log = LoggerFactory.getLogger(RelayLoop.class);

    static final long SWEEP_MILLIS = 1000;

    private final TurnServices services;
    private final StunWriter writer = new StunWriter();
    private final FlushBatch flushes = new FlushBatch();
    private final List<Allocation> allocations = new ArrayList<>();
    /** The loop that owns this state, known (and sweeping) from the first allocation on. */
    private volatile EventLoop eventLoop;
    /** This loop's share of the permission and channel gauges, as of its last sweep. */
    private int permissionsCounted;

    private int channelsCounted;
    private final List<java.util.function.LongConsumer> sweepers = new ArrayList<>();

    public RelayLoop(TurnServices services) {
        this.services = services;
    }

    public TurnServices services() {
        return services;
    }

    public ServerMetrics metrics() {
        return services.metrics();
    }

    /** Milliseconds on a monotonic clock: lifetimes must not jump with the wall clock. */
    public long now() {
        return System.nanoTime() / 1_000_000;
    }

    StunWriter writer() {
        return writer;
    }

    public FlushBatch flushes() {
        return flushes;
    }

    /** Adds work to the once-a-second sweep (it receives {@link #now()}). */
    void onSweep(java.util.function.LongConsumer task) {
        sweepers.add(task);
    }

    /** Takes a new allocation under this loop's care; starts the sweep on first use. */
    void adopt(Allocation allocation, EventLoop loop) {
        allocations.add(allocation);
        if (eventLoop == null) {
            eventLoop = loop;
            loop.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Ends every allocation of this loop, on the loop, and waits up to {@code seconds}: the server
     * is stopping. Each gets its end line with its traffic and gives its ports back, and its relay
     * sockets close while the loop still runs rather than in the loop's own shutdown.
     */
    public void endAll(AllocationEnd why, long seconds) {
        EventLoop loop = eventLoop;
        if (loop == null || loop.isShuttingDown()) {
            return;
        }
        loop.submit(() -> {
                    // end() leaves the list alone; the sweep is what prunes it.
                    for (Allocation a : allocations) {
                        end(a, why);
                    }
                    allocations.clear();
                })
                .awaitUninterruptibly(seconds, TimeUnit.SECONDS);
    }

    /** Ends an allocation now (expired, Refresh with lifetime 0, client connection closed). */
    public void end(Allocation allocation, AllocationEnd why) {
        if (!allocation.isClosed()) {
            allocation.close();
            services.quotas().release(allocation.username());
            services.metrics().allocationEnded(why);
            // One line per allocation end, with its traffic: what an operator greps for after a call.
            log.info(
                    "ended {} ({}) after {} s: {} packets / {} B to peers, {} packets / {} B to the client, {} dropped",
                    allocation,
                    why,
                    (now() - allocation.createdAt()) / 1000,
                    allocation.packetsToPeers,
                    allocation.bytesToPeers,
                    allocation.packetsToClient,
                    allocation.bytesToClient,
                    allocation.dropped);
        }
    }

    void sweep() {
        long now = now();
        int kept = 0;
        int permissions = 0;
        int channels = 0;
        for (int i = 0; i < allocations.size(); i++) {
            Allocation a = allocations.get(i);
            // Relayed addresses expire one by one (a dual allocation refreshed for one family).
            if (!a.isClosed() && a.expire(now)) {
                end(a, AllocationEnd.EXPIRED);
            }
            if (!a.isClosed()) {
                a.permissions().expire(now);
                a.channels().expire(now);
                permissions += a.permissions().size();
                channels += a.channels().active(now);
                allocations.set(kept++, a);
            }
        }
        allocations.subList(kept, allocations.size()).clear();
        // The gauges are sums over loops: each loop adds how much its own count moved.
        services.metrics().permissionsAndChannels(permissions - permissionsCounted, channels - channelsCounted);
        permissionsCounted = permissions;
        channelsCounted = channels;
        for (java.util.function.LongConsumer task : sweepers) {
            task.accept(now);
        }
    }

    /** Allocations this loop holds (for tests and metrics). */
    public int allocationCount() {
        return allocations.size();
    }
}
