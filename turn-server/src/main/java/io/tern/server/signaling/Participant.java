package io.tern.server.signaling;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;

/**
 * One person in a room: id, display name, media state, and either a live connection or, while its
 * socket is lost, a bounded queue of the messages addressed to it. Touched only on the {@link
 * Signaling} thread.
 */
final class Participant {
    /** Messages kept for a participant whose socket is lost; beyond this the oldest go. */
    static final int MAX_QUEUED = 64;

    /**
     * Characters kept for a participant whose socket is lost, at least: 64 full-size messages
     * would let a few sockets hold megabytes each for a whole grace period.
     */
    static final int MIN_QUEUE_CHARS = 256 * 1024;

    final String id;
    final String name;
    final Room room;
    boolean audio;
    boolean video;

    /** The live connection; null while the socket is lost (within the grace period). */
    SignalConnection connection;

    /** The token that may resume this participant; null while there is none. */
    String resumeToken;

    /** Ends the grace period; null while connected. */
    ScheduledFuture<?> graceTimer;

    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final int maxQueueChars;
    private int queuedChars;

    /** {@code maxQueueChars}: how much text the queue may hold (the oldest messages go first). */
    Participant(String id, String name, Room room, boolean audio, boolean video, int maxQueueChars) {
        this.id = id;
        this.name = name;
        this.room = room;
        this.audio = audio;
        this.video = video;
        this.maxQueueChars = maxQueueChars;
    }

    /** Sends now, or queues while the socket is lost. */
    void send(String message) {
        if (connection != null) {
            connection.send(message);
            return;
        }
        queue.addLast(message);
        queuedChars += message.length();
        while (queue.size() > MAX_QUEUED || queuedChars > maxQueueChars) {
            queuedChars -= queue.pollFirst().length();
        }
    }

    /** The oldest queued message (taken off the queue), or null when there is none. */
    String pollQueued() {
        String m = queue.pollFirst();
        if (m != null) {
            queuedChars -= m.length();
        }
        return m;
    }

    void clearQueue() {
        queue.clear();
        queuedChars = 0;
    }
}
