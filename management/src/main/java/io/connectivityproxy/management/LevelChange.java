package io.connectivityproxy.management;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * The body of {@code PUT /admin/loggers/<name>}: {@code {"level":"DEBUG"}}, or
 * {@code {"level":null}} to let the logger inherit its parent's level again. Anything else is
 * refused with a message that names the field.
 *
 * @param level the level to set; empty to inherit
 */
public record LevelChange(Optional<Level> level) {

    /** The levels a logger may be given, from OFF (nothing) to ALL (everything). */
    public static final Map<String, Level> LEVELS = orderedLevels();

    /** Why a body was refused. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /** Reads a body; throws {@link Invalid} for anything but one "level" field of a known name or null. */
    public static LevelChange parse(Buffer body) throws Invalid {
        if (body == null || body.length() == 0) {
            throw new Invalid("the body is empty; send {\"level\":\"DEBUG\"} (levels: " + names() + ")");
        }
        Object decoded;
        try {
            decoded = Json.decodeValue(body);
        } catch (DecodeException e) {
            decoded = null;
        }
        if (!(decoded instanceof JsonObject json)) {
            throw new Invalid("the body is not a JSON object; send {\"level\":\"DEBUG\"} (levels: " + names() + ")");
        }
        for (String field : json.fieldNames()) {
            if (!"level".equals(field)) {
                throw new Invalid("unknown field '" + shorten(field) + "': the body has only \"level\"");
            }
        }
        if (!json.containsKey("level")) {
            throw new Invalid("level: required, one of " + names() + " or null to inherit the parent's level");
        }
        Object value = json.getValue("level");
        if (value == null) {
            return new LevelChange(Optional.empty());
        }
        if (!(value instanceof String name)) {
            throw new Invalid(
                    "level: must be a string, one of " + names() + " or null, got " + shorten(String.valueOf(value)));
        }
        Level level = LEVELS.get(name.toUpperCase(Locale.ROOT));
        if (level == null) {
            throw new Invalid("level: must be one of " + names() + " or null, got '" + shorten(name) + "'");
        }
        return new LevelChange(Optional.of(level));
    }

    static String names() {
        return String.join(", ", LEVELS.keySet());
    }

    /** Echoed input is cut short, so that a huge or hostile body does not become a huge reply. */
    private static String shorten(String text) {
        String printable = text.codePoints()
                .map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "…";
    }

    private static Map<String, Level> orderedLevels() {
        Map<String, Level> levels = new LinkedHashMap<>();
        levels.put("OFF", Level.OFF);
        levels.put("FATAL", org.jboss.logmanager.Level.FATAL);
        levels.put("ERROR", org.jboss.logmanager.Level.ERROR);
        levels.put("WARN", org.jboss.logmanager.Level.WARN);
        levels.put("INFO", org.jboss.logmanager.Level.INFO);
        levels.put("DEBUG", org.jboss.logmanager.Level.DEBUG);
        levels.put("TRACE", org.jboss.logmanager.Level.TRACE);
        levels.put("ALL", Level.ALL);
        return Collections.unmodifiableMap(levels);
    }
}
