package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.tern.server.transport.ClientTransport;
import io.tern.server.udp.UdpAddress;
import io.tern.server.udp.UdpSocket;
import java.net.InetSocketAddress;

/**
 * The way back to a client, kept by its allocation: the UDP listening socket plus the client's
 * address, the client's DTLS session on such a socket, or the client's own stream connection.
 * Writes are not flushed here; the event loop flushes once per read batch ({@link FlushBatch}).
 *
 * <p>A message is written into {@link #buffer}, then handed to {@link #write}: on a UDP socket the
 * buffer is the socket's next outgoing datagram, so relayed data is composed where it leaves from.
 */
public abstract sealed class ClientPath {
    private final UdpAddress address;
    private final ClientTransport transport;

    private ClientPath(UdpAddress address, ClientTransport transport) {
        this.address = address;
        this.transport = transport;
    }

    /** How the client reached the server: what the relayed-traffic metrics are labelled with. */
    public final ClientTransport transport() {
        return transport;
    }

    /** A client on a UDP listener: every message is a datagram to its address. */
    public static ClientPath datagram(UdpSocket listener, UdpAddress client) {
        return new Datagram(listener, client);
    }

    /** A client on a stream: ChannelData must be padded to 4 bytes. */
    public static ClientPath stream(Channel connection, UdpAddress client) {
        return new Stream(connection, client, false);
    }

    /**
     * A client on TLS: a stream whose every message is flushed at once, so it travels in a TLS
     * record of its own. Batched writes would share records, and clients that read one message per
     * record (coturn's turnutils_uclient does: one SSL_read, one message) would lose the rest.
     */
    public static ClientPath tls(Channel connection, UdpAddress client) {
        return new Stream(connection, client, true);
    }

    /**
     * A client on DTLS: every message is sealed by {@code session} into a record and datagram of
     * its own on the listening socket, so ChannelData is not padded (RFC 8656 §12.5).
     */
    public static ClientPath dtls(Channel listener, UdpAddress client, Sealer session) {
        return new Dtls(listener, client, session);
    }

    /** Encrypts one message into its own DTLS record and queues it to the client. */
    @FunctionalInterface
    public interface Sealer {
        /** Takes ownership of {@code message}; releases it unsent once the session has ended. */
        void seal(ByteBuf message);
    }

    /** The client's transport address: what names the allocation with the listening socket. */
    public final UdpAddress address() {
        return address;
    }

    public final InetSocketAddress remote() {
        return address.toSocketAddress();
    }

    /** Whether ChannelData needs no padding (RFC 8656 §12.5). */
    public abstract boolean isDatagram();

    /** An empty buffer for the next message to the client, with room for {@code capacity} bytes. */
    public abstract ByteBuf buffer(int capacity);

    /** Queues a message to the client; takes ownership of {@code message}. */
    public abstract void write(ByteBuf message);

    /** Has {@code batch} flush what {@link #write} queued when the read batch ends. */
    public abstract void flushLater(FlushBatch batch);

    /** Sends what is queued now. */
    public abstract void flush();

    private static final class Datagram extends ClientPath {
        private final UdpSocket socket;
        /** The buffer {@link #buffer} handed out and {@link #write} has not taken yet. */
        private ByteBuf begun;

        Datagram(UdpSocket socket, UdpAddress client) {
            super(client, ClientTransport.UDP);
            this.socket = socket;
        }

        @Override
        public boolean isDatagram() {
            return true;
        }

        @Override
        public ByteBuf buffer(int capacity) {
            if (capacity > UdpSocket.SEND_CAPACITY) {
                // Longer than a datagram slot: write() copies it out and releases it.
                return PooledByteBufAllocator.DEFAULT.ioBuffer(capacity);
            }
            begun = socket.beginSend();
            return begun;
        }

        @Override
        public void write(ByteBuf message) {
            if (message == begun) {
                begun = null;
                socket.commitSend(address());
            } else {
                try {
                    socket.send(message, message.readerIndex(), message.readableBytes(), address());
                } finally {
                    message.release();
                }
            }
        }

        @Override
        public void flushLater(FlushBatch batch) {
            batch.add(socket);
        }

        @Override
        public void flush() {
            socket.flush();
        }
    }

    /** The clients whose messages go through a Netty channel. */
    private abstract static sealed class OnChannel extends ClientPath {
        final Channel channel;

        OnChannel(Channel channel, UdpAddress client, ClientTransport transport) {
            super(client, transport);
            this.channel = channel;
        }

        @Override
        public final ByteBuf buffer(int capacity) {
            return channel.alloc().ioBuffer(capacity);
        }

        @Override
        public final void flushLater(FlushBatch batch) {
            batch.add(channel);
        }

        @Override
        public final void flush() {
            channel.flush();
        }
    }

    private static final class Dtls extends OnChannel {
        private final Sealer session;

        Dtls(Channel listener, UdpAddress client, Sealer session) {
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

    private static final class Stream extends OnChannel {
        private final boolean recordPerMessage;

        Stream(Channel connection, UdpAddress client, boolean recordPerMessage) {
            super(connection, client, recordPerMessage ? ClientTransport.TLS : ClientTransport.TCP);
            this.recordPerMessage = recordPerMessage;
        }

        @Override
        public boolean isDatagram() {
            return false;
        }

        @Override
        public void write(ByteBuf message) {
            if (recordPerMessage) {
                channel.writeAndFlush(message, channel.voidPromise());
            } else {
                channel.write(message, channel.voidPromise());
            }
        }
    }
}
