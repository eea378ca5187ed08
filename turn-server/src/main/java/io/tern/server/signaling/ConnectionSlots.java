package io.tern.server.signaling;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Signaling connections held, in total and per source, against the caps. A source is an IPv4
 * address or an IPv6 /64: one subscriber's IPv6 network is a /64 at least (RFC 6177), and any of
 * its 2^64 addresses is one configuration change away, so counting single IPv6 addresses would
 * cap nothing. Upgrades arrive on every event loop (the operator, web and shared TLS listeners),
 * so this is thread-safe. The per-source map holds only sources with a connection open, so it is
 * bounded by the total cap.
 */
final class ConnectionSlots {
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /** Takes a slot for {@code address}, or says which cap refuses it (then nothing is held). */
    UpgradeRefusal acquire(InetAddress address, int maxTotal, int maxPerAddress) {
        InetAddress source = source(address);
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return UpgradeRefusal.MAX_CONNECTIONS;
        }
        boolean[] taken = {false};
        perAddress.compute(source, (a, n) -> {
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
        perAddress.computeIfPresent(source(address), (a, n) -> n == 1 ? null : n - 1);
        total.decrementAndGet();
    }

    /**
     * What the per-source cap counts {@code address} under: itself for IPv4 (an IPv4-mapped IPv6
     * address is its IPv4 address), its /64 for IPv6.
     */
    static InetAddress source(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] bytes = address.getAddress();
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= bytes[i] == 0;
        }
        mapped &= bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
        try {
            if (mapped) {
                return InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
            }
            Arrays.fill(bytes, 8, 16, (byte) 0);
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
        }
    }
}
