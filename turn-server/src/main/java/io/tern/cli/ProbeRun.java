package io.tern.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.tern.client.ClientTls;
import io.tern.client.Credentials;
import io.tern.client.DtlsHandshakeTimeoutException;
import io.tern.client.InboundListener;
import io.tern.client.StunClient;
import io.tern.client.StunErrorResponseException;
import io.tern.client.StunProtocolException;
import io.tern.client.TurnAllocation;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One run of {@code tern probe}: the steps in order, each reported as it ends, stopping at the first
 * failure. Allocations made are deleted at the end whatever happened (silently after a failure), and
 * every wait is bounded by the timeout.
 */
final class ProbeRun {
    static final String BINDING = "binding";
    static final String ALLOCATE = "allocate";
    static final String ALLOCATE_PEER = "allocate-peer";
    static final String CREATE_PERMISSION = "create-permission";
    static final String CHANNEL_BIND = "channel-bind";
    static final String DATA = "data";
    static final String REFRESH = "refresh";

    /** How many messages the data step sends each way. */
    static final int MESSAGES = 5;

    static final int CHANNEL = 0x4000;

    /**
     * One step's outcome.
     *
     * @param detail what was found (PASS) or the reason in an operator's words (FAIL)
     * @param fields the same facts for {@code --json}: strings and whole numbers only
     */
    record Step(String name, boolean passed, String detail, Map<String, Object> fields) {}

    /** A step failed; {@link #getMessage()} is the reason shown. */
    private static final class StepFailed extends Exception {
        private static final long serialVersionUID = 1L;

        final transient Map<String, Object> fields;

        StepFailed(String reason, Map<String, Object> fields) {
            super(reason, null, false, false);
            this.fields = fields;
        }

        StepFailed(String reason) {
            this(reason, new LinkedHashMap<>());
        }
    }

    /** What arrived from the server outside a transaction: copied out of Netty's buffers. */
    private record Received(int channel, InetSocketAddress peer, byte[] data, long nanos) {}

    private final ProbeUri uri;
    private final Credentials credentials;
    private final boolean restCredentials;
    private final boolean peerCheck;
    private final Duration timeout;
    private final Consumer<Step> report;
    private final List<Step> steps = new ArrayList<>();

    private InetSocketAddress server;
    private String step;

    /**
     * @param credentials null for a {@code stun:} URI
     * @param restCredentials whether they were made from a shared secret (for the 401 advice)
     * @param report called with each step as it ends, on the caller's thread
     */
    /** TLS for turns:/stuns: URIs; null otherwise. */
    private final ClientTls tls;

    ProbeRun(
            ProbeUri uri,
            Credentials credentials,
            boolean restCredentials,
            boolean peerCheck,
            Duration timeout,
            ClientTls tls,
            Consumer<Step> report) {
        this.tls = tls;
        this.uri = uri;
        this.credentials = credentials;
        this.restCredentials = restCredentials;
        this.peerCheck = peerCheck;
        this.timeout = timeout;
        this.report = report;
    }

    List<Step> steps() {
        return steps;
    }

    /** The server's address once resolved, for the report; null before or when resolving failed. */
    InetSocketAddress server() {
        return server;
    }

