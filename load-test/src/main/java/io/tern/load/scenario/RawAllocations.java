package io.tern.load.scenario;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tern.client.Credentials;
import io.tern.client.RetransmissionPolicy;
import io.tern.load.report.Meter;
import io.tern.stun.StunClass;
import io.tern.stun.StunMethod;
import io.tern.stun.StunReader;
import io.tern.stun.StunWriter;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.integrity.LongTermKey;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lean client of the allocate scenario over UDP: each worker is a thread making one allocation
 * after another with a blocking socket and the codec alone. A turn-client per allocation (a Netty
 * channel, futures, a transaction table) costs tern-load several hundred microseconds of CPU, more
 * than the server spends on the allocation, so with it a run measures tern-load; this costs tens.
 *
 * <p>One cycle, as a new client makes it: a new socket on the next source address (127.0.0.1,
 * 127.0.0.2, ...); Allocate without credentials, answered 401 with REALM and NONCE; Allocate signed
 * with the long-term key (MESSAGE-INTEGRITY: HMAC-SHA1 over the MD5 key, which every TURN server
 * takes); Refresh (unless told not to); Refresh with LIFETIME 0; close. A request unanswered is sent
 * again after 500 ms, then 1 s, 2 s... (RFC 8489's schedule, as turn-client); one still unanswered
 * at the timeout ends the cycle and counts as a timeout, and any answer but the expected one as an
 * error.
 */
final class RawAllocations {
    /** REQUESTED-TRANSPORT's protocol number for UDP. */
    private static final int UDP = 17;
    /** The first retransmission timeout: RFC 8489's, as turn-client uses. */
    private static final long RTO_NANOS = RetransmissionPolicy.RFC_8489.rto().toNanos();

    private final InetSocketAddress server;
    private final Credentials credentials;
    private final int timeoutMillis;
    private final int sourceIps;
    private final boolean refresh;
    private final AtomicReference<Meter[]> recording;
    private final LongAdder authFailures;
    private final AtomicLong budget;
    private final long deadline;
    private final AtomicInteger clients = new AtomicInteger();
    /** Whether the clients can spread over 127.0.0.x (an IPv6 server is reached from ::1 alone). */
    private final boolean ipv4;

    /**
     * @param recording the meters (allocate, refresh, delete) results go to; swapped by the caller
     *     when warm-up ends
     * @param budget allocations left to make in all; each cycle takes one
     * @param deadline System.nanoTime() after which no cycle starts
     */
    RawAllocations(
            InetSocketAddress server,
            Credentials credentials,
            int timeoutMillis,
            int sourceIps,
            boolean refresh,
            AtomicReference<Meter[]> recording,
            LongAdder authFailures,
            AtomicLong budget,
            long deadline) {
        this.server = server;
        this.credentials = credentials;
        this.timeoutMillis = timeoutMillis;
        this.sourceIps = sourceIps;
        this.refresh = refresh;
        this.recording = recording;
        this.authFailures = authFailures;
        this.budget = budget;
        this.deadline = deadline;
        this.ipv4 = server.getAddress() instanceof Inet4Address;
    }

    /** Starts {@code workers} threads; each returns when the budget or the deadline runs out. */
    Thread[] start(int workers) {
        Thread[] threads = new Thread[workers];
        for (int i = 0; i < workers; i++) {
            threads[i] = new Thread(new Worker(), "tern-load-allocate-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        return threads;
    }

    /** Why a cycle ended early. */
    private static final class Failed extends Exception {
        final boolean timeout;
        final int code;

        Failed(boolean timeout, int code) {
            super(null, null, false, false);
            this.timeout = timeout;
            this.code = code;
        }
    }

    private final class Worker implements Runnable {
        private final StunWriter writer = new StunWriter();
        private final StunReader reader = new StunReader();
        private final ByteBuf out = Unpooled.buffer(512);
        private final byte[] in = new byte[1500];
        private final DatagramPacket received = new DatagramPacket(in, in.length);
        private String realm;
        private byte[] key;

        @Override
        public void run() {
            while (System.nanoTime() < deadline && budget.getAndDecrement() > 0) {
                Meter[] meters = recording.get();
                meters[0].sent.increment();
                int client = clients.getAndIncrement();
                InetSocketAddress local = ipv4
                        ? new InetSocketAddress(ClientPool.sourceAddress(client % sourceIps), 0)
                        : new InetSocketAddress(0);
                try (DatagramSocket socket = new DatagramSocket(local)) {
                    socket.connect(server);
                    cycle(socket, meters);
                } catch (IOException e) {
                    meters[0].errors.increment();
                }
            }
        }

        private void cycle(DatagramSocket socket, Meter[] meters) throws IOException {
            Meter step = meters[0];
            long t0 = System.nanoTime();
            try {
                transact(socket, StunMethod.ALLOCATE, null, -1);
                // Allocated without credentials: not the server this scenario is for.
                step.errors.increment();
                return;
            } catch (Failed challenge) {
                if (challenge.timeout || challenge.code != 401) {
                    count(step, challenge);
                    return;
                }
            }
            byte[] nonce = bytes(AttributeType.NONCE);
            String offered = reader.text(AttributeType.REALM);
            if (nonce == null || offered == null) {
                step.errors.increment();
                return;
            }
            if (!offered.equals(realm)) {
                realm = offered;
                key = LongTermKey.md5(credentials.username(), realm, credentials.password());
            }
            try {
                transact(socket, StunMethod.ALLOCATE, nonce, -1);
                step.recordNanos(System.nanoTime() - t0);
                step.received.increment();
                if (refresh) {
                    step = meters[1];
                    step.sent.increment();
                    long t1 = System.nanoTime();
                    transact(socket, StunMethod.REFRESH, nonce, (int) RelayCommand.LIFETIME.toSeconds());
                    step.recordNanos(System.nanoTime() - t1);
                    step.received.increment();
                }
                step = meters[2];
                step.sent.increment();
                long t2 = System.nanoTime();
                transact(socket, StunMethod.REFRESH, nonce, 0);
                step.recordNanos(System.nanoTime() - t2);
                step.received.increment();
            } catch (Failed failed) {
                count(step, failed);
            }
        }

        private void count(Meter meter, Failed failed) {
            if (failed.timeout) {
                meter.timeouts.increment();
            } else {
                meter.errors.increment();
                if (failed.code == 401) {
                    authFailures.increment();
                }
            }
        }

        /**
         * Sends one request (signed when {@code nonce} is given; with LIFETIME when {@code lifetime}
         * is not negative) and waits for its success answer, which {@link #reader} then reads.
         */
        private void transact(DatagramSocket socket, int method, byte[] nonce, int lifetime)
                throws IOException, Failed {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long txHigh = random.nextLong();
            int txLow = random.nextInt();
            writer.begin(out.clear(), StunClass.REQUEST.messageType(method), txHigh, txLow);
            if (method == StunMethod.ALLOCATE) {
                writer.firstOctet(AttributeType.REQUESTED_TRANSPORT, UDP);
            }
            if (lifetime >= 0) {
                writer.u32(AttributeType.LIFETIME, lifetime);
            }
            if (nonce != null) {
                writer.text(AttributeType.USERNAME, credentials.username())
                        .text(AttributeType.REALM, realm)
                        .attribute(AttributeType.NONCE, nonce)
                        .messageIntegrity(key);
            }
            ByteBuf request = writer.fingerprint().finish();
            DatagramPacket packet = new DatagramPacket(request.array(), request.arrayOffset(), request.readableBytes());
            socket.send(packet);
            long now = System.nanoTime();
            long giveUp = now + timeoutMillis * 1_000_000L;
            long rto = RTO_NANOS;
            long resend = now + rto;
            while (true) {
                long wait = Math.min(resend, giveUp) - System.nanoTime();
                if (wait <= 0) {
                    if (System.nanoTime() >= giveUp) {
                        throw new Failed(true, 0);
                    }
                    // As a client does (RFC 8489 §6.2.1): the same request again, twice as late.
                    socket.send(packet);
                    rto *= 2;
                    resend = System.nanoTime() + rto;
                    continue;
                }
                socket.setSoTimeout((int) Math.max(1, wait / 1_000_000L));
                received.setLength(in.length);
                try {
                    socket.receive(received);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                ByteBuf answer = Unpooled.wrappedBuffer(in, 0, received.getLength());
                if (reader.wrap(answer) == null
                        && reader.transactionIdHigh() == txHigh
                        && reader.transactionIdLow() == txLow) {
                    break;
                }
                // Not the answer to this request (a late one to an earlier cycle's): wait on.
            }
            if (reader.messageClass() != StunClass.SUCCESS_RESPONSE) {
                throw new Failed(false, errorCode());
            }
        }

        private int errorCode() {
            int i = reader.indexOf(AttributeType.ERROR_CODE);
            if (i < 0 || reader.valueLength(i) < 4) {
                return 0;
            }
            ByteBuf b = reader.buffer();
            int at = reader.valueOffset(i);
            return (b.getByte(at + 2) & 0x7) * 100 + (b.getByte(at + 3) & 0xFF);
        }

        private byte[] bytes(int type) {
            int i = reader.indexOf(type);
            if (i < 0) {
                return null;
            }
            byte[] value = new byte[reader.valueLength(i)];
            reader.buffer().getBytes(reader.valueOffset(i), value);
            return value;
        }
    }
}
