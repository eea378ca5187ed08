package io.tern.server.signaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.tern.server.config.SignalingConfig;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling relay: rooms, participants, and the protocol of docs/signaling.md.
 *
 * <h2>Threading</h2>
 *
 * Every room, participant and resume token lives on one thread, {@link #loop} (the HTTP server's
 * single event loop), and is touched nowhere else: no locks. A connection on another event loop
 * (the shared TLS port, --tls-web) hands its messages over with {@link #execute}; on the HTTP loop itself
 * that runs inline. Settings are an immutable record behind a volatile field, swapped by a reload;
 * they apply to the next join, resume or connection.
 */
public final class Signaling {
    private static final Logger log = LoggerFactory.getLogger(Signaling.class);

    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_NAME_CHARS = 64;
    /** How much of an unknown {@code type} an error quotes back. */
    private static final int MAX_REF_CHARS = 64;

    private static final int RESUME_TOKEN_BYTES = 24;

    private final EventExecutor loop;
    private final SignalMetrics metrics;
    private final IceServers.Ports ports;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Room> rooms = new HashMap<>();
    private final Map<String, Participant> byResumeToken = new HashMap<>();
    private final ConnectionSlots slots = new ConnectionSlots();
    private long nextId = 1;

    private volatile Settings settings;

    /** What a reload may change. */
    private record Settings(SignalingConfig config, Supplier<String> turnSecret, Json json) {}

    /**
     * @param loop the thread that owns all signaling state
     * @param turnSecret the TURN REST secret the credentials in {@code iceServers} are made with
     * @param ports Tern's STUN/TURN ports, for ICE server URLs built from the client's Host header
     */
    public Signaling(
            EventExecutor loop,
            SignalingConfig config,
            Supplier<String> turnSecret,
            IceServers.Ports ports,
            SignalMetrics metrics) {
        this.loop = loop;
        this.metrics = metrics;
        this.ports = ports;
        this.settings = new Settings(config, turnSecret, new Json(config.maxMessageBytes()));
    }

    /** Applies new limits, token secret, ICE URLs and TURN secret to joins, resumes and connections from now on. */
    public void update(SignalingConfig config, Supplier<String> turnSecret) {
        settings = new Settings(config, turnSecret, new Json(config.maxMessageBytes()));
    }

    /** The current settings. */
    public SignalingConfig config() {
        return settings.config();
    }

    public SignalMetrics metrics() {
        return metrics;
    }

    /**
     * Whether a socket from {@code address} may upgrade to a signaling WebSocket: its {@code
     * Origin} header ({@code origin}, null when absent) against {@code --signal-allowed-origin},
     * then the caps on connections in total and from one address. Admitted (null), the channel
     * holds a slot until it closes; refused, the refusal is counted and nothing is held. Any event
     * loop may call this.
     */
    public UpgradeRefusal admit(Channel channel, InetAddress address, String origin) {
        SignalingConfig c = settings.config();
        UpgradeRefusal refusal = c.originAllowed(origin)
                ? slots.acquire(address, c.maxConnections(), c.maxConnectionsPerIp())
                : UpgradeRefusal.ORIGIN;
        if (refusal == null) {
            channel.closeFuture().addListener(f -> slots.release(address));
        } else {
            metrics.countRefused(refusal);
        }
        return refusal;
    }

    /**
     * The handler for a socket just upgraded to a WebSocket; {@code host} is the client's {@code
     * Host} header (may be null).
     */
    public ChannelHandler newConnection(Channel channel, String host) {
        SignalingConfig c = settings.config();
        String urlHost = IceServers.hostOf(host);
        if (urlHost == null) {
            urlHost = IceServers.hostOf((java.net.InetSocketAddress) channel.localAddress());
        }
        return new SignalConnection(
                this, channel, urlHost, c.rate(), c.idleTimeout().toNanos());
    }

    void execute(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Everything below runs on the signaling thread.

    /** One text message from a client. */
    void onMessage(SignalConnection c, String text) {
        if (c.finished) {
            return;
        }
        Json json = settings.json();
        JsonNode node;
        try {
            node = json.parse(text);
        } catch (JsonProcessingException e) {
            refuse(c, SignalError.BAD_MESSAGE, "not JSON: " + e.getOriginalMessage(), null);
            return;
        }
        JsonNode typeNode = node.isObject() ? node.get("type") : null;
        if (typeNode == null || !typeNode.isTextual()) {
            refuse(
                    c,
                    SignalError.BAD_MESSAGE,
                    node.isObject() ? "a message needs a string member \"type\"" : "a message is a JSON object",
                    null);
            return;
        }
        String typeName = typeNode.textValue();
        MessageType type = MessageType.of(typeName);
        if (type == null) {
            String ref = typeName.length() > MAX_REF_CHARS ? typeName.substring(0, MAX_REF_CHARS) : typeName;
            refuse(c, SignalError.UNKNOWN_TYPE, "unknown type; see docs/signaling.md", ref);
            return;
        }
        metrics.message(type);
        try {
            switch (type) {
                case JOIN -> join(c, (ObjectNode) node);
                case RESUME -> resume(c, (ObjectNode) node);
                case OFFER, ANSWER, CANDIDATE -> relay(c, type, (ObjectNode) node);
                case MEDIA -> media(c, (ObjectNode) node);
                case LEAVE -> leave(c);
                case PING -> c.send(json.write(json.object().put("type", "pong")));
            }
        } catch (Refusal r) {
            refuse(c, r.code, r.getMessage(), type.wire());
        }
    }

    /** Sends an error without a {@code ref}. */
    void refuse(SignalConnection c, SignalError code, String message) {
        refuse(c, code, message, null);
    }

    private void refuse(SignalConnection c, SignalError code, String message, String ref) {
        if (c.finished) {
            return;
        }
        metrics.error(code);
        Json json = settings.json();
        ObjectNode error =
                json.object().put("type", "error").put("code", code.code()).put("message", message);
        if (ref != null) {
            error.put("ref", ref);
        }
        c.send(json.write(error));
    }

    private void join(SignalConnection c, ObjectNode msg) {
        if (c.participant != null) {
            throw new Refusal(SignalError.ALREADY_JOINED, "already in room " + c.participant.room.name);
        }
        String roomName = string(msg, "room");
        if (!ROOM.matcher(roomName).matches()) {
            throw new Refusal(SignalError.BAD_MESSAGE, "a room name is 1-64 characters of A-Z a-z 0-9 _ . -");
        }
        String name = displayName(string(msg, "name"));
        boolean audio = true;
        boolean video = true;
        JsonNode media = msg.get("media");
        if (media != null) {
            if (!media.isObject()) {
                throw new Refusal(SignalError.BAD_MESSAGE, "media is an object {audio, video}");
            }
            audio = optionalBoolean(media, "audio");
            video = optionalBoolean(media, "video");
        }
        SignalingConfig config = settings.config();
        if (config.tokenSecret() != null) {
            checkToken(config.tokenSecret(), roomName, msg.get("token"));
        }
        Room room = rooms.get(roomName);
        if (room == null) {
            if (rooms.size() >= config.maxRooms()) {
                throw new Refusal(SignalError.TOO_MANY_ROOMS, "the server has as many rooms as it allows");
            }
        } else if (room.size() >= config.maxRoomSize()) {
            throw new Refusal(SignalError.ROOM_FULL, "the room has " + room.size() + " participants, the limit");
        }
        if (room == null) {
            room = new Room(roomName);
            rooms.put(roomName, room);
            metrics.roomCreated();
        }
        int maxQueueChars = Math.max(Participant.MIN_QUEUE_CHARS, 2 * config.maxMessageBytes());
        Participant p = new Participant("p" + nextId++, name, room, audio, video, maxQueueChars);
        room.add(p);
        attach(p, c);
        c.send(welcome("joined", p, c));
        Json json = settings.json();
        room.broadcast(p, json.write(json.object().put("type", "peer-joined").set("peer", describe(p))));
    }

    private void checkToken(String secret, String room, JsonNode token) {
        if (token == null || !token.isTextual()) {
            throw new Refusal(SignalError.BAD_TOKEN, "this server needs a signed join token (member \"token\")");
        }
        switch (JoinTokens.verify(secret, room, token.textValue(), Instant.now().getEpochSecond())) {
            case OK -> {}
            case EXPIRED -> throw new Refusal(SignalError.BAD_TOKEN, "the join token has expired");
            default -> throw new Refusal(SignalError.BAD_TOKEN, "the join token is not valid for this room");
        }
    }

    private void resume(SignalConnection c, ObjectNode msg) {
        if (c.participant != null) {
            throw new Refusal(SignalError.ALREADY_JOINED, "already in room " + c.participant.room.name);
        }
        String token = string(msg, "token");
        Participant p = byResumeToken.remove(token);
        if (p == null) {
            throw new Refusal(SignalError.RESUME_FAILED, "unknown or expired resume token; join again");
        }
        p.resumeToken = null;
        if (p.graceTimer != null) {
            p.graceTimer.cancel(false);
            p.graceTimer = null;
        }
        SignalConnection old = p.connection;
        if (old != null) {
            // The server has not noticed the old socket's loss yet: the new one takes over.
            old.participant = null;
            old.finished = true;
            old.close(WebSocketCloseStatus.NORMAL_CLOSURE, "resumed on another connection");
        }
        attach(p, c);
        c.send(welcome("resumed", p, c));
        for (String queued = p.pollQueued(); queued != null; queued = p.pollQueued()) {
            c.send(queued);
        }
        Json json = settings.json();
        p.room.broadcast(p, json.write(json.object().put("type", "peer-back").put("peer", p.id)));
    }

    private void attach(Participant p, SignalConnection c) {
        p.connection = c;
        c.participant = p;
        p.resumeToken = newResumeToken();
        byResumeToken.put(p.resumeToken, p);
    }

    private String newResumeToken() {
        byte[] bytes = new byte[RESUME_TOKEN_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** {@code joined} or {@code resumed}. */
    private String welcome(String type, Participant p, SignalConnection c) {
        Settings s = settings;
        Json json = s.json();
        ObjectNode m = json.object()
                .put("type", type)
                .put("room", p.room.name)
                .put("self", p.id)
                .put("resume", p.resumeToken);
        long graceMillis = s.config().resumeGrace().toMillis();
        if (graceMillis % 1000 == 0) {
            m.put("grace", graceMillis / 1000);
        } else {
            m.put("grace", graceMillis / 1000.0);
        }
        ArrayNode peers = m.putArray("peers");
        for (Participant other : p.room.participants()) {
            if (other != p) {
                ObjectNode entry = describe(other);
                if (other.connection == null) {
                    // Within its grace period: an offer now would wait in its queue, and its ICE
                    // would likely time out first; the client waits for peer-back instead.
                    entry.put("away", true);
                }
                peers.add(entry);
            }
        }
        List<String> urls = IceServers.urls(s.config().iceUrls(), c.host, ports);
        long expiry =
                Instant.now().getEpochSecond() + s.config().credentialTtl().getSeconds();
        m.set("iceServers", IceServers.build(json, urls, s.turnSecret().get(), p.id, expiry));
        return json.write(m);
    }

    private ObjectNode describe(Participant p) {
        ObjectNode o = settings.json().object().put("id", p.id).put("name", p.name);
        o.putObject("media").put("audio", p.audio).put("video", p.video);
        return o;
    }

    private void relay(SignalConnection c, MessageType type, ObjectNode msg) {
        Participant from = joined(c);
        String to = string(msg, "to");
        JsonNode payload = msg.get("payload");
        if (payload == null) {
            throw new Refusal(SignalError.BAD_MESSAGE, type.wire() + " needs a member \"payload\"");
        }
        Participant target = from.room.get(to);
        if (target == null) {
            throw new Refusal(SignalError.UNKNOWN_PEER, "no participant " + abbreviate(to) + " in this room");
        }
        Json json = settings.json();
        ObjectNode out = json.object().put("type", type.wire()).put("from", from.id);
        out.set("payload", payload);
        target.send(json.write(out));
    }

    private void media(SignalConnection c, ObjectNode msg) {
        Participant p = joined(c);
        JsonNode audio = msg.get("audio");
        JsonNode video = msg.get("video");
        if (audio == null || !audio.isBoolean() || video == null || !video.isBoolean()) {
            throw new Refusal(SignalError.BAD_MESSAGE, "media needs booleans \"audio\" and \"video\"");
        }
        p.audio = audio.booleanValue();
        p.video = video.booleanValue();
        Json json = settings.json();
        p.room.broadcast(
                p,
                json.write(json.object()
                        .put("type", "media")
                        .put("peer", p.id)
                        .put("audio", p.audio)
                        .put("video", p.video)));
    }

    private void leave(SignalConnection c) {
        Participant p = joined(c);
        c.participant = null;
        p.connection = null;
        remove(p, "left");
    }

    /** A connection closed; a participant it spoke for may come back within the grace period. */
    void lost(SignalConnection c) {
        if (c.finished) {
            return;
        }
        c.finished = true;
        Participant p = c.participant;
        if (p == null) {
            return;
        }
        c.participant = null;
        p.connection = null;
        long graceMillis = settings.config().resumeGrace().toMillis();
        if (graceMillis == 0) {
            remove(p, "closed");
            return;
        }
        Json json = settings.json();
        p.room.broadcast(p, json.write(json.object().put("type", "peer-away").put("peer", p.id)));
        p.graceTimer = loop.schedule(
                () -> {
                    p.graceTimer = null;
                    remove(p, "timeout");
                },
                graceMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Takes a participant out of its room for good and tells the others why. */
    private void remove(Participant p, String reason) {
        if (p.resumeToken != null) {
            byResumeToken.remove(p.resumeToken);
            p.resumeToken = null;
        }
        if (p.graceTimer != null) {
            p.graceTimer.cancel(false);
            p.graceTimer = null;
        }
        p.clearQueue();
        Room room = p.room;
        room.remove(p);
        if (room.size() == 0) {
            rooms.remove(room.name);
            metrics.roomRemoved();
            return;
        }
        Json json = settings.json();
        room.broadcast(
                null,
                json.write(
                        json.object().put("type", "peer-left").put("peer", p.id).put("reason", reason)));
        log.debug("participant {} left room {} ({})", p.id, room.name, reason);
    }

    private static Participant joined(SignalConnection c) {
        if (c.participant == null) {
            throw new Refusal(SignalError.NOT_JOINED, "join a room first");
        }
        return c.participant;
    }

    private static String string(ObjectNode msg, String member) {
        JsonNode v = msg.get(member);
        if (v == null || !v.isTextual()) {
            throw new Refusal(SignalError.BAD_MESSAGE, "a string member \"" + member + "\" is required");
        }
        return v.textValue();
    }

    private static boolean optionalBoolean(JsonNode media, String member) {
        JsonNode v = media.get(member);
        if (v == null) {
            return true;
        }
        if (!v.isBoolean()) {
            throw new Refusal(SignalError.BAD_MESSAGE, "media." + member + " is a boolean");
        }
        return v.booleanValue();
    }

    private static String displayName(String raw) {
        String name = raw.strip();
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_NAME_CHARS || name.codePoints().anyMatch(Character::isISOControl)) {
            throw new Refusal(
                    SignalError.BAD_MESSAGE,
                    "a display name is 1-64 characters (after trimming), no control characters");
        }
        return name;
    }

    private static String abbreviate(String s) {
        return s.length() > MAX_REF_CHARS ? s.substring(0, MAX_REF_CHARS) + "…" : s;
    }

    /** A request refused with an error code; cheap, as clients can cause many. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final transient SignalError code;

        Refusal(SignalError code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}
