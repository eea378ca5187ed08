package io.tern.server.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.tern.server.metrics.DtlsHandshake;
import io.tern.server.turn.ClientPath;
import io.tern.server.udp.UdpAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's DTLS session on a listening socket (the client's address and the socket are the
 * 5-tuple): a server {@link SSLEngine} driven by the socket's event loop, which owns it, so no
 * lock is taken. Datagrams in go through {@link #receive}; messages out through {@link #seal},
 * each in a record and datagram of its own.
 *
 * <p>The engine is driven by its handshake status: NEED_UNWRAP takes the next record of the
 * datagram, NEED_UNWRAP_AGAIN records the engine buffered, NEED_TASK runs inline (the tasks are
 * signatures and key agreement, a millisecond or two), NEED_WRAP sends one datagram per call until
 * the flight is out. A flight not answered is sent again by calling wrap while the engine waits
 * for the peer (that is how the JDK retransmits), after 1 s, then 2, 4 and 8; the handshake
 * timeout ends a session that never completes.
 */
public final class DtlsSession implements ClientPath.Sealer {
    private static final Logger log = LoggerFactory.getLogger(DtlsSession.class);

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    static final long FIRST_RETRANSMIT_MILLIS = 1000;
    static final long LAST_RETRANSMIT_MILLIS = 8000;
    /** Engine steps per datagram; a datagram holds a few records, a runaway loop is a bug. */
    private static final int MAX_STEPS = 64;

    private enum State {
        HANDSHAKING,
        ESTABLISHED,
        CLOSED
    }

    private final DtlsSessions owner;
    private final ChannelHandlerContext ctx;
    private final InetSocketAddress client;
    private UdpAddress clientAddress;
    private final SSLEngine engine;
    private final long createdAt;
    private final long handshakeDeadline;
    private State state = State.HANDSHAKING;
    /** Past the cookie exchange: the engine sent a ServerHello, so the client's address is proven. */
    private boolean verified;

    private long lastReceived;
    private ScheduledFuture<?> retransmit;
    private long retransmitMillis = FIRST_RETRANSMIT_MILLIS;

    DtlsSession(
            DtlsSessions owner,
            ChannelHandlerContext ctx,
            InetSocketAddress client,
            SSLEngine engine,
            long now,
            long handshakeNanos) {
        this.owner = owner;
        this.ctx = ctx;
        this.client = client;
        this.engine = engine;
        this.lastReceived = now;
        this.createdAt = now;
        this.handshakeDeadline = now + handshakeNanos;
    }

    /**
     * In its handshake and not yet past the cookie exchange: all the server knows of the client is
     * one ClientHello, which anyone can send from any address.
     */
    boolean isUnverified() {
        return state == State.HANDSHAKING && !verified;
    }

    /** Ends a handshake still waiting for the cookie, to give its slot to a newer ClientHello. */
    void evict() {
        if (isUnverified()) {
            log.debug("DTLS handshake with {} evicted before its cookie came back", client);
            end(DtlsHandshake.EVICTED);
        }
    }

    /** The client's address: with the listening socket, the session's 5-tuple. */
    public InetSocketAddress client() {
        return client;
    }

    /** {@link #client()} as numbers, made once per session. */
    public UdpAddress clientAddress() {
        if (clientAddress == null) {
            clientAddress = UdpAddress.of(client);
        }
        return clientAddress;
    }

    /** Whether the handshake completed and the session has not ended. */
    public boolean isEstablished() {
        return state == State.ESTABLISHED;
    }

    /** The protocol and cipher suite negotiated, for logs. */
    String describe() {
        return engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite();
    }

    /** Handles one datagram from the client; never keeps or releases it. */
    void receive(ByteBuf datagram, long now) {
        if (state == State.CLOSED) {
            return;
        }
        lastReceived = now;
        if (datagram.readableBytes() > engine.getSession().getPacketBufferSize()
                || !DtlsRecords.isWellFramed(datagram)) {
            // The JDK takes a record over its packet size, or one that claims to be, as fatal;
            // from a forged source that would end a real client's session, so such a datagram is
            // dropped before the engine sees it.
            owner.badRecord();
            return;
        }
        cancelRetransmit();
        try {
            drive(datagram.nioBuffer());
        } catch (SSLException e) {
            fail(e);
            return;
        } catch (RuntimeException e) {
            // Crafted input must not get past this session, whatever the engine throws.
            log.warn("DTLS session with {} failed unexpectedly", client, e);
            fail(new SSLException(e));
            return;
        }
        if (state == State.HANDSHAKING && verified && retransmit == null) {
            armRetransmit();
        }
    }

    private void drive(ByteBuffer src) throws SSLException {
        for (int step = 0; step < MAX_STEPS && state != State.CLOSED; step++) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
            } else if (state == State.HANDSHAKING && engine.isOutboundDone()) {
                // A delegated task failed: the engine closed and throws the reason on the next call.
                engine.unwrap(EMPTY, ByteBuffer.allocate(0));
                throw new SSLHandshakeException("the DTLS engine closed during the handshake");
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                retransmitMillis = FIRST_RETRANSMIT_MILLIS;
                sendFlight();
            } else if (hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                unwrap(EMPTY, engine.getSession().getApplicationBufferSize());
            } else if (src.hasRemaining()) {
                if (!unwrap(src, src.remaining())) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    /** Unwraps one record; false when the rest of the datagram is to be ignored. */
    private boolean unwrap(ByteBuffer src, int capacity) throws SSLException {
        ByteBuf plain = ctx.alloc().ioBuffer(capacity);
        try {
            SSLEngineResult r = engine.unwrap(src, plain.nioBuffer(0, plain.capacity()));
            switch (r.getStatus()) {
                case CLOSED -> {
                    closedByClient();
                    return false;
                }
                case BUFFER_UNDERFLOW, BUFFER_OVERFLOW -> {
                    // Shorter than its record header says, or not a record at all.
                    owner.badRecord();
                    return false;
                }
                default -> {}
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                established();
            }
            if (r.bytesProduced() > 0 && state == State.ESTABLISHED) {
                plain.writerIndex(r.bytesProduced());
                owner.deliver(this, plain);
            } else if (r.bytesConsumed() > 0
                    && r.bytesProduced() == 0
                    && state == State.ESTABLISHED
                    && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
                // The engine discards what does not decrypt (RFC 6347 §4.1.2.7) without a word.
                owner.badRecord();
            }
            return true;
        } finally {
            plain.release();
        }
    }

    private void runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    /**
     * Sends what the engine has to send, one datagram per wrap, and the rest of the flight. During
     * the handshake the engine's packet size is lowered around the wraps, so flights are cut into
     * {@link ServerDtls#HANDSHAKE_PACKET} datagrams; the session itself was made at {@link
     * ServerDtls#APPLICATION_PACKET} (the JDK fixes a session's limit for records it accepts when
     * it makes the ServerHello), so a whole message of any size fits one record either way.
     */
    private void sendFlight() throws SSLException {
        boolean handshaking = state == State.HANDSHAKING;
        if (handshaking) {
            packetSize(ServerDtls.HANDSHAKE_PACKET);
        }
        try {
            wrapFlight();
        } finally {
            if (handshaking) {
                packetSize(ServerDtls.APPLICATION_PACKET);
            }
        }
    }

    private void packetSize(int bytes) {
        SSLParameters p = engine.getSSLParameters();
        p.setMaximumPacketSize(bytes);
        engine.setSSLParameters(p);
    }

    private void wrapFlight() throws SSLException {
        do {
            ByteBuf out = ctx.alloc().ioBuffer(engine.getSession().getPacketBufferSize());
            SSLEngineResult r;
            try {
                r = engine.wrap(EMPTY, out.nioBuffer(0, out.capacity()));
            } catch (SSLException e) {
                out.release();
                throw e;
            }
            if (r.bytesProduced() > 0) {
                out.writerIndex(r.bytesProduced());
                if (!verified && DtlsRecords.handshakeType(out) == DtlsRecords.SERVER_HELLO) {
                    verified = true;
                    owner.verified(this);
                }
                ctx.write(new DatagramPacket(out, client), ctx.voidPromise());
            } else {
                out.release();
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                established();
            }
            if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesProduced() == 0) {
                return;
            }
        } while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
    }

    private void established() {
        if (state != State.HANDSHAKING) {
            return;
        }
        state = State.ESTABLISHED;
        cancelRetransmit();
        owner.handshakeEnded(this, DtlsHandshake.COMPLETED);
    }

    /**
     * Encrypts one message into a record and datagram of its own to the client; unflushed, the
     * loop flushes once per read batch. Takes ownership of {@code message}; once the session has
     * ended it is released unsent.
     */
    @Override
    public void seal(ByteBuf message) {
        if (state != State.ESTABLISHED) {
            message.release();
            return;
        }
        ByteBuf out = ctx.alloc().ioBuffer(engine.getSession().getPacketBufferSize());
        try {
            int length = message.readableBytes();
            SSLEngineResult r = engine.wrap(message.nioBuffer(), out.nioBuffer(0, out.capacity()));
            if (r.getStatus() == SSLEngineResult.Status.OK && r.bytesConsumed() == length && r.bytesProduced() > 0) {
                out.writerIndex(r.bytesProduced());
                ctx.write(new DatagramPacket(out, client), ctx.voidPromise());
                out = null;
            }
        } catch (SSLException e) {
            // Not ended here: the caller may be in the middle of relaying for this allocation.
            ctx.executor().execute(() -> fail(e));
        } finally {
            message.release();
            if (out != null) {
                out.release();
            }
        }
    }

    private void armRetransmit() {
        if (retransmitMillis > LAST_RETRANSMIT_MILLIS) {
            return; // given up; the handshake timeout ends the session
        }
        retransmit = ctx.executor().schedule(this::retransmit, retransmitMillis, TimeUnit.MILLISECONDS);
    }

    private void cancelRetransmit() {
        if (retransmit != null) {
            retransmit.cancel(false);
            retransmit = null;
        }
    }

    private void retransmit() {
        retransmit = null;
        if (state != State.HANDSHAKING || engine.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
            return;
        }
        retransmitMillis *= 2;
        try {
            // A wrap while the engine waits for the peer makes it send its last flight again.
            sendFlight();
        } catch (SSLException e) {
            fail(e);
            return;
        }
        ctx.flush();
        armRetransmit();
    }

    /**
     * Called once a second: ends a handshake past its deadline, one whose cookie did not come
     * back within {@code cookieNanos}, or a session idle too long.
     */
    void tick(long now, long idleNanos, long cookieNanos) {
        if (isUnverified() && now - createdAt > cookieNanos) {
            log.debug("DTLS handshake with {}: no ClientHello with the cookie", client);
            end(DtlsHandshake.TIMED_OUT);
        } else if (state == State.HANDSHAKING && now - handshakeDeadline > 0) {
            log.debug("DTLS handshake with {} timed out", client);
            end(DtlsHandshake.TIMED_OUT);
        } else if (state == State.ESTABLISHED && now - lastReceived > idleNanos) {
            log.debug("DTLS session with {} idle, closing it", client);
            close();
        }
    }

    /** Ends the session from the server's side, with a close_notify if it was established. */
    void close() {
        if (state == State.ESTABLISHED) {
            engine.closeOutbound();
            try {
                sendFlight();
                ctx.flush();
            } catch (SSLException e) {
                log.debug("DTLS close_notify to {} not sent: {}", client, e.toString());
            }
        }
        end(DtlsHandshake.FAILED);
    }

    private void closedByClient() {
        log.debug("DTLS close_notify from {}", client);
        engine.closeOutbound();
        try {
            sendFlight(); // our close_notify in answer
        } catch (SSLException e) {
            log.debug("DTLS close_notify to {} not sent: {}", client, e.toString());
        }
        end(DtlsHandshake.FAILED);
    }

    private void fail(SSLException e) {
        if (state == State.CLOSED) {
            return;
        }
        log.debug("DTLS session with {} failed: {}", client, e.toString());
        if (state == State.HANDSHAKING) {
            // The JDK's DTLS engine closes on a failed handshake without handing out its alert, and
            // a client left without one retransmits into silence for half a minute (coturn's
            // uclient does, then tries again with another DTLS version). A plaintext fatal alert
            // tells it at once; 15 bytes, smaller than any ClientHello, so it amplifies nothing.
            ctx.writeAndFlush(
                    new DatagramPacket(DtlsRecords.fatalAlert(ctx.alloc(), alertFor(e)), client), ctx.voidPromise());
        }
        end(DtlsHandshake.FAILED);
    }

    /** protocol_version when no version was shared, else handshake_failure (RFC 5246 §7.2). */
    private static int alertFor(SSLException e) {
        String why = String.valueOf(e.getMessage());
        return why.contains("protocol") ? DtlsRecords.PROTOCOL_VERSION : DtlsRecords.HANDSHAKE_FAILURE;
    }

    /** Ends the session; {@code outcome} counts only for a session still in its handshake. */
    private void end(DtlsHandshake outcome) {
        State was = state;
        if (was == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        cancelRetransmit();
        engine.closeOutbound();
        owner.ended(this, was == State.HANDSHAKING ? outcome : null);
    }
}
