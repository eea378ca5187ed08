package io.tern.server.turn;

import java.net.InetSocketAddress;

/**
 * Where the allocations of one client-facing socket live, keyed by the client's address: together
 * with the socket this is the 5-tuple that names an allocation (RFC 8656 §2). A UDP listener holds
 * a map of them; a TCP connection holds at most one.
 */
public interface AllocationHome {
    Allocation find(InetSocketAddress client);

    void put(InetSocketAddress client, Allocation allocation);

    void remove(InetSocketAddress client, Allocation allocation);

    /** The allocations of a UDP listening socket: one per client address. */
    static AllocationHome map() {
        java.util.Map<InetSocketAddress, Allocation> byClient = new java.util.HashMap<>();
        return new AllocationHome() {
            @Override
            public Allocation find(InetSocketAddress client) {
                return byClient.get(client);
            }

            @Override
            public void put(InetSocketAddress client, Allocation allocation) {
                byClient.put(client, allocation);
            }

            @Override
            public void remove(InetSocketAddress client, Allocation allocation) {
                byClient.remove(client, allocation);
            }
        };
    }

    /** The allocation of a stream connection: the connection is the 5-tuple. */
    static AllocationHome single() {
        return new AllocationHome() {
            private Allocation only;

            @Override
            public Allocation find(InetSocketAddress client) {
                return only;
            }

            @Override
            public void put(InetSocketAddress client, Allocation allocation) {
                only = allocation;
            }

            @Override
            public void remove(InetSocketAddress client, Allocation allocation) {
                if (only == allocation) {
                    only = null;
                }
            }
        };
    }
}
