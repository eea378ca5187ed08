package io.tern.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns Netty leak reports into test failures.
 *
 * <p>Netty only logs a leak, and only when the leaked object happens to be garbage-collected and a
 * later allocation polls the detector's reference queue. This extension installs a {@link
 * ResourceLeakDetectorFactory} whose detectors record every report; after each test class it forces
 * a few collections, polls every detector, and fails the class with the recorded reports.
 *
 * <p>The factory must be in place before {@code AbstractByteBuf} is initialised, because that class
 * creates its detector once, in a static field. JUnit instantiates autodetected extensions before it
 * runs any test class, so the factory is installed from this class's static initialiser, which then
 * initialises {@code AbstractByteBuf} itself. If something initialised it earlier, leak detection for
 * buffers would be silently off: {@link #beforeAll} fails every class instead.
 *
 * <p>Registered for autodetection in {@code META-INF/services}; a module enables it with {@code
 * junit.jupiter.extensions.autodetection.enabled=true} in its {@code junit-platform.properties}. Run
 * with {@code -Dio.netty.leakDetection.level=paranoid} (the build does) so every buffer is tracked;
 * when no level is set at all the extension sets paranoid itself.
 */
public final class NettyLeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {
    /** Collections (each followed by a poll of every detector) before a class is declared clean. */
    private static final int GC_ROUNDS = 4;

    private static final long PAUSE_AFTER_GC_MILLIS = 10;
    private static final String BYTE_BUF_INTERNAL = "io.netty.buffer.AbstractByteBuf";

    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final List<RecordingDetector<?>> DETECTORS = new CopyOnWriteArrayList<>();
    private static final Set<String> CLASSES_SEEN = ConcurrentHashMap.newKeySet();
    private static final String INSTALL_PROBLEM = install();

    @Override
    public void beforeAll(ExtensionContext context) {
        if (INSTALL_PROBLEM != null) {
            throw new ExtensionConfigurationException(INSTALL_PROBLEM);
        }
        CLASSES_SEEN.add(context.getRequiredTestClass().getName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        boolean topLevel =
                context.getParent().flatMap(ExtensionContext::getParent).isEmpty();
        if (topLevel) {
            assertNoLeaks();
        }
    }

    /**
     * Forces leak detection and fails with every report recorded since the last check. The reports
     * are cleared, so each leak fails exactly one check.
     *
     * @throws AssertionError naming each leaked resource with Netty's access records
     */
    public static void assertNoLeaks() {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size()
                    + " Netty resource leak(s): release() was not called before the object was"
                    + " garbage-collected. The leak happened in this test class or in one that ran"
                    + " before it in the same JVM; the records below show where the object was used.\n\n"
                    + String.join("\n\n", leaks));
        }
    }

    /** Forces detection and returns (and forgets) the reports recorded so far. */
    public static List<String> collectLeaks() {
        for (int round = 0; round < GC_ROUNDS && LEAKS.isEmpty(); round++) {
            System.gc();
            pause();
            pollEveryDetector();
        }
        List<String> drained = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            drained.add(leak);
        }
        return drained;
    }

    /** Whether {@link #beforeAll} ran for a class, i.e. whether autodetection picked this up. */
    public static boolean wasActiveFor(Class<?> testClass) {
        return CLASSES_SEEN.contains(testClass.getName());
    }

    /**
     * Netty reports collected leaks only from {@code track()}, and only for the detector being asked.
     * Tracking and closing a throwaway object on every detector is that poll, for every resource
     * type (buffers, and anything else a module tracks), whatever the sampling level.
     */
    private static void pollEveryDetector() {
        for (RecordingDetector<?> detector : DETECTORS) {
            detector.poll();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_AFTER_GC_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Installs the recording factory; returns why leak detection cannot work, or null. */
    private static String install() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        try {
            Class.forName(BYTE_BUF_INTERNAL, true, NettyLeakDetectionExtension.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null; // no netty-buffer on the class path: nothing to watch for buffers
        }
        boolean ours = DETECTORS.stream().anyMatch(d -> d.resource().getName().equals("io.netty.buffer.ByteBuf"));
        return ours
                ? null
                : "ByteBuf's leak detector was created before NettyLeakDetectionExtension installed its"
                        + " factory, so buffer leaks would go unnoticed. Something used a ByteBuf before JUnit"
                        + " loaded the autodetected extensions; enable autodetection"
                        + " (junit.jupiter.extensions.autodetection.enabled=true) and move that code into a test.";
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            RecordingDetector<T> detector = new RecordingDetector<>(resource, samplingInterval);
            DETECTORS.add(detector);
            return detector;
        }

        @Override
        @Deprecated
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }
    }

    /** Records reports instead of (only) logging them, and reports even when logging is off. */
    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        private final Class<T> resource;

        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
            this.resource = resource;
        }

        Class<T> resource() {
            return resource;
        }

        @SuppressWarnings("unchecked")
        void poll() {
            Object probe = new Object();
            ResourceLeakTracker<Object> tracker = ((ResourceLeakDetector<Object>) this).trackForcibly(probe);
            tracker.close(probe);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK: " + resourceType + " was not released." + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK: " + resourceType + " was not released (no access records: run with"
                    + " -Dio.netty.leakDetection.level=paranoid to see where it was allocated).");
        }
    }
}
