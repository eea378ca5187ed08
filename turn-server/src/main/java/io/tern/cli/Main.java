package io.tern.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tern} command. Each subcommand is its own class; this one only wires them. */
@Command(
        name = "tern",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Tern: a self-hosted STUN/TURN relay server.",
        subcommands = {
            ServeCommand.class,
            VersionCommand.class,
            CredentialsCommand.class,
            JoinTokenCommand.class,
            HashPasswordCommand.class,
            ProbeCommand.class,
            ConfigCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
