package io.tern.server.metrics;

/** Why an allocation ended: a label of {@code tern_allocations_ended_total} and of the end log line. */
public enum AllocationEnd {
    /** Its lifetime passed without a Refresh. */
    EXPIRED("expired"),
    /** The client sent Refresh with LIFETIME 0. */
    DELETED("deleted by the client"),
    /** Its TCP or TLS connection closed. */
    CONNECTION_CLOSED("client connection closed"),
    /** The server stopped while it was open. */
    SHUTDOWN("server stopping");

    private final String description;

    AllocationEnd(String description) {
        this.description = description;
    }

    @Override
    public String toString() {
        return description;
    }
}
