package io.tern.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a successful Allocate (RFC 8656 §7) granted.
 *
 * @param relayedAddress XOR-RELAYED-ADDRESS: where peers send to reach this client
 * @param mappedAddress XOR-MAPPED-ADDRESS: the client's address as the server saw it
 * @param lifetime LIFETIME: how long the allocation lasts unless refreshed
 * @param reservationToken RESERVATION-TOKEN, present when EVEN-PORT asked to reserve the next port:
 *     another Allocate can claim that port with it
 */
public record TurnAllocation(
        InetSocketAddress relayedAddress,
        InetSocketAddress mappedAddress,
        Duration lifetime,
        OptionalLong reservationToken) {
    public TurnAllocation {
        Objects.requireNonNull(relayedAddress, "relayedAddress");
        Objects.requireNonNull(mappedAddress, "mappedAddress");
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(reservationToken, "reservationToken");
    }
}
