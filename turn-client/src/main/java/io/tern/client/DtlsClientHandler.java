package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * DTLS 1.2 on a connected datagram channel ({@code turns:...?transport=udp}, RFC 7350): the JDK's
 * DTLS {@link SSLEngine} driven on the channel's event loop. Outbound, every frame becomes one
 * record in one datagram; inbound, every record of a datagram is opened and its plaintext passed
 * on as one frame, so the handlers behind it see what they would see over plain UDP.
 *
 * <p>The handshake starts with {@link #start} and retransmits its last flight while no answer
 * comes (RFC 6347 §4.2.4: 1 s, doubling up to 8 s); it fails at {@code timeout}. Frames written
 * before it completes are refused. Handshake datagrams are at most {@link #HANDSHAKE_PACKET}
 * bytes, so a certificate flight needs no IP fragmentation; a frame too large for one record is
 * refused rather than split, since the server would see two broken messages.
 */
final class DtlsClientHandler extends ChannelDuplexHandler {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final long FIRST_RETRANSMIT_MILLIS = 1000;
    private static final long MAX_RETRANSMIT_MILLIS = 8000;
    /** IPv6's minimum MTU (1280) less the IPv6 and UDP headers. */
    private static final int HANDSHAKE_PACKET = 1232;

    private final SSLEngine engine;
    private final Duration timeout;
    private ChannelHandlerContext ctx;
    private Promise<Void> handshake;
    private ScheduledFuture<?> retransmit;
    private ScheduledFuture<?> deadline;
    private long retransmitMillis = FIRST_RETRANSMIT_MILLIS;

    DtlsClientHandler(SSLEngine engine, Duration timeout) {
        this.engine = engine;
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.handshake = ctx.executor().newPromise();
    }

    /** Completes when the handshake has; fails with its error or a timeout. */
    Future<Void> handshakeFuture() {
        return handshake;
    }

    /** Sends the ClientHello; call once, on the event loop, once the channel is connected. */
    void start() {
        deadline = ctx.executor()
                .schedule(
                        () -> fail(new DtlsHandshakeTimeoutException(timeout)),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        try {
            engine.beginHandshake();
            drive();
        } catch (SSLException e) {
            fail(e);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf datagram = msg instanceof DatagramPacket packet ? packet.content() : (ByteBuf) msg;
            ByteBuffer src = datagram.nioBuffer();
            while (src.hasRemaining()) {
                ByteBuffer plain = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
                SSLEngineResult r = engine.unwrap(src, plain);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    // close_notify from the server: the session is over.
                    ctx.close();
                    return;
                }
                if (r.bytesProduced() > 0) {
                    plain.flip();
                    ctx.fireChannelRead(Unpooled.wrappedBuffer(plain));
                }
                if (!handshake.isDone()) {
                    drive();
                }
                if (r.bytesConsumed() == 0) {
                    break; // not a whole record: the rest of the datagram is dropped
                }
            }
        } catch (SSLException e) {
            if (handshake.isDone()) {
                ctx.fireExceptionCaught(e);
                ctx.close();
            } else {
                fail(e);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.write(msg, promise);
            return;
        }
        try {
            if (!handshake.isSuccess()) {
                promise.setFailure(new SSLException("DTLS handshake not done"));
                return;
            }
            ByteBuf record = seal(frame.nioBuffer());
            ctx.write(record, promise);
        } catch (SSLException e) {
            promise.setFailure(e);
        } finally {
            frame.release();
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (handshake.isSuccess() && ctx.channel().isActive()) {
            // close_notify, so the server ends the session (and its allocation) now.
            engine.closeOutbound();
            try {
                ctx.writeAndFlush(seal(EMPTY));
            } catch (SSLException e) {
                // Closing anyway; the server's idle timeout ends the session.
            }
        }
        cancelTimers();
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new ClosedChannelException());
        ctx.fireChannelInactive();
    }

    /** Runs the handshake as far as it goes without an answer from the server. */
    private void drive() throws SSLException {
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            switch (status) {
                case NEED_WRAP -> ctx.write(sealHandshake());
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                case NEED_UNWRAP_AGAIN -> engine.unwrap(EMPTY, ByteBuffer.allocate(0));
                case NEED_UNWRAP -> {
                    ctx.flush();
                    armRetransmit();
                    return;
                }
                default -> {
                    // FINISHED or NOT_HANDSHAKING: done.
                    ctx.flush();
                    cancelTimers();
                    handshake.trySuccess(null);
                    return;
                }
            }
        }
    }

    /** A datagram of the handshake: the engine's next one, at most {@link #HANDSHAKE_PACKET}. */
    private ByteBuf sealHandshake() throws SSLException {
        packetSize(HANDSHAKE_PACKET);
        try {
            return seal(EMPTY);
        } finally {
            packetSize(ClientTls.DTLS_APPLICATION_PACKET);
        }
    }

    private void packetSize(int bytes) {
        javax.net.ssl.SSLParameters p = engine.getSSLParameters();
        p.setMaximumPacketSize(bytes);
        engine.setSSLParameters(p);
    }

    /** One record holding all of {@code plain} (or the engine's next handshake datagram). */
    private ByteBuf seal(ByteBuffer plain) throws SSLException {
        int length = plain.remaining();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        SSLEngineResult r = engine.wrap(plain, out);
        if (r.getStatus() != SSLEngineResult.Status.OK && r.getStatus() != SSLEngineResult.Status.CLOSED) {
            throw new SSLException("DTLS wrap: " + r.getStatus());
        }
        if (r.bytesConsumed() != length) {
            throw new SSLException("a " + length + "-byte frame does not fit one DTLS record");
        }
        out.flip();
        return Unpooled.wrappedBuffer(out);
    }

    private void armRetransmit() {
        if (retransmit != null) {
            retransmit.cancel(false);
        }
        retransmit = ctx.executor().schedule(this::retransmit, retransmitMillis, TimeUnit.MILLISECONDS);
    }

    /** No answer in time: a wrap while the engine waits makes it send its last flight again. */
    private void retransmit() {
        if (handshake.isDone()) {
            return;
        }
        retransmitMillis = Math.min(retransmitMillis * 2, MAX_RETRANSMIT_MILLIS);
        try {
            ByteBuf flight = sealHandshake();
            if (flight.isReadable()) {
                ctx.write(flight);
            } else {
                flight.release();
            }
            drive();
        } catch (SSLException e) {
            fail(e);
        }
    }

    private void fail(Throwable cause) {
        cancelTimers();
        if (handshake != null && handshake.tryFailure(cause)) {
            ctx.close();
        }
    }

    private void cancelTimers() {
        if (retransmit != null) {
            retransmit.cancel(false);
        }
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
