package io.tern.cli;

import io.tern.server.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Merges the three places an option can come from, with this precedence: command-line flag, then
 * the environment ({@code TERN_<OPTION>}, e.g. {@code TERN_MIN_PORT}), then the configuration file
 * ({@code --config} or {@code TERN_CONFIG}), then the built-in default.
 *
 * <p>It works by turning environment and file settings into extra arguments for options the
 * command line did not set, and parsing again: so a value from a file is converted and validated
 * by exactly the code that handles the flag, and the option list of {@code tern serve} is the one
 * list of options there is.
 */
final class OptionSources {
    private static final Logger log = LoggerFactory.getLogger(OptionSources.class);

    /**
     * coturn options Tern does what they ask for without being told (long-term credentials,
     * FINGERPRINT, refusing loopback and multicast peers, RFC 5780 off unless asked for): accepted
     * silently.
     */
    static final Set<String> IMPLIED = Set.of(
            "lt-cred-mech",
            "fingerprint",
            "no-multicast-peers",
            "no-loopback-peers",
            "no-stun-backward-compatibility",
            "no-rfc5780",
            "response-origin-only-with-rfc5780");

    /** coturn options Tern does not (yet) support: named in one warning, then ignored. */
    static final Set<String> COTURN_ONLY = Set.of(
            "alt-tls-listening-port",
            "listening-device",
            "relay-device",
            "relay-threads",
            "pkey-pwd",
            "cipher-list",
            "ca-file",
            "dh-file",
            "dh2066",
            "dh566",
            "ec-curve-name",
            "no-dtls",
            "no-tlsv1",
            "no-tlsv1_1",
            "no-tlsv1_2",
            "verbose",
            "Verbose",
            "log-file",
            "no-stdout-log",
            "simple-log",
            "new-log-timestamp",
            "new-log-timestamp-format",
            "log-binding",
            "syslog",
            "no-cli",
            "cli-ip",
            "cli-port",
            "cli-password",
            "cli-max-output-sessions",
            "web-admin",
            "web-admin-ip",
            "web-admin-port",
            "web-admin-listen-on-workers",
            "prometheus",
            "prometheus-port",
            "prometheus-username-labels",
            "userdb",
            "psql-userdb",
            "mysql-userdb",
            "mongo-userdb",
            "redis-userdb",
            "redis-statsdb",
            "oauth",
            "server-name",
            "mobility",
            "stale-nonce",
            "channel-lifetime",
            "permission-lifetime",
            "secure-stun",
            "no-stun",
            "no-auth",
            "check-origin-consistency",
            "bps-capacity",
            "proc-user",
            "proc-group",
            "no-software-attribute-hide",
            "keep-address-family",
            "allocation-default-address-family",
            "aux-server",
            "udp-self-balance",
            "tls-alternate-server",
            "sha256",
            "no-udp-relay",
            "acme-redirect",
            "max-allocate-timeout",
            "allowed-peer-ip-file",
            "denied-peer-ip-file",
            "db",
            "sock-buf-size",
            "software-attribute",
            "no-software-attribute-in-stun",
            "server-relay",
            "stun-only",
            "no-auth-pings",
            "no-dynamic-ip-list",
            "no-dynamic-realms",
            "cpus",
            "drop-invalid-packets",
            "raw-public-keys");

    /** Options that only make sense on the command line. */
    private static final Set<String> COMMAND_LINE_ONLY = Set.of("config", "help", "version");

    private OptionSources() {}

