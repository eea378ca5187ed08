package io.tern.server.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tern.server.metrics.Rfc5780Answer;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.transport.ClientTransport;
import io.tern.server.transport.Exchange;
import io.tern.server.udp.UdpAddress;
import io.tern.server.udp.UdpSocket;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.attr.AttributeType;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * Binding (RFC 8489 §7.3.1): tells the client the address it was seen from. RFC 3489 clients,
 * which send no magic cookie, get MAPPED-ADDRESS instead of XOR-MAPPED-ADDRESS (RFC 8489 §12).
 *
 * <p>With RFC 5780 on ({@code --rfc5780}) and a request over UDP to one of its {@link
 * Rfc5780Sockets}, the answer also carries MAPPED-ADDRESS, RESPONSE-ORIGIN and OTHER-ADDRESS (RFC
 * 5780 §6.1), and honours the request attributes of RFC 5780 §7:
 *
 * <ul>
 *   <li>CHANGE-REQUEST: answered from the other IP, the other port, or both (§7.2);
 *   <li>RESPONSE-PORT: answered to that port of the client's IP (§7.5); never to another IP;
 *   <li>PADDING: the answer is padded (§7.6) up to the size of the request, at most a 1500-byte
 *       packet, so padding never makes an answer larger than its request.
 * </ul>
 *
 * Elsewhere (RFC 5780 off, TCP and TLS, a listening address without an alternate) those three
 * request attributes get 420 listing them: RFC 5780 §6.1 requires 420 for CHANGE-REQUEST from a
 * server without an alternate address, and RFC 8489 §7.3.1 requires it for any comprehension-required
 * attribute the server does not act on, which RESPONSE-PORT and PADDING then are.
 */
public final class BindingHandler implements MethodHandler {
    private static final int CHANGE_IP = 0x4;
    private static final int CHANGE_PORT = 0x2;

    /** The largest padded answer: a 1500-byte packet less its IPv4 or IPv6 and UDP headers. */
    static final int MAX_PADDED_IPV4 = 1500 - 20 - 8;

    static final int MAX_PADDED_IPV6 = 1500 - 40 - 8;

    /** PADDING's content: zeros, shared read-only by every loop. */
    private static final ByteBuf ZEROS = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(new byte[MAX_PADDED_IPV4]).asReadOnly());

    private final Responder responder;
    private final Rfc5780Sockets rfc5780;
    private final ServerMetrics metrics;
    private final int[] refused = new int[3];

    /**
     * @param rfc5780 the sockets RFC 5780 answers from, or null when it is off
     */
    public BindingHandler(Responder responder, Rfc5780Sockets rfc5780, ServerMetrics metrics) {
        this.responder = responder;
        this.rfc5780 = rfc5780;
        this.metrics = metrics;
    }

    @Override
    public void handle(Exchange exchange, StunReader request) {
        int change = request.indexOf(AttributeType.CHANGE_REQUEST);
        int responsePort = request.indexOf(AttributeType.RESPONSE_PORT);
        int padding = request.indexOf(AttributeType.PADDING);
        Rfc5780Sockets.Entry here =
                rfc5780 != null && exchange.transport() == ClientTransport.UDP ? rfc5780.find(exchange.local()) : null;
        if (here == null) {
            if (!refuse(exchange, request, change, responsePort, padding)) {
                plain(exchange, request);
            }
            return;
        }
        int flags = 0;
        if (change >= 0) {
            if (request.valueLength(change) != 4) {
                responder.sendError(exchange, request, 400, "CHANGE-REQUEST must be 4 bytes");
                return;
            }
            flags = request.buffer().getInt(request.valueOffset(change));
        }
        InetSocketAddress client = exchange.remote();
        int port = client.getPort();
        if (responsePort >= 0) {
            port = request.valueLength(responsePort) == 4
                    ? request.buffer().getUnsignedShort(request.valueOffset(responsePort))
                    : 0;
            if (port == 0) {
                responder.sendError(exchange, request, 400, "RESPONSE-PORT must be 4 bytes with a port");
                return;
            }
            if (padding >= 0) {
                // RFC 5780 §6.1: a padded answer to another port is refused outright.
                responder.sendError(exchange, request, 400, "PADDING with RESPONSE-PORT");
                return;
            }
        }
        Rfc5780Sockets.Entry from = here;
        if ((flags & (CHANGE_IP | CHANGE_PORT)) != 0) {
            from = rfc5780.find(
                    (flags & CHANGE_IP) != 0
                            ? here.other().getAddress()
                            : here.local().getAddress(),
                    (flags & CHANGE_PORT) != 0
                            ? here.other().getPort()
                            : here.local().getPort());
        }
        StunWriter w = responder.success(exchange, request);
        if (!request.isRfc3489()) {
            w.address(AttributeType.XOR_MAPPED_ADDRESS, client);
        }
        // RFC 5780 §6.1: both, so a client can tell an ALG that rewrites MAPPED-ADDRESS.
        w.address(AttributeType.MAPPED_ADDRESS, client)
                .address(AttributeType.RESPONSE_ORIGIN, from.local())
                .address(AttributeType.OTHER_ADDRESS, here.other());
        if (padding >= 0) {
            int limit = client.getAddress() instanceof Inet4Address ? MAX_PADDED_IPV4 : MAX_PADDED_IPV6;
            int target = Math.min(request.totalLength(), limit);
            int length = Math.max(0, (target - w.length() - 4 - responder.trailerLength(request)) & ~3);
            w.attribute(AttributeType.PADDING, ZEROS, 0, length);
            metrics.rfc5780Answered(Rfc5780Answer.PADDED);
        }
        ByteBuf answer = responder.finish(request, null);
        if (from == here && port == client.getPort()) {
            exchange.reply(answer);
            return;
        }
        if (from != here) {
            metrics.rfc5780Answered(Rfc5780Answer.CHANGED_SOURCE);
        }
        InetSocketAddress to = client;
        if (port != client.getPort()) {
            metrics.rfc5780Answered(Rfc5780Answer.RESPONSE_PORT);
            to = new InetSocketAddress(client.getAddress(), port);
        }
        // Rare (NAT discovery runs a handful of these per client), so flushed at once.
        UdpSocket socket = Rfc5780Sockets.socketOn(from, exchange.eventLoop());
        try {
            socket.send(answer, answer.readerIndex(), answer.readableBytes(), UdpAddress.of(to));
            socket.flush();
        } finally {
            answer.release();
        }
    }

    private void plain(Exchange exchange, StunReader request) {
        int type = request.isRfc3489() ? AttributeType.MAPPED_ADDRESS : AttributeType.XOR_MAPPED_ADDRESS;
        responder.success(exchange, request).address(type, exchange.remote());
        responder.send(exchange, request);
    }

    /** 420 naming the RFC 5780 request attributes present; false when there are none. */
    private boolean refuse(Exchange exchange, StunReader request, int change, int responsePort, int padding) {
        int n = 0;
        if (change >= 0) {
            refused[n++] = AttributeType.CHANGE_REQUEST;
        }
        if (responsePort >= 0) {
            refused[n++] = AttributeType.RESPONSE_PORT;
        }
        if (padding >= 0) {
            refused[n++] = AttributeType.PADDING;
        }
        if (n == 0) {
            return false;
        }
        responder.error(exchange, request, 420, "Unknown Attribute").unknownAttributes(refused, n);
        responder.send(exchange, request);
        return true;
    }
}
