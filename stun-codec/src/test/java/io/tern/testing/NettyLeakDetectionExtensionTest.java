package io.tern.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** Proves that a leaked buffer fails the build: if detection were broken, these tests would fail. */
class NettyLeakDetectionExtensionTest {

    @Test
    void extensionIsAutodetectedAndRanBeforeThisClass() {
        assertThat(NettyLeakDetectionExtension.wasActiveFor(NettyLeakDetectionExtensionTest.class))
                .isTrue();
    }

    @Test
    void everyBufferIsTracked() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void leakedBufferFailsTheCheckWithTheRecordsOfWhereItWasUsed() {
        NettyLeakDetectionExtension.assertNoLeaks(); // start from a clean slate

        leakOneBuffer();

        assertThatThrownBy(NettyLeakDetectionExtension::assertNoLeaks)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 Netty resource leak(s)")
                .hasMessageContaining("LEAK: ByteBuf was not released")
                .hasMessageContaining(NettyLeakDetectionExtensionTest.class.getName() + ".leakOneBuffer");
        // The check consumed the report, so this class's own afterAll check stays green.
        assertThat(NettyLeakDetectionExtension.collectLeaks()).isEmpty();
    }

    @Test
    void releasedBuffersAreNotReported() {
        for (int i = 0; i < 100; i++) {
            ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(32).writeLong(i);
            buf.release();
        }
        assertThatCode(NettyLeakDetectionExtension::assertNoLeaks).doesNotThrowAnyException();
    }

    /** Allocates a tracked buffer, touches it, and drops the last reference without releasing it. */
    private static void leakOneBuffer() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.heapBuffer(64);
        buf.writeLong(0x5354554EL);
    }
}
