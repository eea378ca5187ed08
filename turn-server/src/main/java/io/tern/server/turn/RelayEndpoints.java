package io.tern.server.turn;

import io.tern.server.config.ConfigException;
import io.tern.server.config.TurnConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works out the relay endpoints from {@code relay-ip}, {@code external-ip} and the listening
 * addresses, as coturn does: explicit relay IPs first; else the specific listening IPs; else the
 * host's first usable IPv4 and IPv6 addresses.
 */
public final class RelayEndpoints {
    private static final Logger log = LoggerFactory.getLogger(RelayEndpoints.class);

    private RelayEndpoints() {}

    public static List<RelayEndpoint> resolve(TurnConfig config, List<InetAddress> listeningIps) {
        List<InetAddress> binds = new ArrayList<>(config.relayIps());
        if (binds.isEmpty()) {
            for (InetAddress ip : listeningIps) {
                if (!ip.isAnyLocalAddress()) {
                    binds.add(ip);
                }
            }
        }
        if (binds.isEmpty()) {
            binds.addAll(hostAddresses());
        }
        if (binds.isEmpty()) {
            binds.add(InetAddress.getLoopbackAddress());
            log.warn("no usable interface address found: relaying on loopback only; set --relay-ip");
        }
        Map<InetAddress, InetAddress> external = externalMap(config.externalIps(), binds);
        List<RelayEndpoint> endpoints = new ArrayList<>();
        for (InetAddress bind : binds) {
            RelayPorts ports = new RelayPorts(config.minPort(), config.maxPort());
            endpoints.add(new RelayEndpoint(bind, external.getOrDefault(bind, bind), ports));
        }
        return endpoints;
    }

    /**
     * coturn's {@code external-ip}: {@code PUBLIC} (for the only relay IP, or every one of its
     * family) or {@code PUBLIC/PRIVATE} (for the relay IP PRIVATE).
     */
    static Map<InetAddress, InetAddress> externalMap(List<String> specs, List<InetAddress> binds) {
        Map<InetAddress, InetAddress> map = new LinkedHashMap<>();
        for (String spec : specs) {
            String[] parts = spec.split("/", -1);
            if (parts.length > 2) {
                throw new ConfigException(
                        "external-ip", spec, "use PUBLIC or PUBLIC/PRIVATE, e.g. 203.0.113.7/10.0.0.7");
            }
            InetAddress publicIp = literal(parts[0], spec);
            if (parts.length == 2) {
                InetAddress privateIp = literal(parts[1], spec);
                if (!binds.contains(privateIp)) {
                    throw new ConfigException(
                            "external-ip", spec, "PRIVATE must be one of the relay IPs " + describe(binds));
                }
                map.put(privateIp, publicIp);
            } else {
                for (InetAddress bind : binds) {
                    if ((bind instanceof Inet4Address) == (publicIp instanceof Inet4Address)) {
                        map.putIfAbsent(bind, publicIp);
                    }
                }
            }
        }
        return map;
    }

    private static InetAddress literal(String text, String spec) {
        if (!text.matches("[0-9a-fA-F:.]+")) {
            throw new ConfigException("external-ip", spec, "give IP address literals, e.g. 203.0.113.7/10.0.0.7");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new ConfigException("external-ip", spec, "give IP address literals, e.g. 203.0.113.7/10.0.0.7");
        }
    }

    private static String describe(List<InetAddress> ips) {
        return ips.stream().map(InetAddress::getHostAddress).toList().toString();
    }

    /** The first up, non-loopback, non-link-local IPv4 and IPv6 address of the host. */
    private static List<InetAddress> hostAddresses() {
        InetAddress v4 = null;
        InetAddress v6 = null;
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a.isLinkLocalAddress() || a.isLoopbackAddress()) {
                        continue;
                    }
                    if (v4 == null && a instanceof Inet4Address) {
                        v4 = a;
                    } else if (v6 == null && a instanceof Inet6Address) {
                        v6 = a;
                    }
                }
            }
        } catch (SocketException e) {
            log.warn("cannot list network interfaces: {}", e.toString());
        }
        List<InetAddress> out = new ArrayList<>();
        if (v4 != null) {
            out.add(v4);
        }
        if (v6 != null) {
            out.add(((Inet6Address) v6).getScopedInterface() == null ? v6 : stripScope(v6));
        }
        return out;
    }

    private static InetAddress stripScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
