package io.tern.cli;

import io.tern.client.ClientTls;
import io.tern.client.Credentials;
import io.tern.server.auth.CredentialStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code tern probe}: an operator's end-to-end check of a STUN/TURN server. Binding, Allocate, a
 * second allocation as the peer, CreatePermission, ChannelBind, data from one relayed address to the
 * other and back, then Refresh 0; one PASS or FAIL line per step, stopping at the first failure. The
 * password and the secret are never printed.
 */
@Command(
        name = "probe",
        mixinStandardHelpOptions = true,
        description = {
            "Check a STUN/TURN server end to end, as a WebRTC client would use it.",
            "",
            "Steps: binding (reflexive address, rtt), allocate (relayed address, lifetime, realm), allocate-peer"
                    + " (a second allocation from another local port, the peer), create-permission (each for the"
                    + " other's relayed address), channel-bind, data (" + ProbeRun.MESSAGES + " messages from one"
                    + " relayed address to the other and back, bytes checked, rtt min/avg/max), refresh (both"
                    + " allocations deleted). Each prints PASS <step> <detail> or FAIL <step> <reason>; the"
                    + " probe stops at the first failure. A stun: URI runs the binding step only, and needs no"
                    + " credentials.",
            "",
            "Exit status: 0 when every step passes, 1 when one fails, 2 for a usage error.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  tern probe 'turn:turn.example.org:3478?transport=udp' --user alice --password \"$PASSWORD\"",
            "  tern probe 'turn:203.0.113.7:3478?transport=tcp' --secret-file /etc/tern/secret --json",
            "  tern probe stun:turn.example.org"
        })
final class ProbeCommand implements Callable<Integer> {
    private static final Pattern TIMEOUT = Pattern.compile("([0-9]{1,9})(ms|s|m)?");

    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    /** How long the REST credentials made from --secret are valid. */
    static final long REST_TTL_SECONDS = 3600;

    enum PeerCheck {
        relay,
        none
    }

    @Parameters(
            index = "0",
            paramLabel = "URI",
            description = "turn:HOST[:PORT][?transport=udp|tcp], turns:HOST[:PORT][?transport=tcp|udp] (TLS, or"
                    + " DTLS with transport=udp), stun:HOST[:PORT] or stuns:HOST[:PORT]; HOST an IP address"
                    + " ([brackets] for IPv6) or a DNS name, looked up once. Port 3478 and UDP by default; 5349"
                    + " and TLS over TCP for turns:/stuns:.")
    String uri;

    @Option(
            names = "--ca-file",
            paramLabel = "FILE",
            description = "With turns:/stuns:, trust the certificates in this PEM file (your CA, or a self-signed"
                    + " server's own certificate) instead of the system's. The certificate must still name HOST.")
    java.nio.file.Path caFile;

    @Option(
            names = "--insecure",
            description = "With turns:/stuns:, do not check the server's certificate at all (encrypted, not"
                    + " authenticated). For a server whose certificate you know is wrong.")
    boolean insecure;

    @Option(
            names = "--user",
            paramLabel = "NAME",
            description = "The TURN user (with --password). With --secret, the user part of the REST username"
                    + " <expiry>:NAME (default: probe).")
    String user;

