package io.tern.server.turn;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * One relay IP: where relay sockets bind, what address clients are told (different behind 1:1
 * NAT, coturn's {@code external-ip=public/private}), and its port range.
 */
public record RelayEndpoint(InetAddress bindAddress, InetAddress advertisedAddress, RelayPorts ports) {
    public boolean isIpv4() {
        return bindAddress instanceof Inet4Address;
    }
}
