package io.tern.load;

import io.tern.load.scenario.AllocateCommand;
import io.tern.load.scenario.BindingCommand;
import io.tern.load.scenario.CallCommand;
import io.tern.load.scenario.RelayCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tern-load}: a multi-threaded load generator for any STUN/TURN server (Tern, coturn...) on
 * loopback. Each scenario is a subcommand; this class wires them and maps failures to exit codes
 * (see {@link LoadException}).
 */
@Command(
        name = "tern-load",
        mixinStandardHelpOptions = true,
        description = {
            "Load generator for any STUN/TURN server on this machine (loopback only).",
            "",
            "Exit status: 0 when the run completed, 1 when it failed (no server, an error response, a refused"
                    + " peer), 2 for a usage error (including a --server that is not loopback), 3 when the server"
                    + " refused the credentials.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  tern-load binding --server 127.0.0.1:3478 --duration 10s",
            "  tern-load allocate --user alice --password secret --concurrency 32",
            "  tern-load relay --secret S --allocations 16 --rate 5000,10000,20000,40000 --svg relay.svg",
            "  tern-load relay --user alice --password secret --flood --window 16 --payload 1000 --json",
            "  tern-load call --user alice --password secret --room-size 4 --max-rooms 10"
        },
        subcommands = {
            BindingCommand.class,
            AllocateCommand.class,
            RelayCommand.class,
            CallCommand.class,
            CommandLine.HelpCommand.class
        })
public final class LoadMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI with these streams and returns its exit status (tests call this). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new LoadMain());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            if (cause instanceof LoadException load) {
                commandLine.getErr().println("tern-load: " + load.getMessage());
                commandLine.getErr().flush();
                return load.exitCode();
            }
            commandLine.getErr().println("tern-load: " + e);
            commandLine.getErr().flush();
            return LoadException.FAILED;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
