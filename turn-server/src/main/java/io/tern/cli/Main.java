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
            ReloadCommand.class,
            DrainCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Netty's leak detector level property; read once, when Netty's buffer classes load. */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        productionDefaults();
        int code = run(args);
        LogSettings.close();
        System.exit(code);
    }

    /**
     * Netty samples one buffer in 128 for leak tracking by default, recording a stack trace at
     * each touch: a measurable share of the relay's CPU for a check that only helps developers.
     * The daemon turns it off unless the operator asks for a level with
     * {@code -Dio.netty.leakDetection.level=...}; the test suite runs at PARANOID through
     * {@link #run} and never comes here.
     */
    static void productionDefaults() {
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
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
