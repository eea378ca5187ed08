package io.tern.server.stun;

import io.netty.buffer.ByteBuf;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.transport.Exchange;
import io.tern.stun.StunClass;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.attr.AttributeType;

/**
 * Writes responses the way every handler must: same transaction id, SOFTWARE when configured, and
 * FINGERPRINT last (except to RFC 3489 clients, who would not understand it). One per event loop
 * thread, like the writer it holds.
 */
public final class Responder {
    private static final int INITIAL_CAPACITY = 128;

    private final StunWriter writer = new StunWriter();
    private final String software;
    private final int softwareBytes;
    private final ServerMetrics metrics;
    /** The ERROR-CODE of the response being written; 0 for a success response. */
    private int code;

    public Responder(String software, ServerMetrics metrics) {
        this.software = software;
        this.softwareBytes = software.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        this.metrics = metrics;
    }

    /** Starts a success response; add attributes to the returned writer, then call {@link #send}. */
    public StunWriter success(Exchange exchange, StunReader request) {
        code = 0;
        return writer.beginResponse(exchange.allocate(INITIAL_CAPACITY), StunClass.SUCCESS_RESPONSE, request);
    }

    /** Starts an error response with ERROR-CODE; add attributes if needed, then {@link #send}. */
    public StunWriter error(Exchange exchange, StunReader request, int code, String reason) {
        this.code = code;
        return writer.beginResponse(exchange.allocate(INITIAL_CAPACITY), StunClass.ERROR_RESPONSE, request)
                .errorCode(code, reason);
    }

    /** Adds MESSAGE-INTEGRITY(-SHA256) to a response; SOFTWARE must precede it to be covered. */
    @FunctionalInterface
    public interface Signer {
        void sign(StunWriter writer);
    }

    /** Finishes the message begun by {@link #success} or {@link #error} and queues it. */
    public void send(Exchange exchange, StunReader request) {
        send(exchange, request, null);
    }

    /**
     * Finishes and queues a response to an authenticated request: SOFTWARE, then the integrity
     * the signer adds, then FINGERPRINT.
     */
    public void send(Exchange exchange, StunReader request, Signer signer) {
        exchange.reply(finish(request, signer));
    }

    /**
     * Finishes the message like {@link #send(Exchange, StunReader, Signer)} but returns it instead
     * of queuing it, for a caller that keeps a copy (the TURN transaction cache).
     */
    public ByteBuf finish(StunReader request, Signer signer) {
        if (!software.isEmpty()) {
            writer.text(AttributeType.SOFTWARE, software);
        }
        if (signer != null) {
            signer.sign(writer);
        }
        if (!request.isRfc3489()) {
            writer.fingerprint();
        }
        ByteBuf message = writer.finish();
        metrics.answered(request.method(), code);
        return message;
    }

    /**
     * Bytes {@link #finish} adds to an unsigned response: SOFTWARE when configured, FINGERPRINT
     * unless the client speaks RFC 3489. For answers that must reach a given size (PADDING).
     */
    public int trailerLength(StunReader request) {
        int length = 0;
        if (softwareBytes > 0) {
            length += 4 + ((softwareBytes + 3) & ~3);
        }
        if (!request.isRfc3489()) {
            length += 8;
        }
        return length;
    }

    /** Sends a complete error response with just ERROR-CODE. */
    public void sendError(Exchange exchange, StunReader request, int code, String reason) {
        error(exchange, request, code, reason);
        send(exchange, request);
    }
}
