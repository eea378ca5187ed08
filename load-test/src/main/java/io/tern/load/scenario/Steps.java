package io.tern.load.scenario;

import io.tern.load.report.Meter;

/**
 * Which step of a ramp is being measured, shared by the main thread (which moves it on) and the
 * event loops (which stamp every message with it). A message is counted in the meter of the step
 * it was <em>sent</em> in, whenever it comes back; messages sent while the ramp sets up the next
 * step (new rooms joining) are stamped {@link #SETUP} and counted nowhere.
 */
final class Steps {
    /** The stamp of messages sent outside a measured step. */
    static final int SETUP = 255;

    private final Meter[] meters;
    private final Meter discard = new Meter();
    private volatile int current = SETUP;
    private volatile boolean sending = true;

    Steps(int count) {
        if (count < 1 || count >= SETUP) {
            throw new IllegalArgumentException("1.." + (SETUP - 1) + " steps: " + count);
        }
        meters = new Meter[count];
        for (int i = 0; i < count; i++) {
            meters[i] = new Meter();
        }
    }

    int stamp() {
        return current;
    }

    Meter meter(int stamp) {
        return stamp >= 0 && stamp < meters.length ? meters[stamp] : discard;
    }

    void measure(int step) {
        current = step;
    }

    void pause() {
        current = SETUP;
    }

    boolean sending() {
        return sending;
    }

    void stopSending() {
        sending = false;
    }
}
