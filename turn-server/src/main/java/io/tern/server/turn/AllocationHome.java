package io.tern.server.turn;

import io.tern.server.udp.AddressTable;
import io.tern.server.udp.UdpAddress;
import io.tern.server.udp.UdpEndpoint;

/**
 * Where the allocations of one client-facing socket live, keyed by the client's address: together
 * with the socket this is the 5-tuple that names an allocation (RFC 8656 §2). A UDP or DTLS
 * listener holds a table of them; a TCP connection holds at most one.
 */
public interface AllocationHome {
    /** The allocation of {@code client}, or null. Allocates nothing. */
    Allocation find(UdpEndpoint client);

    void put(UdpAddress client, Allocation allocation);

    void remove(UdpAddress client, Allocation allocation);

    /** The allocations of a datagram listening socket: one per client address. */
    static AllocationHome map() {
        AddressTable<Allocation> byClient = new AddressTable<>();
        return new AllocationHome() {
            @Override
            public Allocation find(UdpEndpoint client) {
                return byClient.get(client);
            }

            @Override
            public void put(UdpAddress client, Allocation allocation) {
                byClient.put(client, allocation);
            }

            @Override
            public void remove(UdpAddress client, Allocation allocation) {
                byClient.remove(client, allocation);
            }
        };
    }

    /** The allocation of a stream connection: the connection is the 5-tuple. */
    static AllocationHome single() {
        return new AllocationHome() {
            private Allocation only;

            @Override
            public Allocation find(UdpEndpoint client) {
                return only;
            }

            @Override
            public void put(UdpAddress client, Allocation allocation) {
                only = allocation;
            }

            @Override
            public void remove(UdpAddress client, Allocation allocation) {
                if (only == allocation) {
                    only = null;
                }
            }
        };
    }
}
