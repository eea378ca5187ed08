package io.tern.server.metrics;

import io.tern.server.auth.AuthResult;
import io.tern.stun.ParseError;
import io.tern.stun.StunMethod;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters. {@link LongAdder}s, so event loops count without contention or
 * allocation; exported (Prometheus) by the HTTP side.
 */
public final class ServerMetrics {
    private static final int METHODS = 16;

    private final Map<ParseError, LongAdder> malformed = new EnumMap<>(ParseError.class);
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
    private final LongAdder[] successes = new LongAdder[METHODS];
    private final LongAdder[] errors = new LongAdder[METHODS];
    private final LongAdder tcpConnections = new LongAdder();
    private final Map<RelayDrop, LongAdder> relayDrops = new EnumMap<>(RelayDrop.class);
    /**
     * Relayed traffic by the client's transport: index {@code ClientTransport.ordinal()} (UDP, TCP,
     * TLS, DTLS), kept as an int here so that counting needs no lookup.
     */
    public static final int TRANSPORTS = 4;

    private final LongAdder[] packetsToPeers = adders(TRANSPORTS);
    private final LongAdder[] bytesToPeers = adders(TRANSPORTS);
    private final LongAdder[] packetsToClients = adders(TRANSPORTS);
    private final LongAdder[] bytesToClients = adders(TRANSPORTS);
    private final Map<AuthResult.Outcome, LongAdder> authFailures = new EnumMap<>(AuthResult.Outcome.class);
    private final LongAdder allocationsStarted = new LongAdder();
    private final LongAdder allocationsEnded = new LongAdder();
    private final Map<AllocationEnd, LongAdder> endedBy = new EnumMap<>(AllocationEnd.class);
    /** Error responses by method and by {@link #ERROR_CODES} slot (the last slot: any other code). */
    private final LongAdder[][] errorsByCode = new LongAdder[METHODS][ERROR_CODES.length + 1];

    private final LongAdder permissionsActive = new LongAdder();
    private final LongAdder channelsActive = new LongAdder();

    /** The error codes Tern answers with (RFC 8489 §14.8, RFC 8656 §19), each counted apart. */
    public static final int[] ERROR_CODES = {300, 400, 401, 403, 420, 437, 438, 440, 441, 442, 443, 486, 500, 508};

    private final Map<Rfc5780Answer, LongAdder> rfc5780Answers = new EnumMap<>(Rfc5780Answer.class);

    private final Map<DtlsDrop, LongAdder> dtlsDrops = new EnumMap<>(DtlsDrop.class);
    private final Map<DtlsHandshake, LongAdder> dtlsHandshakes = new EnumMap<>(DtlsHandshake.class);
    private final LongAdder dtlsHandshaking = new LongAdder();
    private final LongAdder dtlsSessions = new LongAdder();

    public ServerMetrics() {
        for (ParseError e : ParseError.values()) {
            malformed.put(e, new LongAdder());
        }
        for (DropReason r : DropReason.values()) {
            dropped.put(r, new LongAdder());
        }
        for (RelayDrop r : RelayDrop.values()) {
            relayDrops.put(r, new LongAdder());
        }
        for (AuthResult.Outcome o : AuthResult.Outcome.values()) {
            authFailures.put(o, new LongAdder());
        }
        for (Rfc5780Answer a : Rfc5780Answer.values()) {
            rfc5780Answers.put(a, new LongAdder());
        }
        for (int i = 0; i < METHODS; i++) {
            successes[i] = new LongAdder();
            errors[i] = new LongAdder();
            for (int c = 0; c <= ERROR_CODES.length; c++) {
                errorsByCode[i][c] = new LongAdder();
            }
        }
        for (AllocationEnd e : AllocationEnd.values()) {
            endedBy.put(e, new LongAdder());
        }
        for (DtlsDrop d : DtlsDrop.values()) {
            dtlsDrops.put(d, new LongAdder());
        }
        for (DtlsHandshake h : DtlsHandshake.values()) {
            dtlsHandshakes.put(h, new LongAdder());
        }
    }

    public void dtlsDropped(DtlsDrop reason) {
        dtlsDrops.get(reason).increment();
    }

    public long dtlsDropCount(DtlsDrop reason) {
        return dtlsDrops.get(reason).sum();
    }

    /** A DTLS session began its handshake (a ClientHello from a new address was taken). */
    public void dtlsHandshakeStarted() {
        dtlsHandshaking.increment();
    }

    /** A DTLS handshake ended; a completed one becomes an established session. */
    public void dtlsHandshakeEnded(DtlsHandshake outcome) {
        dtlsHandshaking.decrement();
        dtlsHandshakes.get(outcome).increment();
        if (outcome == DtlsHandshake.COMPLETED) {
            dtlsSessions.increment();
        }
    }

    /** An established DTLS session ended (close_notify, idle, its allocation's end or shutdown). */
    public void dtlsSessionEnded() {
        dtlsSessions.decrement();
    }

    public long dtlsHandshakeCount(DtlsHandshake outcome) {
        return dtlsHandshakes.get(outcome).sum();
    }

