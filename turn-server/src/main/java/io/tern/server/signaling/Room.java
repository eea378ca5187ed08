package io.tern.server.signaling;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** A room: its participants in the order they joined. Touched only on the {@link Signaling} thread. */
final class Room {
    final String name;
    private final Map<String, Participant> participants = new LinkedHashMap<>();

    Room(String name) {
        this.name = name;
    }

    int size() {
        return participants.size();
    }

    Participant get(String id) {
        return participants.get(id);
    }

    void add(Participant p) {
        participants.put(p.id, p);
    }

    void remove(Participant p) {
        participants.remove(p.id);
    }

    Collection<Participant> participants() {
        return participants.values();
    }

    /** Sends to everyone but {@code except} (queued for those whose socket is lost). */
    void broadcast(Participant except, String message) {
        for (Participant p : participants.values()) {
            if (p != except) {
                p.send(message);
            }
        }
    }
}
