package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tern.stun.ParseError;
import io.tern.stun.StunClass;
import io.tern.stun.StunMessage;
import io.tern.stun.StunMessageBuilder;
import io.tern.stun.StunMethod;
import io.tern.stun.StunParseException;
import io.tern.stun.StunReader;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.channel.ChannelData;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An asynchronous STUN client for one server over UDP or TCP, on Netty.
 *
 * <pre>{@code
 * try (StunClient client = StunClient.builder(new InetSocketAddress("stun.example.org", 3478))
 *         .connect()
 *         .get()) {
 *     InetSocketAddress reflexive = client.binding().get();
 * }
 * }</pre>
 *
 * <p><b>Layers.</b> A {@link Transport} moves frames (a datagram, or one message of a TCP stream).
 * {@link Transactions} sends requests, retransmits them over UDP as RFC 8489 §6.2.1 says, and
 * matches responses by transaction id. This class sorts what arrives (responses to the
 * transactions, indications and ChannelData to an {@link InboundListener}) and offers the
 * operations. The TURN operations of RFC 8656 (Allocate, Refresh, CreatePermission, ChannelBind,
 * Send) are requests and indications on the same layers.
 *
 * <p><b>Threads.</b> Each client lives on one event loop: all its state is touched there, without
 * locks. The methods may be called from any thread. Futures complete on the event loop, so stages
 * chained with {@code thenApply} and the like run there too and must not block; use the {@code
 * ...Async} variants to leave it.
 *
 * <p><b>Event loops.</b> Pass a group with {@link Builder#eventLoopGroup} to share it between many
 * clients (the load generator does); the client then never shuts it down. Without one the client
 * creates a one-thread NIO group of its own and shuts it down in {@link #close()}. A shared group
 * must be able to run NIO channels.
 *
 * <p><b>Responses.</b> A response that does not parse, fails its FINGERPRINT, or matches no
 * request in flight is dropped and counted in {@link #stats()}, and retransmission carries on as if
 * it had never arrived.
 */
public final class StunClient implements AutoCloseable {
    /** Ti, RFC 8489 §6.2.2: how long to wait for a response over TCP. */
    public static final Duration DEFAULT_RELIABLE_TIMEOUT = Duration.ofMillis(39_500);

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Transport transport;
    private final EventLoopGroup ownedGroup;
    private final Transactions transactions;
    private final LongTermAuthenticator authenticator;
    private final InboundListener inbound;
    private final Counters counters = new Counters();
    /** Reused for every inbound STUN message; touched only on the event loop. */
    private final StunReader reader = new StunReader();

    private StunClient(Transport transport, EventLoopGroup ownedGroup, Options options) {
        this.transport = transport;
        this.ownedGroup = ownedGroup;
        this.transactions = new Transactions(
                transport, options.retransmission(), options.reliableTimeout(), options.timeout(), counters);
        this.authenticator = options.credentials() == null
                ? null
                : new LongTermAuthenticator(options.credentials(), transactions, transport.alloc());
        this.inbound = options.inbound();
        transport.start(new Dispatcher());
    }

    /** Starts configuring a client for the server at {@code server}. */
    public static Builder builder(InetSocketAddress server) {
        return new Builder(server);
    }

    /**
     * Sends a request built with {@link StunMessage#builder} and completes with the response to it,
     * success or error: an error response is a completed transaction too. Fails with {@link
     * TransactionTimeoutException} when nothing answers, or {@link ClosedChannelException} when the
     * client closes first.
     */
    public CompletableFuture<StunMessage> request(StunMessageBuilder.Sealed request) {
        return request(request.encode(transport.alloc()));
    }

    /**
     * Sends an already encoded request and takes ownership of the buffer; the transaction id and
     * method are read from it. For callers that encode with {@link io.tern.stun.StunWriter}.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed STUN request
     */
    public CompletableFuture<StunMessage> request(ByteBuf request) {
        ParseError error = new StunReader().wrap(request);
        if (error != null
                || StunClass.ofMessageType(request.getUnsignedShort(request.readerIndex())) != StunClass.REQUEST) {
            request.release();
            throw new IllegalArgumentException(
                    "not a STUN request: " + (error != null ? error.description() : "wrong message class"));
        }
        return transactions.start(request, null);
    }

    /** A request of {@code method} with these attributes, a fresh transaction id and FINGERPRINT. */
    public CompletableFuture<StunMessage> request(int method, StunAttribute... attributes) {
        StunMessageBuilder.Attributes message = StunMessage.builder(StunClass.REQUEST, method, TransactionId.random());
        for (StunAttribute attribute : attributes) {
            message.add(attribute);
        }
        return request(message.fingerprint());
    }

    /**
     * A request under the long-term credentials given to the builder (RFC 8489 §9.2): the 401
     * challenge is answered with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY (or
     * MESSAGE-INTEGRITY-SHA256 when the server offers SHA-256), a 438 stale nonce is retried once
     * with the fresh nonce, and the realm and nonce are kept for the next request. Completes with
     * the final response; a response whose integrity does not check out is discarded.
     *
     * @throws IllegalStateException when the client has no credentials
     */
    public CompletableFuture<StunMessage> authenticatedRequest(int method, StunAttribute... attributes) {
        if (authenticator == null) {
            throw new IllegalStateException("no credentials: set them with Builder.credentials()");
        }
        return authenticator.request(method, List.of(attributes));
    }

    /**
     * A Binding request (RFC 8489): completes with the client's address as the server saw it, from
     * XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS from an RFC 3489 server). Fails with {@link
     * StunErrorResponseException} on an error response.
     */
    public CompletableFuture<InetSocketAddress> binding() {
        return request(StunMethod.BINDING).thenCompose(response -> {
            Optional<StunAttribute> mapped = response.attribute(AttributeType.XOR_MAPPED_ADDRESS)
                    .or(() -> response.attribute(AttributeType.MAPPED_ADDRESS));
            return success(response, mapped.map(a -> ((StunAttribute.Address) a).address()), "XOR-MAPPED-ADDRESS");
        });
    }

    /**
     * The common ending of an operation: the value from a success response, or the failure the
     * response stands for.
     */
    static <T> CompletableFuture<T> success(StunMessage response, Optional<T> value, String attributeName) {
        if (response.messageClass() == StunClass.ERROR_RESPONSE) {
            Optional<StunAttribute.ErrorCode> error = response.attribute(StunAttribute.ErrorCode.class);
            return CompletableFuture.failedFuture(
                    error.isPresent()
                            ? new StunErrorResponseException(response, error.get())
                            : new StunProtocolException("error response without ERROR-CODE"));
        }
        return value.map(CompletableFuture::completedFuture)
                .orElseGet(() -> CompletableFuture.failedFuture(new StunProtocolException(
                        StunMethod.name(response.method()) + " success response without " + attributeName)));
    }

    /** The realm learned from the server's 401, once an authenticated request has run. */
    public Optional<String> realm() {
        return authenticator == null ? Optional.empty() : authenticator.realm();
    }

    public TransportProtocol protocol() {
        return transport.protocol();
    }

    /** The client's own address: the ephemeral port it bound. */
    public InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    public InetSocketAddress serverAddress() {
        return transport.remoteAddress();
    }

    public ClientStats stats() {
        return counters.snapshot();
    }

    /**
     * Closes the socket, fails the requests in flight with {@link ClosedChannelException}, and shuts
     * down the event loop group if the client created it. Waits for that unless called from the
     * event loop itself.
     */
    @Override
    public void close() {
        var closed = transport.close();
        boolean onLoop = transport.eventLoop().inEventLoop();
        if (!onLoop) {
            closed.awaitUninterruptibly();
        }
        if (ownedGroup != null) {
            var terminated = ownedGroup.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            if (!onLoop) {
                terminated.awaitUninterruptibly();
            }
        }
    }

    /** Sorts inbound frames; runs on the event loop. RFC 7983: the first byte tells the kind. */
    private final class Dispatcher implements Transport.Listener {
        @Override
        public void onFrame(ByteBuf frame) {
            if (!frame.isReadable()) {
                counters.droppedMalformed.increment();
                return;
            }
            int first = frame.getUnsignedByte(frame.readerIndex());
            if (first < 0x40) {
                onStun(frame);
            } else if (ChannelData.isChannelData(first)) {
                onChannelData(frame);
            } else {
                counters.droppedUnexpected.increment();
            }
        }

        private void onStun(ByteBuf frame) {
            if (reader.wrap(frame) != null || (reader.hasFingerprint() && !reader.verifyFingerprint())) {
                counters.droppedMalformed.increment();
                return;
            }
            switch (reader.messageClass()) {
                case SUCCESS_RESPONSE, ERROR_RESPONSE -> transactions.onResponse(reader);
                case INDICATION -> onIndication();
                case REQUEST -> counters.droppedUnexpected.increment(); // servers do not ask clients
            }
        }

        private void onIndication() {
            StunMessage indication;
            try {
                indication = StunMessage.of(reader);
            } catch (StunParseException e) {
                counters.droppedMalformed.increment();
                return;
            }
            inbound.onIndication(indication);
        }

        private void onChannelData(ByteBuf frame) {
            if (ChannelData.validate(frame) != null) {
                counters.droppedMalformed.increment();
                return;
            }
            int dataStart = frame.readerIndex() + ChannelData.HEADER_LENGTH;
            // A slice, not a copy; over TCP it leaves out the padding after the data.
            inbound.onChannelData(ChannelData.channel(frame), frame.slice(dataStart, ChannelData.dataLength(frame)));
        }

        @Override
        public void onError(Throwable cause) {
            counters.transportErrors.increment();
        }

        @Override
        public void onClosed(Throwable cause) {
            ClosedChannelException closed = new ClosedChannelException();
            if (cause != null) {
                closed.initCause(cause);
            }
            transactions.closeAll(closed);
        }
    }

    /** What {@link Builder#connect()} fixed; the builder may change afterwards without effect. */
    private record Options(
            RetransmissionPolicy retransmission,
            Duration reliableTimeout,
            Duration timeout,
            Credentials credentials,
            InboundListener inbound) {}

    /** Options for a client; {@link #connect()} makes one. */
    public static final class Builder {
        private final InetSocketAddress server;
        private TransportProtocol protocol = TransportProtocol.UDP;
        private EventLoopGroup group;
        private RetransmissionPolicy retransmission = RetransmissionPolicy.RFC_8489;
        private Duration reliableTimeout = DEFAULT_RELIABLE_TIMEOUT;
        private Duration timeout;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Credentials credentials;
        private InboundListener inbound = InboundListener.IGNORE;

        private Builder(InetSocketAddress server) {
            this.server = Objects.requireNonNull(server, "server");
        }

        /** UDP (the default) or TCP. */
        public Builder protocol(TransportProtocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /** A group to share; the client will not shut it down. Without one it owns a 1-thread group. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /** The UDP retransmission schedule; RFC 8489's by default (RTO 500 ms, Rc 7, Rm 16). */
        public Builder retransmission(RetransmissionPolicy retransmission) {
            this.retransmission = Objects.requireNonNull(retransmission, "retransmission");
            return this;
        }

        /** Ti: how long a TCP request waits for its response; 39.5 s by default. */
        public Builder reliableTimeout(Duration reliableTimeout) {
            this.reliableTimeout = positive(reliableTimeout, "reliableTimeout");
            return this;
        }

        /**
         * A cap on how long any transaction may take, on either transport, when it is shorter than
         * the protocol's own (39.5 s). Tests and probes use it to fail fast.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** How long a TCP connect may take; 10 s by default. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** Long-term credentials for {@link StunClient#authenticatedRequest}. */
        public Builder credentials(Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Where indications and ChannelData from the server go; dropped by default. */
        public Builder inboundListener(InboundListener inbound) {
            this.inbound = Objects.requireNonNull(inbound, "inbound");
            return this;
        }

        /** Binds an ephemeral local port and connects it (UDP) or the TCP connection to the server. */
        public CompletableFuture<StunClient> connect() {
            Options options = new Options(retransmission, reliableTimeout, timeout, credentials, inbound);
            EventLoopGroup owned = group == null ? new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()) : null;
            EventLoopGroup loops = group != null ? group : owned;
            return NettyTransport.connect(protocol, loops, server, connectTimeout)
                    .whenComplete((transport, error) -> {
                        if (error != null && owned != null) {
                            owned.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                        }
                    })
                    .thenApply(transport -> new StunClient(transport, owned, options));
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