    /** DTLS sessions still in their handshake. */
    public long dtlsHandshaking() {
        return dtlsHandshaking.sum();
    }

    /** Established DTLS sessions. */
    public long dtlsSessions() {
        return dtlsSessions.sum();
    }

    public void malformed(ParseError reason) {
        malformed.get(reason).increment();
    }

    public void dropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    /** A response sent: {@code code} is its ERROR-CODE, 0 for a success response. */
    public void answered(int method, int code) {
        if (method < METHODS) {
            if (code == 0) {
                successes[method].increment();
            } else {
                errors[method].increment();
                errorsByCode[method][codeSlot(code)].increment();
            }
        }
    }

    private static int codeSlot(int code) {
        for (int i = 0; i < ERROR_CODES.length; i++) {
            if (ERROR_CODES[i] == code) {
                return i;
            }
        }
        return ERROR_CODES.length;
    }

    /** Error responses to {@code method} with this code; any code not in {@link #ERROR_CODES} for -1. */
    public long errorCount(int method, int code) {
        if (method >= METHODS) {
            return 0;
        }
        return errorsByCode[method][code == -1 ? ERROR_CODES.length : codeSlot(code)].sum();
    }

    /** A TURN request that did not authenticate, by why (the 401 of every new client included). */
    public void authFailed(AuthResult.Outcome outcome) {
        authFailures.get(outcome).increment();
    }

    public long authFailureCount(AuthResult.Outcome outcome) {
        return authFailures.get(outcome).sum();
    }

    public void relayDropped(RelayDrop reason) {
        relayDrops.get(reason).increment();
    }

    /** A packet relayed to a peer for a client on {@code transport} (a ClientTransport ordinal). */
    public void relayedToPeers(int transport, int bytes) {
        packetsToPeers[transport].increment();
        bytesToPeers[transport].add(bytes);
    }

    /** A packet relayed to a client on {@code transport} (a ClientTransport ordinal). */
    public void relayedToClient(int transport, int bytes) {
        packetsToClients[transport].increment();
        bytesToClients[transport].add(bytes);
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private static long sum(LongAdder[] a) {
        long total = 0;
        for (LongAdder x : a) {
            total += x.sum();
        }
        return total;
    }

    public long packetsToPeers(int transport) {
        return packetsToPeers[transport].sum();
    }

    public long bytesToPeers(int transport) {
        return bytesToPeers[transport].sum();
    }

    public long packetsToClients(int transport) {
        return packetsToClients[transport].sum();
    }

    public long bytesToClients(int transport) {
        return bytesToClients[transport].sum();
    }

    public void allocationStarted() {
        allocationsStarted.increment();
    }

    public void allocationEnded(AllocationEnd why) {
        allocationsEnded.increment();
        endedBy.get(why).increment();
    }

    public long allocationsEndedCount(AllocationEnd why) {
        return endedBy.get(why).sum();
    }

    /** Moves the permission and channel gauges by what one event loop's sweep counted since its last. */
    public void permissionsAndChannels(int permissionsDelta, int channelsDelta) {
        if (permissionsDelta != 0) {
            permissionsActive.add(permissionsDelta);
        }
        if (channelsDelta != 0) {
            channelsActive.add(channelsDelta);
        }
    }

    /** Permissions in force, as of each event loop's last sweep (at most a second old). */
    public long permissionsActive() {
        return permissionsActive.sum();
    }

    /** Channel bindings in force, as of each event loop's last sweep (at most a second old). */
    public long channelsActive() {
        return channelsActive.sum();
    }

    public long relayDropCount(RelayDrop reason) {
        return relayDrops.get(reason).sum();
    }

    public long packetsToPeers() {
        return sum(packetsToPeers);
    }

    public long bytesToPeers() {
        return sum(bytesToPeers);
    }

    public long packetsToClients() {
        return sum(packetsToClients);
    }

    public long bytesToClients() {
        return sum(bytesToClients);
    }

    /** Allocations that exist now. */
    public long allocationsActive() {
        return allocationsStarted.sum() - allocationsEnded.sum();
    }

    public long allocationsStartedCount() {
        return allocationsStarted.sum();
    }

    /** An RFC 5780 Binding answer that used {@code what}. */
    public void rfc5780Answered(Rfc5780Answer what) {
        rfc5780Answers.get(what).increment();
    }

    public long rfc5780AnswerCount(Rfc5780Answer what) {
        return rfc5780Answers.get(what).sum();
    }

    public void tcpConnectionOpened() {
        tcpConnections.increment();
    }

    public long malformedCount(ParseError reason) {
        return malformed.get(reason).sum();
    }

    public long droppedCount(DropReason reason) {
        return dropped.get(reason).sum();
    }

    /** Success responses sent for a method, e.g. {@link StunMethod#BINDING}. */
    public long successCount(int method) {
        return method < METHODS ? successes[method].sum() : 0;
    }

    public long errorCount(int method) {
        return method < METHODS ? errors[method].sum() : 0;
    }

    public long tcpConnectionsOpened() {
        return tcpConnections.sum();
    }
}
