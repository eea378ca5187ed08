package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@code tern}'s main sets before Netty loads, and that an operator's choice wins. */
class ProductionDefaultsTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(Main.LEAK_DETECTION);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(Main.LEAK_DETECTION);
        } else {
            System.setProperty(Main.LEAK_DETECTION, saved);
        }
    }

    @Test
    void leakDetectionIsOffUnlessAskedFor() {
        System.clearProperty(Main.LEAK_DETECTION);
        Main.productionDefaults();
        assertThat(System.getProperty(Main.LEAK_DETECTION)).isEqualTo("disabled");
    }

    @Test
    void anOperatorsLevelIsKept() {
        System.setProperty(Main.LEAK_DETECTION, "advanced");
        Main.productionDefaults();
        assertThat(System.getProperty(Main.LEAK_DETECTION)).isEqualTo("advanced");
    }
}
