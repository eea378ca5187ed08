package io.tern.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
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
import io.tern.stun.StunWriter;
import io.tern.stun.TransactionId;
import io.tern.stun.attr.AttributeCodec;
import io.tern.stun.attr.AttributeType;
import io.tern.stun.attr.StunAttribute;
import io.tern.stun.channel.ChannelData;
import io.tern.stun.integrity.PasswordAlgorithm;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
 * <p><b>TURN</b> (RFC 8656) is a handful of calls on the same client, given credentials; data from
 * peers arrives at the {@link InboundListener}:
 *
 * <pre>{@code
 * InboundListener listener = new InboundListener() {
 *     public void onData(InetSocketAddress peer, ByteBuf data) { ... }       // Data indication
 *     public void onChannelData(int channel, ByteBuf data) { ... }          // ChannelData
 * };
 * try (StunClient turn = StunClient.builder(server)
 *         .protocol(TransportProtocol.TCP)
 *         .credentials(new Credentials("alice", "secret"))
 *         .inboundListener(listener)
 *         .connect()
 *         .get()) {
 *     TurnAllocation allocation = turn.allocate().get();       // the 401 dance happens here
 *     turn.createPermission(peer).get();
 *     turn.send(peer, Unpooled.copiedBuffer(payload));          // a Send indication
 *     turn.channelBind(0x4000, peer).get();
 *     turn.sendChannelData(0x4000, Unpooled.copiedBuffer(payload));
 *     turn.refresh(Duration.ZERO).get();                         // deletes the allocation
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
                : new LongTermAuthenticator(
                        options.credentials(), options.passwordAlgorithms(), transactions, transport.alloc());
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
     * challenge is answered with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY, or
     * MESSAGE-INTEGRITY-SHA256 when SHA-256 is the password algorithm chosen (see {@link
     * Builder#passwordAlgorithms}); a 438 stale nonce is retried once with the fresh nonce, and the
     * realm and nonce are kept for the next request. Completes with the final response, success or
     * error; a response whose integrity does not check out is discarded.
     *
     * @throws IllegalStateException when the client has no credentials
     */
    public CompletableFuture<StunMessage> authenticatedRequest(int method, StunAttribute... attributes) {
        return authenticated(method, List.of(attributes));
    }

    private CompletableFuture<StunMessage> authenticated(int method, List<StunAttribute> attributes) {
        if (authenticator == null) {
            throw new IllegalStateException("no credentials: set them with Builder.credentials()");
        }
        return authenticator.request(method, attributes);
    }

    /**
     * A TURN Allocate (RFC 8656 §7) for a UDP relay with the server's default lifetime; see {@link
     * #allocate(Duration, StunAttribute...)}.
     */
    public CompletableFuture<TurnAllocation> allocate(StunAttribute... extra) {
        return allocateWith(null, extra);
    }

    /**
     * A TURN Allocate (RFC 8656 §7) under the client's credentials: REQUESTED-TRANSPORT UDP, LIFETIME,
     * then {@code extra} (EVEN-PORT, RESERVATION-TOKEN, REQUESTED-ADDRESS-FAMILY...). A
     * REQUESTED-TRANSPORT among {@code extra} replaces the UDP one. Fails with {@link
     * StunErrorResponseException} on an error response (437, 440, 486, 508...).
     *
     * @param lifetime the lifetime to ask for, in whole seconds; the server caps or raises it
     */
    public CompletableFuture<TurnAllocation> allocate(Duration lifetime, StunAttribute... extra) {
        return allocateWith(Objects.requireNonNull(lifetime, "lifetime"), extra);
    }

    private CompletableFuture<TurnAllocation> allocateWith(Duration lifetime, StunAttribute[] extra) {
        List<StunAttribute> attributes = new ArrayList<>(extra.length + 2);
        boolean transportGiven = false;
        for (StunAttribute a : extra) {
            transportGiven |= a.type() == AttributeType.REQUESTED_TRANSPORT;
        }
        if (!transportGiven) {
            attributes.add(new StunAttribute.RequestedTransport(StunAttribute.RequestedTransport.UDP));
        }
        if (lifetime != null) {
            attributes.add(new StunAttribute.Lifetime(seconds(lifetime)));
        }
        attributes.addAll(List.of(extra));
        return authenticated(StunMethod.ALLOCATE, attributes)
                .thenCompose(response -> success(
                        response, allocation(response), "XOR-RELAYED-ADDRESS, XOR-MAPPED-ADDRESS and LIFETIME"));
    }

    private static Optional<TurnAllocation> allocation(StunMessage response) {
        Optional<InetSocketAddress> relayed = address(response, AttributeType.XOR_RELAYED_ADDRESS);
        Optional<InetSocketAddress> mapped = address(response, AttributeType.XOR_MAPPED_ADDRESS);
        Optional<StunAttribute.Lifetime> lifetime = response.attribute(StunAttribute.Lifetime.class);
        if (relayed.isEmpty() || mapped.isEmpty() || lifetime.isEmpty()) {
            return Optional.empty();
        }
        OptionalLong token = response.attribute(StunAttribute.ReservationToken.class)
                .map(t -> OptionalLong.of(t.token()))
                .orElse(OptionalLong.empty());
        return Optional.of(new TurnAllocation(
                relayed.get(), mapped.get(), Duration.ofSeconds(lifetime.get().seconds()), token));
    }

    /**
     * A TURN Refresh (RFC 8656 §8) of this 5-tuple's allocation; completes with the lifetime the
     * server granted. {@link Duration#ZERO} deletes the allocation. Fails with {@link
     * StunErrorResponseException} on an error response (437 when there is no allocation).
     */
    public CompletableFuture<Duration> refresh(Duration lifetime) {
        return authenticated(StunMethod.REFRESH, List.of(new StunAttribute.Lifetime(seconds(lifetime))))
                .thenCompose(response -> success(
                        response,
                        response.attribute(StunAttribute.Lifetime.class).map(l -> Duration.ofSeconds(l.seconds())),
                        "LIFETIME"));
    }

    /**
     * A TURN CreatePermission (RFC 8656 §9) for the IP addresses of {@code peers} (ports are
     * ignored): data from and to them may pass for 5 minutes.
     */
    public CompletableFuture<Void> createPermission(InetSocketAddress... peers) {
        if (peers.length == 0) {
            throw new IllegalArgumentException("createPermission needs at least one peer");
        }
        List<StunAttribute> attributes = new ArrayList<>(peers.length);
        for (InetSocketAddress peer : peers) {
            attributes.add(new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer));
        }
        return authenticated(StunMethod.CREATE_PERMISSION, attributes).thenCompose(StunClient::succeeded);
    }

    /**
     * A TURN ChannelBind (RFC 8656 §11): binds {@code channel} (0x4000-0x4FFF) to {@code peer} for
     * 10 minutes, or refreshes the binding; it also installs the permission for the peer's IP.
     */
    public CompletableFuture<Void> channelBind(int channel, InetSocketAddress peer) {
        requireChannel(channel);
        return authenticated(
                        StunMethod.CHANNEL_BIND,
                        List.of(
                                new StunAttribute.ChannelNumber(channel),
                                new StunAttribute.Address(AttributeType.XOR_PEER_ADDRESS, peer)))
                .thenCompose(StunClient::succeeded);
    }

    /**
     * Sends {@code data} to {@code peer} through the allocation in a Send indication (RFC 8656
     * §11.2). Indications get no answer: the future completes when the message is written, and
     * data the server drops (no permission) is lost silently. Takes ownership of {@code data}.
     */
    public CompletableFuture<Void> send(InetSocketAddress peer, ByteBuf data) {
        ByteBuf out = null;
        try {
            Objects.requireNonNull(peer, "peer");
            int length = data.readableBytes();
            // Header, XOR-PEER-ADDRESS (IPv6 at most), DATA with its padding, FINGERPRINT.
            out = transport.alloc().ioBuffer(StunReader.HEADER_LENGTH + 24 + 4 + length + 3 + 8);
            // An indication's transaction id need not be unpredictable: nothing answers it.
            ThreadLocalRandom random = ThreadLocalRandom.current();
            ByteBuf indication = new StunWriter()
                    .begin(out, StunClass.INDICATION.messageType(StunMethod.SEND), random.nextLong(), random.nextInt())
                    .address(AttributeType.XOR_PEER_ADDRESS, peer)
                    .attribute(AttributeType.DATA, data, data.readerIndex(), length)
                    .fingerprint()
                    .finish();
            out = null;
            return written(transport.send(indication));
        } finally {
            data.release();
            if (out != null) {
                out.release();
            }
        }
    }

    /**
     * Sends {@code data} to the peer bound to {@code channel} as a ChannelData message (RFC 8656
     * §12.5), padded to a multiple of 4 bytes over TCP. Like {@link #send}, completes when written
     * and takes ownership of {@code data}.
     */
    public CompletableFuture<Void> sendChannelData(int channel, ByteBuf data) {
        try {
            requireChannel(channel);
            int length = data.readableBytes();
            if (length > 0xFFFF) {
                throw new IllegalArgumentException("ChannelData carries at most 65535 bytes: " + length);
            }
            int padding = transport.protocol().isReliable() ? ChannelData.streamPadding(length) : 0;
            ByteBuf frame = transport.alloc().ioBuffer(ChannelData.HEADER_LENGTH + length + padding);
            ChannelData.writeHeader(frame, channel, length);
            frame.writeBytes(data, data.readerIndex(), length).writeZero(padding);
            return written(transport.send(frame));
        } finally {
            data.release();
        }
    }

    private static void requireChannel(int channel) {
        if (!ChannelData.isValidChannel(channel)) {
            throw new IllegalArgumentException(
                    "channel numbers are 0x4000-0x4FFF (RFC 8656 §12): 0x" + Integer.toHexString(channel));
        }
    }

    /** LIFETIME's whole seconds, an unsigned 32-bit number. */
    private static long seconds(Duration lifetime) {
        long s = lifetime.getSeconds();
        if (s < 0 || s > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("lifetime out of range: " + lifetime);
        }
        return s;
    }

    private static Optional<InetSocketAddress> address(StunMessage message, int type) {
        return message.attribute(type).map(a -> ((StunAttribute.Address) a).address());
    }

    /** Success without a value, or the failure an error response stands for. */
    private static CompletableFuture<Void> succeeded(StunMessage response) {
        return success(response, Optional.of(Boolean.TRUE), "").thenApply(ok -> null);
    }

    private static CompletableFuture<Void> written(ChannelFuture write) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        write.addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
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
            if (reader.method() == StunMethod.DATA) {
                onDataIndication();
                return;
            }
            StunMessage indication;
            try {
                indication = StunMessage.of(reader);
            } catch (StunParseException e) {
                counters.droppedMalformed.increment();
                return;
            }
            inbound.onIndication(indication);
        }

        /** RFC 8656 §11.6: both XOR-PEER-ADDRESS and DATA, or the indication is discarded. */
        private void onDataIndication() {
            int peerIndex = reader.indexOf(AttributeType.XOR_PEER_ADDRESS);
            int dataIndex = reader.indexOf(AttributeType.DATA);
            InetSocketAddress peer = null;
            if (peerIndex >= 0 && dataIndex >= 0) {
                try {
                    peer = ((StunAttribute.Address) AttributeCodec.decode(reader, peerIndex)).address();
                } catch (StunParseException e) {
                    peer = null;
                }
            }
            if (peer == null) {
                counters.droppedMalformed.increment();
                return;
            }
            // A slice of the received frame, not a copy.
            inbound.onData(peer, reader.buffer().slice(reader.valueOffset(dataIndex), reader.valueLength(dataIndex)));
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
            List<PasswordAlgorithm> passwordAlgorithms,
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
        private InetSocketAddress localAddress;
        private Credentials credentials;
        private List<PasswordAlgorithm> passwordAlgorithms = List.of(PasswordAlgorithm.SHA_256, PasswordAlgorithm.MD5);
        private InboundListener inbound = InboundListener.IGNORE;
        private ClientTls tls;

        private Builder(InetSocketAddress server) {
            this.server = Objects.requireNonNull(server, "server");
        }

        /** UDP (the default) or TCP. */
        public Builder protocol(TransportProtocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /**
         * Runs the connection over TLS ({@code turns:}) with {@link TransportProtocol#TCP}, or over
         * DTLS 1.2 ({@code turns:...?transport=udp}) with {@link TransportProtocol#UDP}; {@link
         * #connect()} completes once the handshake has and fails if the server's certificate is
         * refused or, for DTLS, if no handshake completes within the connect timeout.
         */
        public Builder tls(ClientTls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
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

        /**
         * The local address to bind, e.g. to pick the interface or source IP; port 0 for an
         * ephemeral one. By default an ephemeral port on the wildcard address.
         */
        public Builder localAddress(InetSocketAddress localAddress) {
            this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
            return this;
        }

        /** Long-term credentials for {@link StunClient#authenticatedRequest}. */
        public Builder credentials(Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * The password algorithms (RFC 8489 §18.5) the client may use, most preferred first; the
         * first that the server offers in PASSWORD-ALGORITHMS is used. SHA-256 then MD5 by default,
         * so SHA-256 (with MESSAGE-INTEGRITY-SHA256) whenever the server offers it, whatever its
         * order. {@code passwordAlgorithms(PasswordAlgorithm.MD5)} forces MD5 (MESSAGE-INTEGRITY).
         * When the server offers none of them, authenticated requests fail with {@link
         * StunProtocolException}. A server that sends no PASSWORD-ALGORITHMS (RFC 5389) means MD5.
         */
        public Builder passwordAlgorithms(PasswordAlgorithm... preference) {
            if (preference.length == 0) {
                throw new IllegalArgumentException("name at least one password algorithm");
            }
            this.passwordAlgorithms = List.of(preference);
            return this;
        }

        /** Where relayed data, indications and ChannelData from the server go; dropped by default. */
        public Builder inboundListener(InboundListener inbound) {
            this.inbound = Objects.requireNonNull(inbound, "inbound");
            return this;
        }

        /**
         * Binds the local address (an ephemeral port by default) and connects it (UDP) or the TCP
         * connection to the server.
         */
        public CompletableFuture<StunClient> connect() {
            Options options =
                    new Options(retransmission, reliableTimeout, timeout, credentials, passwordAlgorithms, inbound);
            EventLoopGroup owned = group == null ? new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()) : null;
            EventLoopGroup loops = group != null ? group : owned;
            return NettyTransport.connect(protocol, loops, server, localAddress, connectTimeout, tls)
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
