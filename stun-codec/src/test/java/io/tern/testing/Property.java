package io.tern.testing;

import java.security.SecureRandom;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A minimal property-test runner: runs a check against many seeded random cases and, when one fails,
 * names the seed that reproduces it. A failing case is replayed alone with {@code -Dtern.seed=N}
 * (e.g. {@code mvn -pl stun-codec verify -Dtest=StunPropertiesTest -Dtern.seed=N}).
 *
 * <p>Each run draws fresh seeds, so the suite keeps exploring; the default of 1000 cases per property
 * keeps the module's tests fast.
 */
public final class Property {
    public static final int DEFAULT_TRIES = 1000;
    private static final String SEED_PROPERTY = "tern.seed";

    private Property() {}

    /** A check of one random case. */
    @FunctionalInterface
    public interface Case {
        void check(Random random) throws Exception;
    }

    public static void forAll(Case body) {
        forAll(DEFAULT_TRIES, body);
    }

    public static void forAll(int tries, Case body) {
        String fixed = System.getProperty(SEED_PROPERTY);
        if (fixed != null) {
            run(Long.decode(fixed), 1, 1, body);
            return;
        }
        SplittableRandom seeds = new SplittableRandom(new SecureRandom().nextLong());
        for (int i = 1; i <= tries; i++) {
            run(seeds.nextLong(), i, tries, body);
        }
    }

    private static void run(long seed, int index, int tries, Case body) {
        try {
            body.check(new Random(seed));
        } catch (Throwable t) {
            throw new AssertionError(
                    "case " + index + " of " + tries + " failed; replay it alone with -D" + SEED_PROPERTY + "=" + seed
                            + "\n" + t,
                    t);
        }
    }
}
