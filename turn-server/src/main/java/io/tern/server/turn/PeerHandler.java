package io.tern.server.turn;

import io.netty.buffer.ByteBuf;
import io.tern.server.metrics.RelayDrop;
import io.tern.server.metrics.ServerMetrics;
import io.tern.server.transport.Listeners;
import io.tern.server.udp.UdpReceiver;
import io.tern.server.udp.UdpSource;
import io.tern.stun.StunClass;
import io.tern.stun.StunMethod;
import io.tern.stun.StunWriter;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.channel.ChannelData;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Receives what peers send to one allocation's relay socket and passes it to the client (RFC 8656
 * §11.3 and §12.6): as ChannelData when a channel is bound to the peer, else as a Data indication.
 * Datagrams from peers without a permission are dropped and counted.
 *
 * <pre>
 *  peer ──datagram──► relay socket ──► permission? ──► channel bound? ──► ChannelData ──► client
 *                                                          └─ no ──────► Data indication ─┘
 * </pre>
 */
final class PeerHandler implements UdpReceiver {
    private static final int DATA_INDICATION = StunClass.INDICATION.messageType(StunMethod.DATA);

    /**
     * A Data indication around {@code length} bytes: header (20), XOR-PEER-ADDRESS (up to 24 for
     * IPv6), the DATA attribute header (4) and up to 3 bytes of padding.
     */
    private static int dataIndicationSize(int length) {
        return 20 + 24 + 4 + length + 3;
    }

    private final RelayLoop loop;
    private Allocation allocation;

    PeerHandler(RelayLoop loop) {
        this.loop = loop;
    }

    void attach(Allocation allocation) {
        this.allocation = allocation;
    }

    @Override
    public void datagram(ByteBuf data, UdpSource peer) {
        Allocation a = allocation;
        ServerMetrics metrics = loop.metrics();
        if (a == null || a.isClosed()) {
            return;
        }
        int length = data.readableBytes();
        if (length > Listeners.MAX_DATAGRAM) {
            // Larger than a read slot: the kernel cut it short. Relaying it would corrupt it.
            a.dropped++;
            metrics.relayDropped(RelayDrop.OVERSIZED);
            return;
        }
        long now = loop.now();
        if (!a.permits(peer, now)) {
            a.dropped++;
            metrics.relayDropped(RelayDrop.NO_PERMISSION);
            return;
        }
        if (!a.toClientLimiter().tryAcquire(length, now)) {
            a.dropped++;
            metrics.relayDropped(RelayDrop.RATE_LIMITED);
            return;
        }
        ClientPath client = a.client();
        int channel = a.channels().number(peer, now);
        ByteBuf out;
        if (channel >= 0) {
            int padding = client.isDatagram() ? 0 : ChannelData.streamPadding(length);
            out = client.buffer(ChannelData.HEADER_LENGTH + length + padding);
            ChannelData.writeHeader(out, channel, length);
            out.writeBytes(data, data.readerIndex(), length);
            out.writeZero(padding);
        } else {
            // An indication's transaction id need not be unpredictable (nothing answers it).
            ThreadLocalRandom random = ThreadLocalRandom.current();
            StunWriter w = loop.writer()
                    .begin(
                            client.buffer(dataIndicationSize(length)),
                            DATA_INDICATION,
                            random.nextLong(),
                            random.nextInt());
            if (peer.isIpv4()) {
                w.ipv4Address(AttributeType.XOR_PEER_ADDRESS, peer.ipv4(), peer.port());
            } else {
                w.ipv6Address(AttributeType.XOR_PEER_ADDRESS, peer.hi(), peer.lo(), peer.port());
            }
            out = w.attribute(AttributeType.DATA, data, data.readerIndex(), length)
                    .finish();
        }
        a.packetsToClient++;
        a.bytesToClient += length;
        metrics.relayedToClient(client.transport().ordinal(), length);
        client.write(out);
        client.flushLater(loop.flushes());
    }

    @Override
    public void batchEnd() {
        loop.flushes().flush();
    }

    @Override
    public void sendFailed() {
        // ICMP errors from one peer (port unreachable...) and refused sends land here: count them
        // and keep the allocation; coturn closes the whole allocation at this point, which breaks
        // calls.
        loop.metrics().relayDropped(RelayDrop.SEND_FAILED);
    }
}
