package io.tern.cli;

import sun.misc.Signal;

/**
 * POSIX signal hooks. {@code sun.misc.Signal} (module jdk.unsupported) is the one JDK way to
 * handle a signal and keep running; a shutdown hook cannot choose the exit code.
 */
final class Signals {
    private Signals() {}

    /** Runs {@code action} on SIGHUP (reload), on the JVM's signal thread. */
    static void onReload(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }

    /** Runs {@code action} on SIGUSR1 (start draining). */
    static void onDrain(Runnable action) {
        Signal.handle(new Signal("USR1"), s -> action.run());
    }

    /** Runs {@code action} on SIGTERM or SIGINT instead of the JVM's default exit. */
    static void onStop(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }
}
