package io.tern.server.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/** What runs inside DTLS sessions: STUN/TURN, one message per decrypted record. */
public interface DtlsApplication {
    /** One decrypted record of an established session; neither retained nor released here. */
    void onMessage(ChannelHandlerContext listener, DtlsSession session, ByteBuf message);

    /** The listening socket's read batch ended: flush what the messages wrote. */
    void onReadComplete();

    /** An established session ended (close_notify, idle, an error or shutdown). */
    void onClosed(ChannelHandlerContext listener, DtlsSession session);
}
