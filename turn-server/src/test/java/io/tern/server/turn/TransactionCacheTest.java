package io.tern.server.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TransactionCacheTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5000);
    private static final InetSocketAddress OTHER = new InetSocketAddress("127.0.0.1", 5001);

    private static void remember(TransactionCache cache, InetSocketAddress client, long high, byte value, long now) {
        ByteBuf response = ByteBufAllocator.DEFAULT.buffer().writeByte(value);
        try {
            cache.remember(client, high, 7, response, now);
        } finally {
            response.release();
        }
    }

    @Test
    void givesBackTheSameBytesForTheSameClientAndTransactionWithinFortySeconds() {
        TransactionCache cache = new TransactionCache();
        remember(cache, CLIENT, 1, (byte) 42, 1_000);

        assertThat(cache.find(CLIENT, 1, 7, 1_000 + TransactionCache.TTL_MILLIS - 1))
                .containsExactly(42);
        assertThat(cache.find(CLIENT, 1, 7, 1_000 + TransactionCache.TTL_MILLIS))
                .isNull();
        assertThat(cache.find(OTHER, 1, 7, 1_000)).as("another 5-tuple").isNull();
        assertThat(cache.find(CLIENT, 2, 7, 1_000)).as("another transaction").isNull();
        assertThat(cache.find(CLIENT, 1, 8, 1_000)).as("another transaction").isNull();
    }

    @Test
    void expiresOldAnswersAndStaysBounded() {
        TransactionCache cache = new TransactionCache();
        for (int i = 0; i < 10; i++) {
            remember(cache, CLIENT, i, (byte) i, i * 10_000L);
        }
        cache.expire(100_000);
        assertThat(cache.size()).as("answers younger than 40 s at t=100 s").isEqualTo(3);

        for (int i = 0; i < TransactionCache.MAX_ENTRIES + 5; i++) {
            remember(cache, OTHER, i, (byte) 1, 100_000);
        }
        assertThat(cache.size()).isEqualTo(TransactionCache.MAX_ENTRIES);
        assertThat(cache.find(OTHER, 0, 7, 100_000)).as("oldest evicted first").isNull();
        assertThat(cache.find(OTHER, TransactionCache.MAX_ENTRIES + 4, 7, 100_000))
                .isNotNull();
    }
}
