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

    final ArrayDeque<String> queue = new ArrayDeque<>();

    Participant(String id, String name, Room room, boolean audio, boolean video) {
        this.id = id;
        this.name = name;
        this.room = room;
        this.audio = audio;
        this.video = video;
    }

    /** Sends now, or queues while the socket is lost. */
    void send(String message) {
        if (connection != null) {
            connection.send(message);
            return;
        }
        if (queue.size() == MAX_QUEUED) {
            queue.pollFirst();
        }
        queue.addLast(message);
    }
}
