package io.connectivityproxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

class LevelChangeTest {

    @Test
    void aKnownLevelInAnyCaseIsTaken() throws Exception {
        assertEquals(
                Optional.of(org.jboss.logmanager.Level.DEBUG),
                parse("{\"level\":\"DEBUG\"}").level());
        assertEquals(
                Optional.of(org.jboss.logmanager.Level.WARN),
                parse("{\"level\":\"warn\"}").level());
        assertEquals(
                Optional.of(java.util.logging.Level.OFF),
                parse(" {\"level\" : \"Off\"} ").level());
    }

    @Test
    void nullMeansInheritTheParentsLevel() throws Exception {
        assertEquals(Optional.empty(), parse("{\"level\":null}").level());
    }

    @Test
    void everythingElseIsRefusedNamingTheField() {
        assertEquals(
                "level: must be one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL or null, got 'LOUD'",
                refused("{\"level\":\"LOUD\"}"));
        assertEquals(
                "level: must be a string, one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL or null, got 5",
                refused("{\"level\":5}"));
        assertEquals(
                "level: required, one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL or null to inherit the "
                        + "parent's level",
                refused("{}"));
        assertEquals("unknown field 'lvl': the body has only \"level\"", refused("{\"lvl\":\"DEBUG\"}"));
        assertTrue(refused("{\"level\":\"DEBUG\",\"x\":1}").startsWith("unknown field 'x'"));
        for (String notAnObject : new String[] {"DEBUG", "\"DEBUG\"", "[\"DEBUG\"]", "null", "{", "level=DEBUG"}) {
            assertTrue(
                    refused(notAnObject).startsWith("the body is not a JSON object; send {\"level\":\"DEBUG\"}"),
                    notAnObject);
        }
        assertTrue(refused("").startsWith("the body is empty"));
    }

    @Test
    void echoedInputIsShortAndPrintable() {
        String message = refused("{\"level\":\"" + "x".repeat(500) + "\\u0007\"}");
        assertTrue(message.length() < 200, message);
        assertTrue(message.chars().noneMatch(c -> c < 0x20), message);
    }

    private static LevelChange parse(String body) throws LevelChange.Invalid {
        return LevelChange.parse(Buffer.buffer(body));
    }

    private static String refused(String body) {
        return assertThrows(LevelChange.Invalid.class, () -> parse(body)).getMessage();
    }
}
