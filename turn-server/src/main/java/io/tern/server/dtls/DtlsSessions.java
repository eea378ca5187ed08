package io.tern.server.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.tern.server.metrics.DtlsDrop;
import io.tern.server.metrics.DtlsHandshake;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.policy.TokenBucket;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of one DTLS listening socket: its sessions by client address. The socket, and so the
 * table, belongs to one event loop (one socket per loop with SO_REUSEPORT; the kernel hashes each
 * client to one), so nothing here is locked or handed off.
 *
 * <p>Only a ClientHello makes a session, and only while fewer than the server's cap of handshakes
 * are in progress; everything else from an unknown address is dropped and counted without state.
 * Until the client answers the HelloVerifyRequest with the cookie, a handshake proves nothing (a
 * ClientHello can be forged from any address), so such a handshake waits at most {@link
 * #COOKIE_WAIT_SECONDS}, and when the cap is reached the oldest of them gives its slot to the new
 * ClientHello: a flood of forged ClientHellos cycles through those slots instead of holding them
 * all, and a client answering its cookie within one round trip still gets through. Handshakes past
 * the cookie are never evicted. A sweep once a second ends handshakes past their timeouts and
 * sessions idle too long.
 *
 * <p>A plaintext ClientHello from the address of an established session starts a new handshake
 * beside it (RFC 6347 §4.2.8): a client that restarted on the same port, as coturn's uclient
 * does after its probe allocation. The old session, and its allocation, end only once the new
 * handshake has passed the cookie exchange, so a forged ClientHello cannot end a session.
 */
public final class DtlsSessions extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(DtlsSessions.class);

    /**
     * How long a handshake waits for the ClientHello with its cookie: one round trip, or a few
     * retransmissions of it (RFC 6347 §4.2.4 starts at 1 s), not the whole handshake timeout.
     */
    static final int COOKIE_WAIT_SECONDS = 4;

    /**
     * Datagrams a second, per listening socket (one per event loop), that handshakes not yet past
     * the cookie may cost: a new ClientHello makes an engine and a HelloVerifyRequest (250-300 µs
     * of the loop, measured), another for a waiting handshake about 45 µs. A flood of forged
     * ClientHellos would otherwise take the loop that also relays everyone's UDP; with this budget
     * it takes at most about 7 % of it, and beyond it such datagrams are dropped and counted
     * ({@code handshake_rate}). Real clients whose ClientHello is dropped send it again (RFC 6347:
     * after 1 s, doubling).
     */
    static final int PRE_COOKIE_PER_SECOND = 250;

    private final ServerDtls dtls;
    private final DtlsApplication app;
    private final ServerMetrics metrics;
    private final int maxDatagram;
    private final long idleNanos;
    private final long handshakeNanos;
    private final long cookieNanos = TimeUnit.SECONDS.toNanos(COOKIE_WAIT_SECONDS);
    private final Map<InetSocketAddress, DtlsSession> sessions = new HashMap<>();
    /**
     * New handshakes from the address of an established session (the client restarted on the same
     * port), until they pass the cookie exchange and replace it (RFC 6347 §4.2.8).
     */
    private final Map<InetSocketAddress, DtlsSession> successors = new HashMap<>();
    /** Handshakes not yet past the cookie exchange, oldest first: the ones a new one may evict. */
    private final ArrayDeque<DtlsSession> unverified = new ArrayDeque<>();
    /** The pre-cookie budget; this socket's loop only. */
    private final TokenBucket preCookie = new TokenBucket(PRE_COOKIE_PER_SECOND, System.nanoTime());

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> sweep;

    /**
     * @param maxDatagram the largest datagram the socket reads whole; a longer one was cut short
     * @param idleSeconds an established session without a datagram from the client this long ends
     * @param handshakeSeconds a session whose handshake takes longer ends
     */
    public DtlsSessions(
            ServerDtls dtls,
            DtlsApplication app,
            ServerMetrics metrics,
            int maxDatagram,
            int idleSeconds,
            int handshakeSeconds) {
        this.dtls = dtls;
        this.app = app;
        this.metrics = metrics;
        this.maxDatagram = maxDatagram;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.handshakeNanos = TimeUnit.SECONDS.toNanos(handshakeSeconds);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sweep = ctx.executor().scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sweep != null) {
            sweep.cancel(false);
        }
        new ArrayList<>(successors.values()).forEach(DtlsSession::close);
        new ArrayList<>(sessions.values()).forEach(DtlsSession::close);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        try {
            onDatagram(packet.sender(), packet.content());
        } finally {
            packet.release();
        }
    }

    private void onDatagram(InetSocketAddress sender, ByteBuf datagram) {
        DtlsSession session = sessions.get(sender);
        if (datagram.readableBytes() > maxDatagram) {
            // Filled its read slot: the kernel cut it short.
            metrics.dtlsDropped(session == null ? DtlsDrop.NOT_CLIENT_HELLO : DtlsDrop.BAD_RECORD);
            return;
        }
        long now = System.nanoTime();
        if (session == null) {
            if (!DtlsRecords.isClientHello(datagram)) {
                metrics.dtlsDropped(DtlsDrop.NOT_CLIENT_HELLO);
                return;
            }
            if (!preCookieBudget(now)) {
                return;
            }
            session = start(sender, now);
            if (session == null) {
                return;
            }
            sessions.put(sender, session);
        } else if (session.isEstablished() && DtlsRecords.isClientHello(datagram)) {
            DtlsSession next = successors.get(sender);
            if ((next == null || next.isUnverified()) && !preCookieBudget(now)) {
                return;
            }
            if (next == null) {
                next = start(sender, now);
                if (next == null) {
                    return;
                }
                successors.put(sender, next);
            }
            next.receive(datagram, now);
            return;
        } else if (session.isUnverified() && !preCookieBudget(now)) {
            return;
        }
        session.receive(datagram, now);
    }

    /** Takes a token of the pre-cookie budget; false (counted) when it is spent. */
    private boolean preCookieBudget(long now) {
        if (preCookie.take(now)) {
            return true;
        }
        metrics.dtlsDropped(DtlsDrop.HANDSHAKE_RATE);
        return false;
    }

    /**
     * A new session in its handshake, or null when every handshake slot is taken and none of this
     * socket's is waiting for its cookie (counted).
     */
    private DtlsSession start(InetSocketAddress sender, long now) {
        if (!dtls.tryStartHandshake() && !(evictOldestUnverified() && dtls.tryStartHandshake())) {
            metrics.dtlsDropped(DtlsDrop.HANDSHAKE_LIMIT);
            return null;
        }
        SSLEngine engine;
        try {
            engine = dtls.newEngine(sender);
        } catch (RuntimeException e) {
            dtls.handshakeEnded();
            log.warn("cannot make a DTLS engine for {}", sender, e);
            return null;
        }
        metrics.dtlsHandshakeStarted();
        DtlsSession session = new DtlsSession(this, ctx, sender, engine, now, handshakeNanos);
        unverified.addLast(session);
        return session;
    }

    /** Ends this socket's oldest handshake still waiting for its cookie; false when there is none. */
    private boolean evictOldestUnverified() {
        DtlsSession oldest;
        while ((oldest = unverified.pollFirst()) != null) {
            if (oldest.isUnverified()) {
                oldest.evict();
                return true;
            }
        }
        return false;
    }

    /**
     * A session passed the cookie exchange: its client's address is proven. A successor now
     * replaces the established session of its address, which ends with its allocation.
     */
    void verified(DtlsSession session) {
        unverified.remove(session);
        if (successors.remove(session.client(), session)) {
            DtlsSession old = sessions.put(session.client(), session);
            if (old != null) {
                log.debug("new DTLS handshake from {} replaces its session", session.client());
                old.close();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        app.onReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // One socket serves every client: one failed send (ICMP unreachable) must not close it.
        log.debug("DTLS listener {}: {}", ctx.channel().localAddress(), cause.toString());
    }

    private void sweep() {
        if (sessions.isEmpty() && successors.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        List<DtlsSession> all = new ArrayList<>(sessions.values());
        all.addAll(successors.values());
        for (DtlsSession s : all) {
            s.tick(now, idleNanos, cookieNanos);
        }
        ctx.flush();
    }

    void deliver(DtlsSession session, ByteBuf message) {
        app.onMessage(ctx, session, message);
    }

    void badRecord() {
        metrics.dtlsDropped(DtlsDrop.BAD_RECORD);
    }

    void handshakeEnded(DtlsSession session, DtlsHandshake outcome) {
        dtls.handshakeEnded();
        metrics.dtlsHandshakeEnded(outcome);
        if (outcome == DtlsHandshake.COMPLETED && log.isDebugEnabled()) {
            log.debug("DTLS session with {} established: {}", session.client(), session.describe());
        }
    }

    /** A session ended; {@code handshakeOutcome} is null when it had been established. */
    void ended(DtlsSession session, DtlsHandshake handshakeOutcome) {
        if (handshakeOutcome != null) {
            unverified.remove(session);
        }
        if (!sessions.remove(session.client(), session)) {
            successors.remove(session.client(), session);
        }
        if (handshakeOutcome != null) {
            handshakeEnded(session, handshakeOutcome);
        } else {
            metrics.dtlsSessionEnded();
            app.onClosed(ctx, session);
        }
    }
}
