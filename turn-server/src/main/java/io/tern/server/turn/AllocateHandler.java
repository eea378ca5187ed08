package io.tern.server.turn;

import io.tern.server.auth.AuthResult;
import io.tern.server.stun.MethodHandler;
import io.tern.server.transport.Exchange;
import io.tern.server.udp.UdpOptions;
import io.tern.server.udp.UdpSocket;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AddressFamily;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute.RequestedTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocate (RFC 8656 §7.2): creates a relay socket for the client's 5-tuple.
 *
 * <p>The checks run in the RFC's order, each with its error: 401/438 (authentication), 437 (the
 * 5-tuple already has an allocation, unless this is a retransmission of the request that made it),
 * 400 (REQUESTED-TRANSPORT missing, or attributes that exclude each other), 442 (not UDP), 420
 * (DONT-FRAGMENT, which Tern cannot honour), 440 (an address family without a relay), 486 (user
 * quota), 508 (total quota, no free port, unknown reservation).
 *
 * <p>Dual allocation (RFC 8656 §7.2): ADDITIONAL-ADDRESS-FAMILY (IPv6) asks for an IPv6 relayed
 * address besides the IPv4 one. The answer then lists two XOR-RELAYED-ADDRESS (IPv4 first), or the
 * IPv4 one and ADDRESS-ERROR-CODE (family IPv6, 440 without an IPv6 relay IP, 508 without a free
 * port). Both relay sockets are bound on the client's event loop, like a single one.
 *
 * <p>TCP allocations (RFC 6062 §5.1, unless {@code no-tcp-relay}): REQUESTED-TRANSPORT TCP over a
 * TCP or TLS connection gets a listening socket on the relayed address ({@link TcpRelay}); Connect
 * and ConnectionBind then make peer connections.
 */
final class AllocateHandler implements MethodHandler {
    private static final Logger log = LoggerFactory.getLogger(AllocateHandler.class);

    /** RFC 8656 §7.2: a port held for a RESERVATION-TOKEN is kept about 30 seconds. */
    static final long RESERVATION_SECONDS = 30;

    /** Ports tried before answering 508 when binding fails (a port taken outside Tern). */
    static final int BIND_ATTEMPTS = 4;

    /** How long a port another program held stays out of rotation. */
    static final long BUSY_PORT_SECONDS = 60;

    /**
     * ADDITIONAL-ADDRESS-FAMILY under the code of the TURN-bis drafts before RFC 8656 (which gave
     * it 0x8000), still sent by coturn's clients ({@code turnutils_uclient -Z}). Taken as the RFC
     * attribute; comprehension-optional, so a server that ignores it just allocates IPv4.
     */
    static final int DRAFT_ADDITIONAL_ADDRESS_FAMILY = 0x8032;

    private static final SecureRandom TOKENS = new SecureRandom();

    private final TurnRequests turn;
    private final RelayLoop loop;
    private final TurnServices services;

    AllocateHandler(TurnRequests turn) {
        this.turn = turn;
        this.loop = turn.loop();
        this.services = loop.services();
    }