    /**
     * The command with environment and file settings applied, or {@code parsed} itself when there
     * are none.
     */
    static <T> T resolve(T parsed, CommandSpec spec, Path configFlag, Map<String, String> env) {
        ParseResult matched = spec.commandLine().getParseResult();
        Map<String, OptionSpec> byKey = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            String key = o.longestName().replaceFirst("^--?", "");
            if (!COMMAND_LINE_ONLY.contains(key)) {
                byKey.put(key, o);
            }
        }
        Path file = configFlag != null
                ? configFlag
                : env.containsKey("TERN_CONFIG") ? Path.of(env.get("TERN_CONFIG")) : null;
        Map<String, List<ConfigFile.Entry>> fromFile = new LinkedHashMap<>();
        if (file != null) {
            Set<String> ignored = new TreeSet<>();
            for (ConfigFile.Entry e : ConfigFile.read(file)) {
                if (byKey.containsKey(e.key())) {
                    fromFile.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
                } else if (COTURN_ONLY.contains(e.key())) {
                    ignored.add(e.key());
                } else if (!IMPLIED.contains(e.key())) {
                    throw new ConfigException(
                            e.key(), "(" + e.where() + ")", "no such option" + suggestion(e.key(), byKey.keySet()));
                }
            }
            if (!ignored.isEmpty()) {
                log.warn("{}: ignoring coturn options Tern does not support: {}", file, String.join(", ", ignored));
            }
        }
        List<String> extra = new ArrayList<>();
        Map<String, String> sourceOf = new LinkedHashMap<>();
        for (Map.Entry<String, OptionSpec> option : byKey.entrySet()) {
            OptionSpec o = option.getValue();
            if (matched.hasMatchedOption(o)) {
                continue;
            }
            String key = option.getKey();
            String envName = "TERN_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
            if (env.containsKey(envName)) {
                List<String> values =
                        o.isMultiValue() ? List.of(env.get(envName).split(",")) : List.of(env.get(envName));
                for (String v : values) {
                    addArgument(extra, o, key, v.strip(), envName);
                }
                sourceOf.put(key, "environment variable " + envName);
            } else if (fromFile.containsKey(key)) {
                List<ConfigFile.Entry> entries = fromFile.get(key);
                if (!o.isMultiValue() && entries.size() > 1) {
                    throw new ConfigException(
                            key,
                            "(" + entries.get(0).where() + " and "
                                    + entries.get(1).where() + ")",
                            "set it once; only options like user and static-auth-secret repeat");
                }
                for (ConfigFile.Entry e : entries) {
                    addArgument(extra, o, key, e.value(), e.where());
                }
                sourceOf.put(key, entries.get(0).where());
            }
        }
        if (extra.isEmpty()) {
            return parsed;
        }
        List<String> all = commandLineArgs(matched);
        all.addAll(extra);
        CommandLine fresh = new CommandLine(spec.userObject().getClass().cast(newInstance(spec)));
        try {
            fresh.parseArgs(all.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            String key =
                    e.getArgSpec() instanceof OptionSpec o ? o.longestName().replaceFirst("^--?", "") : "config";
            String where = sourceOf.getOrDefault(key, file == null ? "command line" : file.toString());
            throw new ConfigException(key, "(from " + where + ")", e.getMessage());
        }
        @SuppressWarnings("unchecked")
        T merged = (T) fresh.getCommand();
        return merged;
    }

    /**
     * The arguments this command was given, rebuilt from what its options matched.
     * {@code ParseResult.originalArgs()} would not do: for a subcommand ({@code tern serve ...}) it
     * is the whole command line, the subcommand's name included.
     */
    static List<String> commandLineArgs(ParseResult matched) {
        List<String> args = new ArrayList<>();
        for (OptionSpec o : matched.matchedOptions()) {
            if (o.arity().max() == 0) {
                args.add(o.longestName());
            } else {
                for (String value : o.originalStringValues()) {
                    args.add(o.longestName() + "=" + value);
                }
            }
        }
        return args;
    }

    private static void addArgument(List<String> args, OptionSpec o, String key, String value, String source) {
        if (o.arity().max() == 0) {
            // A flag: bare, or with a boolean value.
            if (value == null || value.isEmpty() || parseBoolean(key, value, source)) {
                args.add("--" + key);
            }
            return;
        }
        if (value == null) {
            throw new ConfigException(key, "(" + source + ")", "give a value: " + key + "=VALUE");
        }
        args.add("--" + key + "=" + value);
    }

    private static boolean parseBoolean(String key, String value, String source) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw new ConfigException(key, value + " (" + source + ")", "a flag takes true/false (or no value)");
        }
    }

    private static Object newInstance(CommandSpec spec) {
        try {
            var constructor = spec.userObject().getClass().getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + spec.userObject().getClass(), e);
        }
    }

    /** " (did you mean NAME?)" for the nearest option name, or nothing when none is close. */
    static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : new LinkedHashSet<>(known)) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? "; did you mean " + best + "?" : "";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
