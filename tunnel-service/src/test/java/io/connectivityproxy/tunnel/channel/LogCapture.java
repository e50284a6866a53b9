package io.connectivityproxy.tunnel.channel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/** The log lines one logger category writes while this is open. */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    static LogCapture of(Class<?> category) {
        return new LogCapture(Logger.getLogger(category.getName()));
    }

    /** Lines at {@code level} (JBoss WARN is WARNING, ERROR is SEVERE) that contain {@code text}. */
    long count(Level level, String text) {
        return records.stream()
                .filter(r -> r.getLevel().intValue() == level.intValue())
                .filter(r -> message(r).contains(text))
                .count();
    }

    List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + message(r)).toList();
    }

    private static String message(LogRecord record) {
        return record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : String.valueOf(record.getMessage());
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
