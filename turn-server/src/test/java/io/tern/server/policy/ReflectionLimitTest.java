package io.tern.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.tern.server.ServerHarness;
import io.tern.server.metrics.DropReason;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMethod;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.StunAttribute;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Tern must not be a useful reflector: an unauthenticated Allocate earns a 401 a few times its
 * size, so each source IP gets only a bounded number of them.
 */
class ReflectionLimitTest {
    /** Smallest Allocate that gets a challenge: header plus REQUESTED-TRANSPORT. */
    private static byte[] minimalAllocate() {
        return ServerHarness.bytes(StunMessage.builder(StunClass.REQUEST, StunMethod.ALLOCATE, TransactionId.random())
                .add(new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP))
                .encode(ByteBufAllocator.DEFAULT));
    }

    @Test
    void boundsUnauthenticatedAnswersPerSourceAndReportsTheAmplification() throws Exception {
        try (ServerHarness harness = ServerHarness.startTurn();
                DatagramSocket attacker = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int requests = 200;
            long bytesIn = 0;
            for (int i = 0; i < requests; i++) {
                byte[] request = minimalAllocate();
                bytesIn += request.length;
                attacker.send(new DatagramPacket(request, request.length, harness.udp()));
            }
            int answers = 0;
            long bytesOut = 0;
            byte[] answer;
            while ((answer = ServerHarness.receive(attacker, 500)) != null) {
                answers++;
                bytesOut += answer.length;
                assertThat(ServerHarness.decode(answer)
                                .attribute(StunAttribute.ErrorCode.class)
                                .orElseThrow()
                                .code())
                        .isEqualTo(401);
            }
            double perAnswer = (double) bytesOut / answers / (bytesIn / (double) requests);
            double overall = (double) bytesOut / bytesIn;
            System.out.printf(
                    "reflection: %d requests of %d B -> %d answers, amplification %.2fx per answer, %.2fx overall%n",
                    requests, bytesIn / requests, answers, perAnswer, overall);
            // A burst of 20, plus what refills at 10/s while the requests go out.
            assertThat(answers).isBetween(TurnLimits.BURST, TurnLimits.BURST + 10);
            assertThat(overall).isLessThan(1.0);
            assertThat(harness.server().metrics().droppedCount(DropReason.UNAUTHENTICATED_LIMIT))
                    .isEqualTo(requests - answers);
        }
    }

    /** The limits Tern ships with (TurnRequests), restated so a change is a visible decision. */
    private static final class TurnLimits {
        static final int BURST = 20;
    }
}
