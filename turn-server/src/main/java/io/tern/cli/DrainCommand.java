package io.tern.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tern drain}: makes a running {@code tern serve} stop taking new allocations (SIGUSR1). */
@Command(
        name = "drain",
        mixinStandardHelpOptions = true,
        description = {
            "Make a running tern serve drain (the same as sending it SIGUSR1): new allocations get",
            "300 with the next --alternate-server (508 without one), /readyz answers 503, and existing",
            "allocations keep relaying until they end. Stop the server once they are gone."
        })
final class DrainCommand implements Callable<Integer> {
    @Mixin
    RunningServer server;

    @Override
    public Integer call() throws InterruptedException {
        return SignalSender.send(server, "USR1", "drain");
    }
}
