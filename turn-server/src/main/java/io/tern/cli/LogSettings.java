package io.tern.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.tern.server.config.ConfigException;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-level} and {@code --log-format}: applied to Logback's root logger at start-up and
 * again on reload, so an operator can turn on DEBUG for a live incident without a restart.
 */
final class LogSettings {
    /** The text layout of {@code logback.xml}; one line per event. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} - %msg%n";

    /** Output formats: text for people, JSON (one object per line) for log pipelines. */
    enum Format {
        TEXT,
        JSON
    }

    private LogSettings() {}

    /** The root level of Logback's own configuration, before Tern first changed it. */
    private static Level configuredLevel;

    /**
     * The level named by {@code value} (case-insensitive), or a ConfigException naming the option;
     * null for none given, which means the level of Logback's configuration (INFO in Tern's jar).
     */
    static Level level(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.ERROR;
            case "warn", "warning" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default -> throw new ConfigException("log-level", value, "use error, warn, info, debug or trace");
        };
    }

    /** The format named by {@code value} (case-insensitive), or a ConfigException naming the option. */
    static Format format(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "text" -> Format.TEXT;
            case "json" -> Format.JSON;
            default -> throw new ConfigException("log-format", value, "use text or json");
        };
    }

    /**
     * Sets the root level ({@code null}: back to the configured one) and re-encodes every stream
     * appender of the root logger in {@code format} when it is not in that format yet. Does nothing
     * when SLF4J is not bound to Logback (Tern embedded in another application).
     */
    static void apply(Level level, Format format) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            apply(context, level, format);
        }
    }

    /** As {@link #apply(Level, Format)}, on {@code context}. */
    static synchronized void apply(LoggerContext context, Level level, Format format) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (configuredLevel == null) {
            configuredLevel = root.getLevel();
        }
        root.setLevel(level != null ? level : configuredLevel);
        reencode(context, root.iteratorForAppenders(), format);
    }

    /** Re-encodes the stream appenders among {@code appenders}, and those behind an async one. */
    private static void reencode(LoggerContext context, Iterator<Appender<ILoggingEvent>> appenders, Format format) {
        while (appenders.hasNext()) {
            Appender<ILoggingEvent> next = appenders.next();
            if (next instanceof AsyncAppenderBase<ILoggingEvent> async) {
                reencode(context, async.iteratorForAppenders(), format);
            } else if (next instanceof OutputStreamAppender<ILoggingEvent> appender
                    && wrongFormat(appender.getEncoder(), format)) {
                Encoder<ILoggingEvent> encoder = encoder(context, format);
                // setEncoder only takes effect for a stopped appender; the swap is at start-up or
                // on reload, so an event logged in between by another thread may be lost.
                appender.stop();
                appender.setEncoder(encoder);
                appender.start();
            }
        }
    }

    /**
     * Writes out what the log queue still holds (at most 2 s, logback.xml's maxFlushTime) and
     * stops logging: the last thing tern does before it exits, so that "stopped" and any error
     * before it reach stderr.
     */
    static void close() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }

    private static boolean wrongFormat(Encoder<ILoggingEvent> current, Format format) {
        return format == Format.JSON ? !(current instanceof JsonEncoder) : current instanceof JsonEncoder;
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format) {
        if (format == Format.JSON) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            // One readable "formattedMessage" instead of the template plus its arguments; sequence
            // numbers and the logger context's properties add nothing a log pipeline uses.
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithSequenceNumber(false);
            json.setWithContext(false);
            json.setWithNanoseconds(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(TEXT_PATTERN);
        text.start();
        return text;
    }
}
