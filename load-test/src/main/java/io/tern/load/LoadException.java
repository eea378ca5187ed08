package io.tern.load;

/**
 * A run that cannot go on, with the message the operator reads and the process exit status: {@link
 * #USAGE} for a refused option (a non-loopback server), {@link #AUTH} when the server refuses the
 * credentials, {@link #FAILED} for everything else (no server, a refused peer).
 */
public final class LoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The run failed: no answer, an error response, a refused peer. */
    public static final int FAILED = 1;
    /** A usage error, as picocli reports them. */
    public static final int USAGE = 2;
    /** The server refused the credentials (401 after the challenge was answered). */
    public static final int AUTH = 3;

    private final int exitCode;

    public LoadException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public LoadException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