    @Override
    public void handle(Exchange exchange, StunReader request) {
        AuthResult auth = turn.authenticate(exchange, request);
        if (auth == null) {
            return;
        }
        Allocation existing = exchange.allocation();
        if (existing != null && !existing.isClosed()) {
            TransactionId first = existing.allocateTransaction();
            if (first.high() == request.transactionIdHigh() && first.low() == request.transactionIdLow()) {
                respond(exchange, request, auth, existing, false, 0); // a retransmission gets the same answer
            } else {
                turn.error(exchange, request, auth, 437, "Allocation Mismatch");
            }
            return;
        }
        if (services.isDraining()) {
            // RFC 8489 §10 / RFC 8656 §7.2: while draining, point new allocations elsewhere.
            java.net.InetSocketAddress alternate = services.nextAlternate();
            if (alternate == null) {
                turn.error(exchange, request, auth, 508, "Insufficient Capacity");
            } else {
                turn.tryAlternate(exchange, request, auth, alternate);
            }
            return;
        }
        long transport = request.u32(AttributeType.REQUESTED_TRANSPORT);
        if (transport < 0) {
            turn.badRequest(exchange, request, auth, "REQUESTED-TRANSPORT missing");
            return;
        }
        boolean tcp = (transport >>> 24) == RequestedTransport.TCP;
        if ((transport >>> 24) != RequestedTransport.UDP
                && !(tcp && services.config().tcpRelay())) {
            turn.error(exchange, request, auth, 442, "Unsupported Transport Protocol");
            return;
        }
        if (tcp
                && (exchange.transport().isDatagram()
                        || request.has(AttributeType.EVEN_PORT)
                        || request.has(AttributeType.RESERVATION_TOKEN)
                        || request.has(AttributeType.ADDITIONAL_ADDRESS_FAMILY)
                        || request.has(DRAFT_ADDITIONAL_ADDRESS_FAMILY))) {
            // RFC 6062 §5.1: a TCP relay is asked for over TCP or TLS, and one port of one family.
            turn.badRequest(
                    exchange,
                    request,
                    auth,
                    "REQUESTED-TRANSPORT TCP needs a TCP or TLS connection and excludes EVEN-PORT,"
                            + " RESERVATION-TOKEN and ADDITIONAL-ADDRESS-FAMILY");
            return;
        }
        if (request.has(AttributeType.DONT_FRAGMENT)) {
            // RFC 8656 §7.2: a server that cannot set DF treats DONT-FRAGMENT as unknown.
            turn.unknownAttribute(exchange, request, auth, AttributeType.DONT_FRAGMENT);
            return;
        }
        boolean hasToken = request.has(AttributeType.RESERVATION_TOKEN);
        boolean hasEvenPort = request.has(AttributeType.EVEN_PORT);
        boolean hasFamily = request.has(AttributeType.REQUESTED_ADDRESS_FAMILY);
        int additionalType = request.has(AttributeType.ADDITIONAL_ADDRESS_FAMILY)
                ? AttributeType.ADDITIONAL_ADDRESS_FAMILY
                : DRAFT_ADDITIONAL_ADDRESS_FAMILY;
        boolean dual = request.has(additionalType);
        if (hasToken && (hasEvenPort || hasFamily || dual)) {
            // RFC 8656 §7.2: a reserved port is one port of one family; nothing may go with it.
            turn.badRequest(
                    exchange,
                    request,
                    auth,
                    "RESERVATION-TOKEN excludes EVEN-PORT, REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY");
            return;
        }
        if (dual) {
            // RFC 8656 §7.2: it may only ask for IPv6 in addition to the default IPv4, and may not
            // come with REQUESTED-ADDRESS-FAMILY.
            long additional = request.u32(additionalType) >>> 24;
            if (hasFamily || additional != AddressFamily.IPV6) {
                turn.badRequest(exchange, request, auth, "ADDITIONAL-ADDRESS-FAMILY must be IPv6, alone");
                return;
            }
        }
        int family = AddressFamily.IPV4;
        if (hasFamily) {
            family = (int) (request.u32(AttributeType.REQUESTED_ADDRESS_FAMILY) >>> 24);
        }
        // RFC 8656 §7.2: IPv4 is the default family, also of a dual allocation; without it, 440.
        RelayEndpoint endpoint = services.relayFor(family);
        if ((family != AddressFamily.IPV4 && family != AddressFamily.IPV6) || endpoint == null) {
            turn.error(exchange, request, auth, 440, "Address Family not Supported");
            return;
        }
        boolean evenPort = false;
        boolean reserveNext = false;
        if (hasEvenPort) {
            int i = request.indexOf(AttributeType.EVEN_PORT);
            if (request.valueLength(i) != 1) {
                turn.badRequest(exchange, request, auth, "EVEN-PORT must be one byte");
                return;
            }
            evenPort = true;
            reserveNext = (request.buffer().getByte(request.valueOffset(i)) & 0x80) != 0;
        }
        long reservation = -1;
        if (hasToken) {
            int i = request.indexOf(AttributeType.RESERVATION_TOKEN);
            if (request.valueLength(i) != 8) {
                turn.badRequest(exchange, request, auth, "RESERVATION-TOKEN must be 8 bytes");
                return;
            }
            reservation = request.buffer().getLong(request.valueOffset(i));
        }

        switch (services.quotas().tryAcquire(auth.username())) {
            case USER_QUOTA -> {
                turn.error(exchange, request, auth, 486, "Allocation Quota Reached");
                return;
            }
            case TOTAL_QUOTA -> {
                turn.error(exchange, request, auth, 508, "Insufficient Capacity");
                return;
            }
            case OK -> {}
        }
        RelayPorts ports = endpoint.ports();
        long newToken = TOKENS.nextLong();
        RelaySocket relay = null;
        TcpRelay tcpRelay = null;
        for (int attempt = 0; tcp && attempt < BIND_ATTEMPTS && relay == null; attempt++) {
            int port = ports.acquire();
            if (port < 0) {
                break;
            }
            tcpRelay = TcpRelay.listen(loop, exchange.eventLoop(), new InetSocketAddress(endpoint.bindAddress(), port));
            if (tcpRelay == null) {
                busy(exchange, ports, port);
            } else {
                relay = RelaySocket.tcp(
                        tcpRelay.listener(),
                        new InetSocketAddress(endpoint.advertisedAddress(), port),
                        () -> ports.release(port));
            }
        }
        for (int attempt = 0; !tcp && attempt < BIND_ATTEMPTS && relay == null; attempt++) {
            int port;
            if (hasToken) {
                port = ports.claimReservation(reservation);
            } else if (reserveNext) {
                port = ports.acquireEvenPair(newToken);
            } else if (evenPort) {
                port = ports.acquireEven();
            } else {
                port = ports.acquire();
            }
            if (port < 0) {
                break;
            }
            relay = open(exchange, endpoint, port);
            if (relay == null) {
                busy(exchange, ports, port);
                if (reserveNext) {
                    ports.dropReservation(newToken);
                }
                if (hasToken) {
                    break; // a reserved port has no substitute
                }
            }
        }
        if (relay == null) {
            services.quotas().release(auth.username());
            turn.error(exchange, request, auth, 508, "Insufficient Capacity");
            return;
        }
        if (reserveNext) {
            exchange.eventLoop().schedule(() -> ports.dropReservation(newToken), RESERVATION_SECONDS, TimeUnit.SECONDS);
        }
        // RFC 8656 §7.2: a dual allocation that cannot have its IPv6 half still succeeds with IPv4,
        // and says why in ADDRESS-ERROR-CODE: 440 without an IPv6 relay, 508 without a free port.
        RelaySocket second = null;
        int ipv6Refused = 0;
        if (dual) {
            RelayEndpoint ipv6 = services.relayFor(AddressFamily.IPV6);
            second = ipv6 == null ? null : openAny(exchange, ipv6, evenPort);
            ipv6Refused = ipv6 == null ? 440 : second == null ? 508 : 0;
        }
        long now = loop.now();
        long lifetime = services.grantedLifetimeSeconds(request.u32(AttributeType.LIFETIME));
        boolean ipv4 = family == AddressFamily.IPV4;
        Allocation allocation = new Allocation(
                exchange.clientPath(),
                exchange.home(),
                auth.username(),
                ipv4 ? relay : null,
                ipv4 ? second : relay,
                ipv6Refused,
                request.transactionId(),
                services.config().maxBps(),
                now,
                now + lifetime * 1000);
        if (tcpRelay != null) {
            allocation.attachTcp(tcpRelay);
        }
        exchange.home().put(allocation.client().address(), allocation);
        loop.adopt(allocation, exchange.eventLoop());
        services.metrics().allocationStarted();
        log.info("allocated {}", allocation);
        respond(exchange, request, auth, allocation, reserveNext, newToken);
    }