    /** Runs every step; true when all passed. */
    boolean run() {
        StunClient first = null;
        StunClient second = null;
        boolean firstAllocated = false;
        boolean secondAllocated = false;
        BlockingQueue<Received> toFirst = new LinkedBlockingQueue<>();
        BlockingQueue<Received> toSecond = new LinkedBlockingQueue<>();
        try {
            step = BINDING;
            server = new InetSocketAddress(resolve(), uri.port());
            first = connect(toFirst);
            binding(first);
            if (!uri.turn()) {
                return true;
            }

            step = ALLOCATE;
            TurnAllocation a = allocate(first, null);
            firstAllocated = true;

            if (peerCheck) {
                step = ALLOCATE_PEER;
                second = connect(toSecond);
                TurnAllocation b = allocate(second, first);
                secondAllocated = true;

                step = CREATE_PERMISSION;
                createPermissions(first, a, second, b);

                step = CHANNEL_BIND;
                channelBind(first, b);

                step = DATA;
                data(first, a, second, b, toFirst, toSecond);
            }

            step = REFRESH;
            refresh(first, second);
            firstAllocated = false;
            secondAllocated = false;
            return true;
        } catch (StepFailed f) {
            record(new Step(step, false, f.getMessage(), f.fields));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record(new Step(step, false, "interrupted", new LinkedHashMap<>()));
            return false;
        } finally {
            // After a failure: give back what was allocated, without a report, within one timeout.
            CompletableFuture<?> a = firstAllocated ? quietly(first.refresh(Duration.ZERO)) : done();
            CompletableFuture<?> b = secondAllocated ? quietly(second.refresh(Duration.ZERO)) : done();
            try {
                CompletableFuture.allOf(a, b).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Best effort: the server expires the allocations at the end of their lifetime.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close(second);
            close(first);
        }
    }

    private void record(Step s) {
        steps.add(s);
        report.accept(s);
    }

    private void pass(String detail, Map<String, Object> fields) {
        record(new Step(step, true, detail, fields));
    }

    // ------------------------------------------------------------------ steps

    /** The host's address, looked up once (a literal needs no look-up); bounded by the timeout. */
    private InetAddress resolve() throws StepFailed, InterruptedException {
        if (uri.literal() != null) {
            return uri.literal();
        }
        CompletableFuture<InetAddress> lookup = new CompletableFuture<>();
        Thread resolver = new Thread(
                () -> {
                    try {
                        lookup.complete(InetAddress.getByName(uri.host()));
                    } catch (UnknownHostException | RuntimeException e) {
                        lookup.completeExceptionally(e);
                    }
                },
                "tern-probe-resolve");
        resolver.setDaemon(true); // a resolver stuck past the timeout must not keep the JVM alive
        resolver.start();
        try {
            return lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StepFailed("timeout: the name " + uri.host() + " did not resolve within " + human(timeout)
                    + " (check the DNS resolver)");
        } catch (ExecutionException e) {
            throw new StepFailed("cannot resolve " + uri.host() + ": no such host (check the name and DNS)");
        }
    }

    private StunClient connect(BlockingQueue<Received> inbox) throws StepFailed, InterruptedException {
        InboundListener listener = new InboundListener() {
            @Override
            public void onData(InetSocketAddress peer, ByteBuf data) {
                inbox.add(new Received(-1, peer, ByteBufUtil.getBytes(data), System.nanoTime()));
            }

            @Override
            public void onChannelData(int channel, ByteBuf data) {
                inbox.add(new Received(channel, null, ByteBufUtil.getBytes(data), System.nanoTime()));
            }
        };
        StunClient.Builder builder = StunClient.builder(server)
                .protocol(uri.transport())
                .timeout(timeout)
                .connectTimeout(timeout)
                .inboundListener(listener);
        if (credentials != null) {
            builder.credentials(credentials);
        }
        if (tls != null) {
            builder.tls(tls);
        }
        CompletableFuture<StunClient> connecting = builder.connect();
        try {
            return connecting.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            connecting.thenAccept(StunClient::close); // should it connect after all
            throw new StepFailed(timeoutReason(null, "connecting"));
        } catch (ExecutionException e) {
            throw new StepFailed(reason(e, null, null));
        }
    }

    /** Bindings sent; the best round trip is reported, so JVM warm-up does not read as latency. */
    static final int BINDINGS = 3;

    private void binding(StunClient client) throws StepFailed, InterruptedException {
        InetSocketAddress reflexive = null;
        long rttNanos = Long.MAX_VALUE;
        for (int i = 0; i < BINDINGS; i++) {
            long start = System.nanoTime();
            CompletableFuture<Long> end = new CompletableFuture<>();
            reflexive = await(client.binding().whenComplete((r, e) -> end.complete(System.nanoTime())), client, null);
            rttNanos = Math.min(rttNanos, end.getNow(System.nanoTime()) - start);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("reflexive", address(reflexive));
        f.put("rtt_us", TimeUnit.NANOSECONDS.toMicros(rttNanos));
        f.put("server", address(server));
        f.put("transport", transport());
        pass(
                "reflexive " + address(reflexive) + ", best rtt of " + BINDINGS + " " + ms(rttNanos) + " (server "
                        + address(server) + " " + transport() + ")",
                f);
    }

    private TurnAllocation allocate(StunClient client, StunClient other) throws StepFailed, InterruptedException {
        TurnAllocation allocation = await(client.allocate(), client, null);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("relayed", address(allocation.relayedAddress()));
        f.put("lifetime_s", allocation.lifetime().getSeconds());
        if (other == null) {
            String realm = client.realm().orElse("");
            f.put("realm", realm);
            f.put("user", credentials.username());
            pass(
                    "relayed " + address(allocation.relayedAddress()) + ", lifetime "
                            + allocation.lifetime().getSeconds() + " s, realm " + printable(realm) + ", user "
                            + printable(credentials.username()),
                    f);
        } else {
            f.put("local_port", (long) client.localAddress().getPort());
            pass(
                    "relayed " + address(allocation.relayedAddress()) + ", lifetime "
                            + allocation.lifetime().getSeconds() + " s (the peer: a second allocation from local port "
                            + client.localAddress().getPort() + ")",
                    f);
        }
        return allocation;
    }

    private void createPermissions(StunClient first, TurnAllocation a, StunClient second, TurnAllocation b)
            throws StepFailed, InterruptedException {
        await(first.createPermission(b.relayedAddress()), first, b.relayedAddress());
        await(second.createPermission(a.relayedAddress()), second, a.relayedAddress());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("first_to", ip(b.relayedAddress()));
        f.put("peer_to", ip(a.relayedAddress()));
        pass(
                "each allocation may exchange data with the other (" + ip(b.relayedAddress()) + " and "
                        + ip(a.relayedAddress()) + ")",
                f);
    }

    private void channelBind(StunClient first, TurnAllocation b) throws StepFailed, InterruptedException {
        await(first.channelBind(CHANNEL, b.relayedAddress()), first, b.relayedAddress());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("channel", (long) CHANNEL);
        f.put("peer", address(b.relayedAddress()));
        pass("channel 0x" + Integer.toHexString(CHANNEL) + " to " + address(b.relayedAddress()), f);
    }

    /**
     * {@link #MESSAGES} round trips, one at a time: ChannelData from the first allocation, which the
     * peer allocation receives as a Data indication from the first's relayed address; the peer
     * answers with a Send indication, which comes back to the first as ChannelData on the channel.
     */
    private void data(
            StunClient first,
            TurnAllocation a,
            StunClient second,
            TurnAllocation b,
            BlockingQueue<Received> toFirst,
            BlockingQueue<Received> toSecond)
            throws StepFailed, InterruptedException {
        long min = Long.MAX_VALUE;
        long max = 0;
        long sum = 0;
        for (int i = 1; i <= MESSAGES; i++) {
            // 99 to 103 bytes: every remainder modulo 4, so TCP padding is exercised both ways.
            byte[] ping = payload("ping", i, 98 + i);
            byte[] pong = payload("pong", i, 98 + i);
            long start = System.nanoTime();
            await(first.sendChannelData(CHANNEL, Unpooled.wrappedBuffer(ping)), first, null);
            Received there = toSecond.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (there == null) {
                throw new StepFailed("timeout: message " + i + " of " + MESSAGES + " (ChannelData to "
                        + address(b.relayedAddress()) + ") did not reach the peer allocation within " + human(timeout)
                        + " (lost between the client and the server, or from one relay address to the other:"
                        + " can the server reach its own relay addresses?)");
            }
            if (there.peer() == null) {
                throw new StepFailed("the peer allocation received ChannelData where a Data indication was due");
            }
            if (!there.peer().equals(a.relayedAddress())) {
                throw new StepFailed("message " + i + " reached the peer allocation from " + address(there.peer())
                        + ", not from the first allocation's relayed address " + address(a.relayedAddress()));
            }
            if (!Arrays.equals(there.data(), ping)) {
                throw new StepFailed("message " + i + " arrived altered: " + there.data().length + " bytes, expected "
                        + ping.length + (there.data().length == ping.length ? " (contents differ)" : ""));
            }
            await(second.send(a.relayedAddress(), Unpooled.wrappedBuffer(pong)), second, null);
            Received back = toFirst.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (back == null) {
                throw new StepFailed("timeout: the reply to message " + i + " (a Send indication to "
                        + address(a.relayedAddress()) + ") did not come back within " + human(timeout));
            }
            if (back.channel() != CHANNEL) {
                throw new StepFailed("the reply to message " + i + " came back "
                        + (back.channel() < 0
                                ? "as a Data indication, not as ChannelData on channel 0x4000"
                                : "on channel 0x" + Integer.toHexString(back.channel()) + ", not 0x4000"));
            }
            if (!Arrays.equals(back.data(), pong)) {
                throw new StepFailed("the reply to message " + i + " arrived altered: " + back.data().length
                        + " bytes, expected " + pong.length
                        + (back.data().length == pong.length ? " (contents differ)" : ""));
            }
            long rtt = back.nanos() - start;
            min = Math.min(min, rtt);
            max = Math.max(max, rtt);
            sum += rtt;
        }
        long avg = sum / MESSAGES;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("messages", (long) MESSAGES);
        f.put("rtt_min_us", TimeUnit.NANOSECONDS.toMicros(min));
        f.put("rtt_avg_us", TimeUnit.NANOSECONDS.toMicros(avg));
        f.put("rtt_max_us", TimeUnit.NANOSECONDS.toMicros(max));
        pass(
                MESSAGES + "/" + MESSAGES + " messages relayed to the peer allocation and " + MESSAGES
                        + " replies back, bytes exact, rtt min/avg/max " + msNumber(min) + "/" + msNumber(avg) + "/"
                        + msNumber(max) + " ms",
                f);
    }

    private void refresh(StunClient first, StunClient second) throws StepFailed, InterruptedException {
        await(first.refresh(Duration.ZERO), first, null);
        if (second != null) {
            await(second.refresh(Duration.ZERO), second, null);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("deleted", second != null ? 2L : 1L);
        pass(second != null ? "both allocations deleted (lifetime 0)" : "allocation deleted (lifetime 0)", f);
    }

    // ------------------------------------------------------------------ waiting and reasons

    /** Waits for {@code operation}, at most the timeout; a failure becomes the step's reason. */
    private <T> T await(CompletableFuture<T> operation, StunClient client, InetSocketAddress peer)
            throws StepFailed, InterruptedException {
        try {
            return operation.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StepFailed(timeoutReason(client, null));
        } catch (ExecutionException e) {
            throw new StepFailed(reason(e, client, peer), errorFields(e));
        }
    }

    private static Map<String, Object> errorFields(Throwable e) {
        Map<String, Object> f = new LinkedHashMap<>();
        if (unwrap(e) instanceof StunErrorResponseException error) {
            f.put("code", (long) error.code());
            f.put("server_reason", printable(error.reason()));
        }
        return f;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private String reason(Throwable failure, StunClient client, InetSocketAddress peer) {
        Throwable e = unwrap(failure);
        if (e instanceof TimeoutException || e instanceof ConnectTimeoutException) {
            return timeoutReason(client, null);
        }
        if (e instanceof StunErrorResponseException error) {
            return errorReason(error, client, peer);
        }
        if (e instanceof ConnectException) {
            return "connection refused: nothing listens on TCP " + address(server) + (uri.tls() ? " for TLS" : "")
                    + " (is the server running, with a TCP listener on that address?)";
        }
        if (e instanceof ClosedChannelException) {
            return "the server closed the connection";
        }
        if (e instanceof DtlsHandshakeTimeoutException) {
            return dtlsTimeout();
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return tlsReason(e);
        }
        if (e instanceof StunProtocolException) {
            return "protocol error: " + printable(e.getMessage())
                    + (e.getMessage() != null && e.getMessage().contains("integrity")
                            ? " (the answers are not signed with this password: a different password or realm on"
                                    + " the server, or a middlebox altering packets)"
                            : "");
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + printable(e.getMessage()));
    }

    /** No DTLS handshake completed: nothing answered on that UDP port, or not with DTLS. */
    private String dtlsTimeout() {
        return "timeout: no DTLS handshake with " + address(server) + " within " + human(timeout)
                + " (is the server running with DTLS on that port, and do firewalls let UDP port "
                + server.getPort() + " through?)";
    }

    /** Why a TLS handshake failed, in the terms an operator fixes it by. */
    private String tlsReason(Throwable e) {
        String m = String.valueOf(e.getMessage());
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String r = String.valueOf(root.getMessage());
        if (r.contains("PKIX") || r.contains("unable to find valid certification path") || m.contains("PKIX")) {
            return "TLS: the server's certificate is not trusted (give its CA with --ca-file FILE, or --insecure to"
                    + " skip the check)";
        }
        if (r.contains("No subject alternative") || r.contains("No name matching") || m.contains("No subject")) {
            return "TLS: the server's certificate does not name " + uri.host() + " (" + printable(r) + ")";
        }
        if (r.contains("expired") || r.contains("NotAfter")) {
            return "TLS: the server's certificate has expired (" + printable(r) + ")";
        }
        return "TLS handshake failed: " + printable(m.equals("null") ? r : m);
    }

    private String timeoutReason(StunClient client, String what) {
        if (client == null && uri.tls() && !uri.transport().isReliable()) {
            return dtlsTimeout();
        }
        String reason = "timeout: no answer from " + address(server) + " (" + transport() + ") "
                + (what == null ? "" : "while " + what + " ") + "within " + human(timeout);
        if (step.equals(BINDING)) {
            if (client != null
                    && client.stats().transportErrors() > 0
                    && !uri.transport().isReliable()) {
                return reason + " (the host answered ICMP port unreachable: nothing listens on UDP port "
                        + server.getPort() + ")";
            }
            return reason + " (is the server running and listening there, and do firewalls let " + transport()
                    + " port " + server.getPort() + " through?)";
        }
        if (step.equals(ALLOCATE)) {
            return reason + " (the server answers STUN but not Allocate: is TURN enabled, with users or a shared"
                    + " secret?)";
        }
        return reason;
    }

    private String errorReason(StunErrorResponseException error, StunClient client, InetSocketAddress peer) {
        int code = error.code();
        String realm = client == null ? "" : client.realm().orElse("");
        String serverSaid = error.reason() == null || error.reason().isBlank()
                ? ""
                : " (the server said: " + printable(error.reason()) + ")";
        return switch (code) {
            case 401 ->
                "401 wrong credentials or realm: the server"
                        + (realm.isEmpty() ? "" : " (realm " + printable(realm) + ")")
                        + " refused user " + printable(credentials == null ? "" : credentials.username())
                        + (restCredentials
                                ? "; check that --secret is the server's static-auth-secret (use-auth-secret) and"
                                        + " that both clocks agree"
                                : "; check --user and --password, and that the server defines this user for its"
                                        + " realm");
            case 403 ->
                peer != null
                        ? "403 peer refused: the server refuses relaying to " + ip(peer) + " (" + peerHint(peer)
                                + "); to check only allocations, use --peer-check none" + serverSaid
                        : "403 forbidden: the server refuses this request" + serverSaid;
            case 437 -> "437 allocation mismatch: the server has no allocation for this client" + serverSaid;
            case 438 -> "438 stale nonce, again after a retry" + serverSaid;
            case 440 -> "440 address family not supported by the server's relay" + serverSaid;
            case 441 -> "441 wrong credentials: not the user that made the allocation" + serverSaid;
            case 442 -> "442 unsupported transport: the server does not relay UDP" + serverSaid;
            case 486 ->
                "486 allocation quota reached: the user has as many allocations as the server allows"
                        + (step.equals(ALLOCATE_PEER)
                                ? " (the relay check needs two at once: raise user-quota, or use --peer-check none)"
                                : "")
                        + serverSaid;
            case 508 ->
                "508 no capacity: the server has no relay port free (min-port..max-port) or reached its"
                        + " total-quota" + serverSaid;
            case 400 -> "400 bad request: the server found the request malformed" + serverSaid;
            case 420 -> "420 unknown attribute: the server does not understand a required attribute" + serverSaid;
            default -> code + " " + printable(error.reason());
        };
    }

    /** Why a server's peer rules would refuse this address, in its options' words. */
    static String peerHint(InetSocketAddress peer) {
        InetAddress a = peer.getAddress();
        byte[] b = a.getAddress();
        if (a.isLoopbackAddress()) {
            return "a loopback address: the server must allow loopback peers (allow-loopback-peers), which is for"
                    + " tests only";
        }
        boolean cgnat = a instanceof Inet4Address && (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64;
        boolean ula = a instanceof Inet6Address && (b[0] & 0xFE) == 0xFC;
        if (a.isSiteLocalAddress() || cgnat || ula || a.isLinkLocalAddress()) {
            return "a private address: Tern refuses it unless allowed-peer-ip covers it; coturn refuses it when a"
                    + " denied-peer-ip covers it";
        }
        return "the server's peer rules (denied-peer-ip) refuse it";
    }

    // ------------------------------------------------------------------ small things

    private static CompletableFuture<?> quietly(CompletableFuture<?> f) {
        return f.handle((v, e) -> null);
    }

    private static CompletableFuture<?> done() {
        return CompletableFuture.completedFuture(null);
    }

    private static void close(StunClient client) {
        if (client != null) {
            client.close();
        }
    }

    private String transport() {
        return uri.transportName();
    }

    /** A recognisable payload: {@code tern-probe ping 3 } then random bytes, {@code length} in all. */
    private static byte[] payload(String kind, int i, int length) {
        byte[] head = ("tern-probe " + kind + " " + i + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[length];
        ThreadLocalRandom.current().nextBytes(out);
        System.arraycopy(head, 0, out, 0, Math.min(head.length, length));
        return out;
    }

    static String address(InetSocketAddress a) {
        String host =
                a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static String ip(InetSocketAddress a) {
        return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    }

    private static String ms(long nanos) {
        return msNumber(nanos) + " ms";
    }

    private static String msNumber(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** Text from the server or the network, made safe for one line of a terminal. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        s.codePoints()
                .limit(200)
                .forEach(c -> sb.appendCodePoint(Character.isISOControl(c) || c == 0x2028 || c == 0x2029 ? '?' : c));
        return sb.toString();
    }
}
