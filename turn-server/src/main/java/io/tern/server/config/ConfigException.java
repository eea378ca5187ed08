package io.tern.server.config;

/**
 * A configuration the server refuses to start with. The message names the option, the value and
 * the fix, because the operator reads it at a terminal with no other context.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String option;

    public ConfigException(String option, String value, String fix) {
        super("invalid " + option + " = " + value + ": " + fix);
        this.option = option;
    }

    /** The option's name, without leading dashes. */
    public String option() {
        return option;
    }
}
