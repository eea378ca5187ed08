package io.tern.cli;

import io.tern.server.TernServer;
import java.util.function.Consumer;

/**
 * The server as signal handlers see it. The listeners answer before {@link TernServer#start}
 * returns, so a script that waits for an answer and then sends {@code tern reload} or
 * {@code tern drain} can land in between; such a request is held and carried out as soon as the
 * server is published, never dropped. Signal handlers run on their own JVM thread, start-up on the
 * main thread: every step is under this object's lock, so a request runs exactly once.
 */
final class StartupSignals {
    private TernServer server;
    private boolean reloadHeld;
    private boolean drainHeld;

    /** Runs {@code reload} on the server now, or once it is published. */
    synchronized void reload(Consumer<TernServer> reload) {
        if (server == null) {
            reloadHeld = true;
            return;
        }
        reload.accept(server);
    }

    /** Drains the server now, or once it is published. */
    synchronized void drain() {
        if (server == null) {
            drainHeld = true;
            return;
        }
        server.drain();
    }

    /** Publishes the started server and carries out what was asked for before. */
    synchronized void publish(TernServer started, Consumer<TernServer> reload) {
        server = started;
        if (reloadHeld) {
            reloadHeld = false;
            reload.accept(started);
        }
        if (drainHeld) {
            drainHeld = false;
            started.drain();
        }
    }

    /** Whether a reload or drain is waiting for start-up to finish. */
    synchronized boolean holding() {
        return reloadHeld || drainHeld;
    }
}