    @Option(
            names = "--password",
            paramLabel = "PASSWORD",
            parameterConsumer = RawSecretValue.class,
            description = "The user's password. It shows in the process list: prefer --password-file on a"
                    + " shared machine.")
    String password;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "Read the password from the first line of FILE.")
    java.nio.file.Path passwordFile;

    @Option(
            names = "--secret",
            paramLabel = "SECRET",
            parameterConsumer = RawSecretValue.class,
            description = "The server's shared secret (static-auth-secret): the probe makes TURN REST credentials"
                    + " valid for 1 hour, username <expiry>:probe.")
    String secret;

    @Option(
            names = "--secret-file",
            paramLabel = "FILE",
            description = "Read the shared secret from the first line of FILE.")
    java.nio.file.Path secretFile;

    @Option(
            names = "--peer-check",
            paramLabel = "MODE",
            description = "relay: check the relay with a second allocation as the peer (create-permission,"
                    + " channel-bind, data); none: only allocate and refresh, for servers whose peer rules"
                    + " refuse their own relay addresses. Default: ${DEFAULT-VALUE}.")
    PeerCheck peerCheck = PeerCheck.relay;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            description =
                    "The longest wait for each answer: 500ms, 5s, 1m or plain seconds. Default:" + " ${DEFAULT-VALUE}.")
    String timeout = "5s";

    @Option(names = "--json", description = "Print one JSON object with every step instead of the PASS/FAIL lines.")
    boolean json;

    /** Collected, not refused by picocli, whose message would quote the arguments, a password among them. */
    @Unmatched
    List<String> unmatched = new ArrayList<>();

    @Override
    public Integer call() {
        ProbeUri target;
        Duration wait;
        Credentials credentials = null;
        boolean rest = false;
        try {
            checkUnmatched();
            target = ProbeUri.parse(uri);
            wait = parseTimeout(timeout);
            String pass = password();
            String shared = secret();

            if (pass != null && shared != null) {
                throw new CredentialsCommand.UsageException(
                        "give either a password (--password, --password-file) or a shared secret (--secret,"
                                + " --secret-file), not both");
            }
            if (target.turn()) {
                if (pass == null && shared == null) {
                    throw new CredentialsCommand.UsageException("a turn: URI needs credentials: --user NAME"
                            + " --password PASSWORD (or --password-file FILE), or --secret SECRET (or --secret-file"
                            + " FILE) for TURN REST credentials");
                }
                if (pass != null) {
                    if (user == null || user.isEmpty()) {
                        throw new CredentialsCommand.UsageException(
                                "--password needs --user NAME: the user the password belongs to");
                    }
                    credentials = new Credentials(user, pass);
                } else {
                    if (user != null && user.isEmpty()) {
                        throw new CredentialsCommand.UsageException(
                                "invalid --user (empty): give a name, or leave --user out for probe");
                    }
                    String username =
                            (Instant.now().getEpochSecond() + REST_TTL_SECONDS) + ":" + (user == null ? "probe" : user);
                    credentials = new Credentials(username, CredentialStore.restPassword(shared, username));
                    rest = true;
                }
            }
        } catch (CredentialsCommand.UsageException | ProbeUri.InvalidUri e) {
            System.err.println("tern probe: " + e.getMessage());
            return 2;
        }
        ClientTls tls;
        try {
            tls = tls(target);
        } catch (CredentialsCommand.UsageException e) {
            System.err.println("tern probe: " + e.getMessage());
            return 2;
        }

        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        ProbeRun run = new ProbeRun(target, credentials, rest, peerCheck == PeerCheck.relay, wait, tls, step -> {
            if (!json) {
                out.println((step.passed() ? "PASS " : "FAIL ") + step.name() + " " + step.detail());
            }
        });
        boolean passed = run.run();
        if (json) {
            out.println(json(target, credentials, run, passed));
        }
        out.flush();
        return passed ? 0 : 1;
    }

    /** The TLS settings for a turns:/stuns: URI (null for the others), from --ca-file and --insecure. */
    private ClientTls tls(ProbeUri target) throws CredentialsCommand.UsageException {
        if (!target.tls()) {
            if (caFile != null || insecure) {
                throw new CredentialsCommand.UsageException(
                        (insecure ? "--insecure" : "--ca-file") + " is for turns: and stuns: URIs (TLS or DTLS) only");
            }
            return null;
        }
        if (caFile != null && insecure) {
            throw new CredentialsCommand.UsageException("give either --ca-file or --insecure, not both");
        }
        try {
            if (insecure) {
                return ClientTls.insecure(target.host());
            }
            if (caFile == null) {
                return ClientTls.system(target.host());
            }
            java.util.List<java.security.cert.X509Certificate> trusted = new java.util.ArrayList<>();
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(caFile)) {
                for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificates(in)) {
                    trusted.add((java.security.cert.X509Certificate) c);
                }
            }
            if (trusted.isEmpty()) {
                throw new CredentialsCommand.UsageException(
                        "invalid --ca-file " + caFile + ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
            }
            return ClientTls.trusting(target.host(), trusted.toArray(new java.security.cert.X509Certificate[0]));
        } catch (javax.net.ssl.SSLException e) {
            throw new CredentialsCommand.UsageException("cannot set up TLS: " + e.getMessage());
        } catch (java.io.IOException | java.security.cert.CertificateException e) {
            throw new CredentialsCommand.UsageException(
                    "invalid --ca-file " + caFile + ": cannot read certificates from it (" + e.getMessage() + ")");
        }
    }

    private String secret() throws CredentialsCommand.UsageException {
        return oneOf(secret, secretFile, "--secret", "--secret-file", "shared secret");
    }

    private String password() throws CredentialsCommand.UsageException {
        return oneOf(password, passwordFile, "--password", "--password-file", "password");
    }

    private static String oneOf(String value, java.nio.file.Path file, String option, String fileOption, String what)
            throws CredentialsCommand.UsageException {
        if (value != null && file != null) {
            throw new CredentialsCommand.UsageException("give either " + option + " or " + fileOption + ", not both");
        }
        if (value != null) {
            if (value.isEmpty()) {
                throw new CredentialsCommand.UsageException(
                        "invalid " + option + " (empty): the " + what + " must not be empty");
            }
            return value;
        }
        if (file != null) {
            String line = ProbeFiles.firstLine(file, fileOption);
            if (line.isEmpty()) {
                throw new CredentialsCommand.UsageException(
                        "invalid " + fileOption + " " + file + ": its first line is empty; put the " + what + " there");
            }
            return line;
        }
        return null;
    }

    private void checkUnmatched() throws CredentialsCommand.UsageException {
        if (unmatched.isEmpty()) {
            return;
        }
        List<String> options = new ArrayList<>();
        for (String arg : unmatched) {
            if (arg.startsWith("-")) {
                int eq = arg.indexOf('=');
                options.add(eq < 0 ? arg : arg.substring(0, eq) + "=...");
            }
        }
        String what = options.isEmpty()
                ? "unexpected argument (not shown: it may be a password); give one URI"
                : "unknown option " + String.join(", ", options) + " (values not shown: one may be a password)";
        throw new CredentialsCommand.UsageException(what + "; the options are --user, --password, --password-file,"
                + " --secret, --secret-file, --peer-check, --timeout and --json, see tern probe --help");
    }

    /** {@code 500ms}, {@code 5s}, {@code 1m} or plain seconds; more than 0, at most 10 minutes. */
    static Duration parseTimeout(String value) throws CredentialsCommand.UsageException {
        String forms = "use 500ms, 5s, 1m or plain seconds, more than 0 and at most 10m";
        Matcher m = TIMEOUT.matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            throw new CredentialsCommand.UsageException("invalid --timeout " + value + ": " + forms);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
            throw new CredentialsCommand.UsageException("invalid --timeout " + value + ": " + forms);
        }
        return d;
    }

    /**
     * {@code {"uri", "server", "transport", "user", "peer_check", "timeout_ms", "result", "steps":
     * [{"step", "result", "detail", ...}]}}: strings and whole numbers only. Never the password.
     */
    private String json(ProbeUri target, Credentials credentials, ProbeRun run, boolean passed) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"uri\":");
        CredentialsCommand.jsonString(sb, target.canonical());
        sb.append(",\"server\":");
        CredentialsCommand.jsonString(sb, run.server() == null ? "" : ProbeRun.address(run.server()));
        sb.append(",\"transport\":");
        CredentialsCommand.jsonString(sb, target.transportName());
        sb.append(",\"user\":");
        CredentialsCommand.jsonString(sb, credentials == null ? "" : credentials.username());
        sb.append(",\"peer_check\":");
        CredentialsCommand.jsonString(sb, target.turn() ? peerCheck.name() : "none");
        sb.append(",\"timeout_ms\":").append(parseTimeoutQuietly());
        sb.append(",\"result\":");
        CredentialsCommand.jsonString(sb, passed ? "PASS" : "FAIL");
        sb.append(",\"steps\":[");
        List<ProbeRun.Step> steps = run.steps();
        for (int i = 0; i < steps.size(); i++) {
            ProbeRun.Step s = steps.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"step\":");
            CredentialsCommand.jsonString(sb, s.name());
            sb.append(",\"result\":");
            CredentialsCommand.jsonString(sb, s.passed() ? "PASS" : "FAIL");
            sb.append(",\"detail\":");
            CredentialsCommand.jsonString(sb, s.detail());
            for (Map.Entry<String, Object> field : s.fields().entrySet()) {
                sb.append(',');
                CredentialsCommand.jsonString(sb, field.getKey());
                sb.append(':');
                if (field.getValue() instanceof Long n) {
                    sb.append(n.longValue());
                } else {
                    CredentialsCommand.jsonString(sb, String.valueOf(field.getValue()));
                }
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    private long parseTimeoutQuietly() {
        try {
            return parseTimeout(timeout).toMillis();
        } catch (CredentialsCommand.UsageException e) {
            return 0;
        }
    }
}