    /** A port another program holds stays out of rotation for a while. */
    private static void busy(Exchange exchange, RelayPorts ports, int port) {
        exchange.eventLoop().schedule(() -> ports.release(port), BUSY_PORT_SECONDS, TimeUnit.SECONDS);
    }

    /** A relay socket on any free (or even) port of the endpoint; null when none can be bound. */
    private RelaySocket openAny(Exchange exchange, RelayEndpoint endpoint, boolean even) {
        RelayPorts ports = endpoint.ports();
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            int port = even ? ports.acquireEven() : ports.acquire();
            if (port < 0) {
                return null;
            }
            RelaySocket relay = open(exchange, endpoint, port);
            if (relay != null) {
                return relay;
            }
            busy(exchange, ports, port);
        }
        return null;
    }

    /**
     * Binds a relay socket on the client's event loop. Opening it there completes at once, so the
     * answer can be written while the request is still at hand. Null when the port cannot be bound.
     */
    private RelaySocket open(Exchange exchange, RelayEndpoint endpoint, int port) {
        PeerHandler peers = new PeerHandler(loop);
        UdpSocket udp;
        try {
            udp = services.io()
                    .openUdp(
                            exchange.eventLoop(),
                            new InetSocketAddress(endpoint.bindAddress(), port),
                            UdpOptions.RELAY,
                            peers);
        } catch (IOException e) {
            log.warn(
                    "cannot open relay socket {}:{}: {}", endpoint.bindAddress().getHostAddress(), port, e.toString());
            return null;
        }
        RelayPorts ports = endpoint.ports();
        return RelaySocket.udp(
                udp, peers, new InetSocketAddress(endpoint.advertisedAddress(), port), () -> ports.release(port));
    }

    private void respond(
            Exchange exchange, StunReader request, AuthResult auth, Allocation a, boolean reserved, long token) {
        // Rounded up: the lifetime granted a moment ago must read as granted, not one second less.
        long remaining = Math.max(0, (a.expiresAt() - loop.now() + 999) / 1000);
        StunWriter w = turn.success(exchange, request);
        for (RelaySocket r : a.relays()) {
            w.address(AttributeType.XOR_RELAYED_ADDRESS, r.relayedAddress());
        }
        if (a.ipv6Refused() != 0) {
            w.addressErrorCode(
                    AddressFamily.IPV6,
                    a.ipv6Refused(),
                    a.ipv6Refused() == 440 ? "Address Family not Supported" : "Insufficient Capacity");
        }
        w.u32(AttributeType.LIFETIME, (int) remaining);
        if (reserved) {
            w.u64(AttributeType.RESERVATION_TOKEN, token);
        }
        w.address(AttributeType.XOR_MAPPED_ADDRESS, exchange.remote());
        turn.send(exchange, request, auth);
    }
}
