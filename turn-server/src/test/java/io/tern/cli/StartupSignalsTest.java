package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.server.ServerHarness;
import io.tern.server.TernServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reload or drain asked for while the server starts is carried out once, when it is published. */
class StartupSignalsTest {
    @Test
    void aReloadBeforeStartUpRunsOnceWhenTheServerIsPublished() throws Exception {
        StartupSignals signals = new StartupSignals();
        List<TernServer> reloaded = new ArrayList<>();
        signals.reload(reloaded::add);
        signals.reload(reloaded::add);
        assertThat(signals.holding()).isTrue();
        assertThat(reloaded).isEmpty();
        try (ServerHarness harness = ServerHarness.startTurn()) {
            signals.publish(harness.server(), reloaded::add);
            assertThat(reloaded).containsExactly(harness.server());
            assertThat(signals.holding()).isFalse();
            signals.reload(reloaded::add);
            assertThat(reloaded).hasSize(2);
            assertThat(harness.server().ready()).isTrue();
        }
    }

    @Test
    void aDrainBeforeStartUpDrainsTheServerWhenItIsPublished() throws Exception {
        StartupSignals signals = new StartupSignals();
        signals.drain();
        try (ServerHarness harness = ServerHarness.startTurn()) {
            assertThat(harness.server().ready()).isTrue();
            signals.publish(harness.server(), s -> {
                throw new AssertionError("no reload was asked for");
            });
            assertThat(harness.server().ready())
                    .as("draining: /readyz turns 503")
                    .isFalse();
            assertThat(signals.holding()).isFalse();
        }
    }
}
