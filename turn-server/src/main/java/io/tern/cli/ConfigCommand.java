package io.tern.cli;

import io.tern.server.TernServer;
import io.tern.server.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tern config check|show}: what {@code tern serve} would run with, without running it. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Check a configuration, or print the one tern serve would use.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Show.class})
final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options that hold secrets: shown only as present. */
    private static final Set<String> SECRET = Set.of("static-auth-secret", "signal-token-secret", "api-key");

    /**
     * tern serve's options as the file, the environment ({@code TERN_*}) and the extra arguments
     * set them; throws what start-up would throw.
     */
    static ServeCommand effective(Path file, List<String> serveArgs, Map<String, String> env) {
        ServeCommand command = new ServeCommand();
        CommandLine cl = new CommandLine(command);
        String[] args = serveArgs.toArray(new String[0]);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException("arguments", String.join(" ", serveArgs), e.getMessage());
        }
        ServeCommand merged = OptionSources.resolve(command, cl.getCommandSpec(), file, env);
        TernServer.check(merged.toConfig());
        return merged;
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = "Check a configuration file (with TERN_* variables, and any tern serve options given"
                    + " after it) as start-up would: option names and values, users and secrets, peer ranges,"
                    + " relay and external addresses, certificate files. Exit status 0 when tern serve would"
                    + " start, 2 if not.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(
                index = "0",
                paramLabel = "FILE",
                description = "The configuration file (tern.conf or turnserver.conf).")
        Path file;

        /** Everything after FILE goes to tern serve's parser, which knows those options. */
        @CommandLine.Unmatched
        List<String> serveArgs = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            try {
                effective(file, serveArgs, System.getenv());
            } catch (ConfigException e) {
                System.err.println("tern: " + e.getMessage());
                return 2;
            }
            spec.commandLine().getOut().println("OK: " + file + " is a valid configuration");
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print the effective configuration as tern.conf lines: flags, then TERN_* variables,"
                    + " then the file, then the defaults. Passwords and secrets are shown as (hidden).")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The configuration file, if any.")
        Path file;

        /** Everything after FILE goes to tern serve's parser, which knows those options. */
        @CommandLine.Unmatched
        List<String> serveArgs = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            ServeCommand merged;
            try {
                merged = effective(file, serveArgs, System.getenv());
            } catch (ConfigException e) {
                System.err.println("tern: " + e.getMessage());
                return 2;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("# effective configuration of tern serve" + (file == null ? "" : " with " + file));
            for (OptionSpec o : new CommandLine(merged).getCommandSpec().options()) {
                String key = o.longestName().replaceFirst("^--?", "");
                if (Set.of("help", "version", "config").contains(key)) {
                    continue;
                }
                print(out, key, o.getValue());
            }
            out.flush();
            return 0;
        }

        private static void print(PrintWriter out, String key, Object value) {
            if (value instanceof Boolean flag) {
                out.println(flag ? key : "#" + key);
            } else if (value instanceof Collection<?> values) {
                if (values.isEmpty()) {
                    out.println("#" + key + "=");
                }
                for (Object v : values) {
                    out.println(key + "=" + redact(key, String.valueOf(v)));
                }
            } else {
                out.println(value == null ? "#" + key + "=" : key + "=" + redact(key, String.valueOf(value)));
            }
        }

        private static String redact(String key, String value) {
            if (SECRET.contains(key)) {
                return "(hidden)";
            }
            if (key.equals("user")) {
                int colon = value.indexOf(':');
                return (colon < 0 ? "" : value.substring(0, colon + 1)) + "(hidden)";
            }
            return value;
        }
    }
}
