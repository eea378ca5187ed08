package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.tern.server.auth.AuthResult;
import io.tern.server.auth.Authenticator;
import io.tern.server.metrics.DropReason;
import io.tern.server.policy.ChallengeLimiter;
import io.tern.server.stun.Responder;
import io.tern.server.transport.Exchange;
import io.tern.server.udp.UdpEndpoint;
import io.tern.server.udp.UdpSource;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.attr.AddressFamily;
import io.tern.stun.attr.AttributeCodec;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import java.net.InetSocketAddress;

/**
 * The steps every TURN request handler shares, in RFC 8656 order: authenticate (400/401/438), find
 * the allocation of the 5-tuple (437), check it is the same user's (441); and answering, signed
 * with the key the request was authenticated with.
 */
final class TurnRequests {
    /** Unauthenticated answers per source IP: 10 a second sustained, bursts of 20. */
    static final int CHALLENGES_PER_SECOND = 10;

    static final int CHALLENGE_BURST = 20;

    private final RelayLoop loop;
    private final Authenticator authenticator;
    private final Responder responder;
    private final TransactionCache answered = new TransactionCache();
    private final ChallengeLimiter challenges =
            new ChallengeLimiter(CHALLENGES_PER_SECOND, CHALLENGE_BURST, new java.security.SecureRandom().nextInt());

    TurnRequests(RelayLoop loop, Authenticator authenticator, Responder responder) {
        this.loop = loop;
        this.authenticator = authenticator;
        this.responder = responder;
        loop.onSweep(answered::expire);
    }

    RelayLoop loop() {
        return loop;
    }

    /**
     * The first step of every TURN request: a retransmission gets its earlier answer again;
     * anything else is authenticated. Returns null when the request has been dealt with (replayed,
     * refused, or dropped by the per-source limit on unauthenticated answers).
     */
    AuthResult authenticate(Exchange exchange, StunReader request) {
        long now = loop.now();
        byte[] earlier = answered.find(exchange.remote(), request.transactionIdHigh(), request.transactionIdLow(), now);
        if (earlier != null) {
            exchange.reply(exchange.allocate(earlier.length).writeBytes(earlier));
            return null;
        }
        long wallClock = System.currentTimeMillis();
        AuthResult result =
                authenticator.authenticate(request, exchange.remote().getAddress(), wallClock);
        if (result.ok()) {
            return result;
        }
        loop.metrics().authFailed(result.outcome());
        // Only plain UDP can be spoofed to reflect at a victim; a stream's or DTLS session's source
        // is real, and a dropped answer on a stream would hang the client (TCP has no retransmits).
        if (exchange.transport().isSpoofable()
                && !challenges.tryAcquire(exchange.remote().getAddress(), now)) {
            loop.metrics().dropped(DropReason.UNAUTHENTICATED_LIMIT);
            return null;
        }
        StunWriter w = responder.error(exchange, request, result.code(), result.reason());
        if (result.challenge()) {
            authenticator.writeChallenge(w, exchange.remote().getAddress(), wallClock);
        }
        responder.send(exchange, request);
        return null;
    }

    /** The allocation of the request's 5-tuple; answers 437 or 441 and returns null otherwise. */
    Allocation allocation(Exchange exchange, StunReader request, AuthResult auth) {
        Allocation a = exchange.allocation();
        if (a == null || a.isClosed()) {
            error(exchange, request, auth, 437, "Allocation Mismatch");
            return null;
        }
        if (!a.username().equals(auth.username())) {
            // RFC 8656 §7.3: only the user who made the allocation may use it.
            error(exchange, request, auth, 441, "Wrong Credentials");
            return null;
        }
        return a;
    }

    /** A success response to fill; finish with {@link #send}. */
    StunWriter success(Exchange exchange, StunReader request) {
        return responder.success(exchange, request);
    }

    /** Finishes a response to an authenticated request: signed, then FINGERPRINT. */
    void send(Exchange exchange, StunReader request, AuthResult auth) {
        ByteBuf response = responder.finish(request, w -> authenticator.signResponse(w, auth));
        answered.remember(
                exchange.remote(), request.transactionIdHigh(), request.transactionIdLow(), response, loop.now());
        exchange.reply(response);
    }

    /** An error answer to an authenticated request, signed like a success would be. */
    void error(Exchange exchange, StunReader request, AuthResult auth, int code, String reason) {
        responder.error(exchange, request, code, reason);
        send(exchange, request, auth);
    }

    /** 300 Try Alternate with ALTERNATE-SERVER (RFC 8489 §14.15), signed. */
    void tryAlternate(Exchange exchange, StunReader request, AuthResult auth, InetSocketAddress alternate) {
        responder.error(exchange, request, 300, "Try Alternate").address(AttributeType.ALTERNATE_SERVER, alternate);
        send(exchange, request, auth);
    }

    /** 420 naming an attribute Tern knows but cannot honour (DONT-FRAGMENT). */
    void unknownAttribute(Exchange exchange, StunReader request, AuthResult auth, int type) {
        responder.error(exchange, request, 420, "Unknown Attribute").unknownAttributes(new int[] {type}, 1);
        send(exchange, request, auth);
    }

    /** 400 Bad Request with the reason, signed like every answer to an authenticated request. */
    void badRequest(Exchange exchange, StunReader request, AuthResult auth, String reason) {
        error(exchange, request, auth, 400, reason);
    }

    /** Decodes XOR-PEER-ADDRESS number {@code i} of the message; null when malformed. */
    static InetSocketAddress peerAddress(StunReader request, int i) {
        try {
            return ((StunAttribute.Address) AttributeCodec.decode(request, i)).address();
        } catch (io.tern.stun.StunParseException e) {
            return null;
        }
    }

    /**
     * Reads XOR-PEER-ADDRESS number {@code i} into {@code out} without building objects (RFC 8489
     * §14.2: the port XORed with the cookie's high 16 bits, an IPv4 address with the cookie, an
     * IPv6 address with the cookie and the transaction id); false when it is malformed.
     *
     * <pre>
     *  0        8       16               32
     *  | 0x00   | family | X-Port          |
     *  | X-Address (32 bits or 128 bits)   |
     * </pre>
     */
    static boolean readPeer(StunReader message, int i, UdpSource out) {
        ByteBuf b = message.buffer();
        int at = message.valueOffset(i);
        int length = message.valueLength(i);
        if (length != 8 && length != 20) {
            return false;
        }
        int family = b.getUnsignedByte(at + 1);
        int port = b.getUnsignedShort(at + 2) ^ (StunReader.MAGIC_COOKIE >>> 16);
        if (family == AddressFamily.IPV4 && length == 8) {
            out.set(0, UdpEndpoint.mappedIpv4(b.getInt(at + 4) ^ StunReader.MAGIC_COOKIE), port);
            return true;
        }
        if (family == AddressFamily.IPV6 && length == 20) {
            long txHigh = message.transactionIdHigh();
            long hi = b.getLong(at + 4) ^ (((long) StunReader.MAGIC_COOKIE << 32) | (txHigh >>> 32));
            long lo = b.getLong(at + 12) ^ ((txHigh << 32) | (message.transactionIdLow() & 0xFFFFFFFFL));
            out.set(hi, lo, port);
            return true;
        }
        return false;
    }

    /** The first XOR-PEER-ADDRESS, or null when absent or malformed. */
    static InetSocketAddress firstPeer(StunReader request) {
        int i = request.indexOf(AttributeType.XOR_PEER_ADDRESS);
        return i < 0 ? null : peerAddress(request, i);
    }
}
