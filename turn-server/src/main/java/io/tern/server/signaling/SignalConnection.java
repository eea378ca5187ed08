package io.tern.server.signaling;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.tern.server.policy.TokenBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket on {@code /signal}, after the handshake, behind a frame aggregator and an idle
 * detector. On its channel's thread it turns frames into text (releasing every buffer at once),
 * applies the rate limit, answers WebSocket pings and close frames, and pings an idle client; the
 * text goes to the {@link Signaling} thread, which owns {@link #participant}.
 */
final class SignalConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SignalConnection.class);

    private final Signaling signaling;
    private final Channel channel;
    private final long idleNanos;
    /** The host the client used to reach us, for the ICE server URLs. */
    final String host;

    // Channel thread only.
    private final TokenBucket bucket;
    private long lastReadNanos;

    // Signaling thread only.
    /** The participant this socket speaks for; null before join, after leave, and once taken over. */
    Participant participant;

    /** Set once the socket is gone (or taken over), so a late close does not count twice. */
    boolean finished;

    SignalConnection(Signaling signaling, Channel channel, String host, int rate, long idleNanos) {
        this.signaling = signaling;
        this.channel = channel;
        this.host = host;
        this.idleNanos = idleNanos;
        long now = System.nanoTime();
        this.bucket = new TokenBucket(rate, now);
        this.lastReadNanos = now;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        signaling.metrics().connectionOpened();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        if (!(msg instanceof WebSocketFrame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (frame instanceof TextWebSocketFrame text) {
            String body = text.text();
            text.release();
            if (!bucket.take(lastReadNanos)) {
                signaling.execute(
                        () -> signaling.refuse(this, SignalError.RATE_LIMITED, "too many messages; slow down"));
                return;
            }
            signaling.execute(() -> signaling.onMessage(this, body));
        } else if (frame instanceof BinaryWebSocketFrame) {
            frame.release();
            if (bucket.take(lastReadNanos)) {
                signaling.execute(() -> signaling.refuse(
                        this, SignalError.BAD_MESSAGE, "binary frames are not accepted; send JSON text"));
            }
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content()));
        } else if (frame instanceof CloseWebSocketFrame) {
            frame.release();
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            frame.release(); // pongs: their arrival already counted as a sign of life
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            if (System.nanoTime() - lastReadNanos >= idleNanos) {
                log.debug(
                        "closing idle signaling connection from {}",
                        ctx.channel().remoteAddress());
                close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle timeout");
            } else {
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        signaling.metrics().connectionClosed();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        signaling.execute(() -> signaling.lost(this));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            // A message split over continuation frames grew past the limit (a single frame that is
            // too big is refused by the frame decoder, which sends the same 1009 itself).
            close(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big");
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            ctx.close(); // the decoder has sent the close frame with its status
        } else {
            log.debug("signaling connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** Sends one message; a client that does not read its messages is closed rather than buffered for. */
    void send(String json) {
        if (!channel.isActive()) {
            return;
        }
        if (!channel.isWritable()) {
            log.debug("closing signaling connection from {}: it does not read", channel.remoteAddress());
            channel.close();
            return;
        }
        channel.writeAndFlush(new TextWebSocketFrame(json));
    }

    /** Closes with a WebSocket status (sent before the TCP close). */
    void close(WebSocketCloseStatus status, String reason) {
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(status.code(), reason))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
