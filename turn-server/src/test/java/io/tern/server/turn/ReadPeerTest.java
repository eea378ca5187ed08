package io.tern.server.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tern.server.udp.UdpSource;
import io.tern.stun.StunClass;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.attr.AttributeType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free XOR-PEER-ADDRESS reader against the codec's own decoder. */
class ReadPeerTest {
    private static final int SEND = StunClass.INDICATION.messageType(StunMethod.SEND);

    @Test
    void agreesWithTheCodecForRandomIpv4AndIpv6Peers() throws Exception {
        Random random = new Random(6062);
        UdpSource read = new UdpSource();
        for (int n = 0; n < 2_000; n++) {
            byte[] ip = new byte[random.nextBoolean() ? 4 : 16];
            random.nextBytes(ip);
            InetSocketAddress peer = new InetSocketAddress(InetAddress.getByAddress(ip), random.nextInt(65536));
            ByteBuf buf = Unpooled.buffer();
            try {
                new StunWriter()
                        .begin(buf, SEND, random.nextLong(), random.nextInt())
                        .address(AttributeType.XOR_PEER_ADDRESS, peer)
                        .finish();
                StunReader reader = new StunReader();
                assertThat(reader.wrap(buf)).isNull();
                int i = reader.indexOf(AttributeType.XOR_PEER_ADDRESS);
                assertThat(TurnRequests.readPeer(reader, i, read)).isTrue();
                assertThat(read.toSocketAddress()).isEqualTo(TurnRequests.peerAddress(reader, i));
                assertThat(read.toSocketAddress()).isEqualTo(peer);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void aValueOfTheWrongLengthOrFamilyIsMalformed() {
        UdpSource read = new UdpSource();
        for (int[] familyAndLength : new int[][] {{1, 20}, {2, 8}, {3, 8}, {1, 4}, {1, 0}}) {
            ByteBuf buf = Unpooled.buffer();
            try {
                int length = familyAndLength[1];
                byte[] value = new byte[length];
                if (length > 1) {
                    value[1] = (byte) familyAndLength[0];
                }
                new StunWriter()
                        .begin(buf, SEND, 1, 2)
                        .attribute(AttributeType.XOR_PEER_ADDRESS, Unpooled.wrappedBuffer(value), 0, length)
                        .finish();
                StunReader reader = new StunReader();
                assertThat(reader.wrap(buf)).isNull();
                assertThat(TurnRequests.readPeer(reader, reader.indexOf(AttributeType.XOR_PEER_ADDRESS), read))
                        .as("family %d, length %d", familyAndLength[0], length)
                        .isFalse();
            } finally {
                buf.release();
            }
        }
    }
}
