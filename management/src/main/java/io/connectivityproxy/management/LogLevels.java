package io.connectivityproxy.management;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.regex.Pattern;

import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;

/**
 * The loggers of this process and their levels, read and changed at run time in the log context
 * Quarkus logs through. A change lasts until the process ends; the configured levels
 * ({@code quarkus.log.category."<name>".level}) apply again at the next start.
 */
public final class LogLevels {

    /** The name the root logger (whose real name is empty) goes by in paths and answers. */
    public static final String ROOT = "ROOT";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$.\\-]{1,255}");

    private final LogContext context;

    public LogLevels(LogContext context) {
        this.context = context;
    }

    /**
     * One logger.
     *
     * @param name its name, {@link #ROOT} for the root logger
     * @param level the level set on it, empty when it inherits
     * @param effectiveLevel the level it logs at: its own, or the nearest ancestor's
     */
    public record Entry(String name, Optional<String> level, String effectiveLevel) {}

    /** A level change: the logger before and after it. */
    public record Change(Entry before, Entry after) {}

    /** Why a logger name is refused. */
    public static final class InvalidName extends Exception {
        InvalidName(String message) {
            super(message);
        }
    }

    /** Every logger created so far, by name (root first). */
    public List<Entry> list() {
        List<String> names = Collections.list(context.getLoggerNames());
        Collections.sort(names);
        List<Entry> entries = new ArrayList<>(names.size() + 1);
        entries.add(describe(context.getLogger("")));
        for (String name : names) {
            if (!name.isEmpty()) {
                entries.add(describe(context.getLogger(name)));
            }
        }
        return entries;
    }

    /** The logger of that name (created if it did not exist yet, as any {@code getLogger} would). */
    public Entry get(String name) throws InvalidName {
        return describe(logger(name));
    }

    /** Sets (or, with an empty level, clears) the level of a logger; answers its state before and after. */
    public Change set(String name, Optional<Level> level) throws InvalidName {
        Logger logger = logger(name);
        if (level.isEmpty() && logger.getName().isEmpty()) {
            throw new InvalidName("the root logger cannot inherit a level: give it one");
        }
        Entry before = describe(logger);
        logger.setLevel(level.orElse(null));
        return new Change(before, describe(logger));
    }

    private Logger logger(String name) throws InvalidName {
        if (ROOT.equals(name)) {
            return context.getLogger("");
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidName("logger name: letters, digits, '.', '_', '$' and '-' (1 to 255 characters), " + "or "
                    + ROOT + " for the root logger");
        }
        return context.getLogger(name);
    }

    private static Entry describe(Logger logger) {
        Level own = logger.getLevel();
        java.util.logging.Logger current = logger;
        Level effective = own;
        while (effective == null && current.getParent() != null) {
            current = current.getParent();
            effective = current.getLevel();
        }
        String name = logger.getName().isEmpty() ? ROOT : logger.getName();
        return new Entry(
                name,
                Optional.ofNullable(own).map(Level::getName),
                effective == null ? Level.INFO.getName() : effective.getName());
    }
}
