package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.tern.server.transport.ClientTransport;
import java.net.InetSocketAddress;

/**
 * The way back to a client, kept by its allocation: the UDP listening socket plus the client's
 * address, the client's DTLS session on such a socket, or the client's own stream connection.
 * Writes are not flushed here; the event loop flushes once per read batch ({@link FlushBatch}).
 */
public abstract sealed class ClientPath {
    private final Channel channel;
    private final InetSocketAddress remote;
    private final ClientTransport transport;

    private ClientPath(Channel channel, InetSocketAddress remote, ClientTransport transport) {
        this.channel = channel;
        this.remote = remote;
        this.transport = transport;
    }

    /** How the client reached the server: what the relayed-traffic metrics are labelled with. */
    public final ClientTransport transport() {
        return transport;
    }

    /** A client on a UDP listener: every message is a datagram to its address. */
    public static ClientPath datagram(Channel listener, InetSocketAddress client) {
        return new Datagram(listener, client);
    }

    /** A client on a stream: ChannelData must be padded to 4 bytes. */
    public static ClientPath stream(Channel connection) {
        return new Stream(connection, false);
    }

    /**
     * A client on TLS: a stream whose every message is flushed at once, so it travels in a TLS
     * record of its own. Batched writes would share records, and clients that read one message per
     * record (coturn's turnutils_uclient does: one SSL_read, one message) would lose the rest.
     */
    public static ClientPath tls(Channel connection) {
        return new Stream(connection, true);
    }

    /**
     * A client on DTLS: every message is sealed by {@code session} into a record and datagram of
     * its own on the listening socket, so ChannelData is not padded (RFC 8656 §12.5).
     */
    public static ClientPath dtls(Channel listener, InetSocketAddress client, Sealer session) {
        return new Dtls(listener, client, session);
    }

    /** Encrypts one message into its own DTLS record and queues it to the client. */
    @FunctionalInterface
    public interface Sealer {
        /** Takes ownership of {@code message}; releases it unsent once the session has ended. */
        void seal(ByteBuf message);
    }

    public final Channel channel() {
        return channel;
    }

    public final InetSocketAddress remote() {
        return remote;
    }

    /** Whether ChannelData needs no padding (RFC 8656 §12.5). */
    public abstract boolean isDatagram();

    /** Queues a message to the client; takes ownership of {@code message}. */
    public abstract void write(ByteBuf message);

    private static final class Datagram extends ClientPath {
        Datagram(Channel listener, InetSocketAddress client) {
            super(listener, client, ClientTransport.UDP);
        }

        @Override
        public boolean isDatagram() {
            return true;
        }

        @Override
        public void write(ByteBuf message) {
            channel().write(new DatagramPacket(message, remote()), channel().voidPromise());
        }
    }

    private static final class Dtls extends ClientPath {
        private final Sealer session;

        Dtls(Channel listener, InetSocketAddress client, Sealer session) {
            super(listener, client, ClientTransport.DTLS);
            this.session = session;
        }

        @Override
        public boolean isDatagram() {
            return true;
        }

        @Override
        public void write(ByteBuf message) {
            session.seal(message);
        }
    }

    private static final class Stream extends ClientPath {
        private final boolean recordPerMessage;

        Stream(Channel connection, boolean recordPerMessage) {
            super(
                    connection,
                    (InetSocketAddress) connection.remoteAddress(),
                    recordPerMessage ? ClientTransport.TLS : ClientTransport.TCP);
            this.recordPerMessage = recordPerMessage;
        }

        @Override
        public boolean isDatagram() {
            return false;
        }

        @Override
        public void write(ByteBuf message) {
            if (recordPerMessage) {
                channel().writeAndFlush(message, channel().voidPromise());
            } else {
                channel().write(message, channel().voidPromise());
            }
        }
    }
}
