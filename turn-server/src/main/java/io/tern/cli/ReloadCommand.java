package io.tern.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tern reload}: makes a running {@code tern serve} re-read its configuration (SIGHUP). */
@Command(
        name = "reload",
        mixinStandardHelpOptions = true,
        description = {
            "Make a running tern serve re-read its configuration (the same as sending it SIGHUP).",
            "Users, secrets, realm, peer rules and the log level change for new requests; allocations keep",
            "relaying. A configuration that does not check out is refused and the running one stays:",
            "the server's log says which. Run tern config check FILE first to see errors here."
        })
final class ReloadCommand implements Callable<Integer> {
    @Mixin
    RunningServer server;

    @Override
    public Integer call() throws InterruptedException {
        return SignalSender.send(server, "HUP", "reload");
    }
}
