package io.connectivityproxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.jboss.logmanager.Level;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.Test;

/** The logger tree of a log context of its own, so the test never touches the JVM's loggers. */
class LogLevelsTest {

    private final LogContext context = LogContext.create();
    private final LogLevels levels = new LogLevels(context);

    @Test
    void aLevelSetOnALoggerIsWhatItAndItsChildrenLogAt() throws Exception {
        context.getLogger("").setLevel(Level.INFO);
        org.jboss.logmanager.Logger child = context.getLogger("io.example.child");
        assertFalse(child.isLoggable(Level.DEBUG));

        LogLevels.Change change = levels.set("io.example", Optional.of(Level.DEBUG));
        assertEquals(new LogLevels.Entry("io.example", Optional.empty(), "INFO"), change.before());
        assertEquals(new LogLevels.Entry("io.example", Optional.of("DEBUG"), "DEBUG"), change.after());
        assertTrue(child.isLoggable(Level.DEBUG), "the child inherits the new level");
        assertEquals(
                new LogLevels.Entry("io.example.child", Optional.empty(), "DEBUG"), levels.get("io.example.child"));

        levels.set("io.example", Optional.empty());
        assertFalse(child.isLoggable(Level.DEBUG), "cleared: inherited from the root again");
    }

    @Test
    void theListHasTheRootFirstAndEveryLoggerSorted() throws Exception {
        context.getLogger("").setLevel(Level.WARN);
        context.getLogger("b.logger");
        context.getLogger("a.logger").setLevel(Level.ERROR);
        var list = levels.list();
        assertEquals(new LogLevels.Entry("ROOT", Optional.of("WARN"), "WARN"), list.get(0));
        assertTrue(list.contains(new LogLevels.Entry("a.logger", Optional.of("ERROR"), "ERROR")), list.toString());
        assertTrue(list.contains(new LogLevels.Entry("b.logger", Optional.empty(), "WARN")), list.toString());
        assertTrue(list.indexOf(new LogLevels.Entry("a.logger", Optional.of("ERROR"), "ERROR"))
                < list.indexOf(new LogLevels.Entry("b.logger", Optional.empty(), "WARN")));
    }

    @Test
    void theRootGoesByRootAndKeepsALevel() throws Exception {
        levels.set(LogLevels.ROOT, Optional.of(Level.ERROR));
        assertEquals(Level.ERROR, context.getLogger("").getLevel());
        assertEquals(
                "the root logger cannot inherit a level: give it one",
                assertThrows(LogLevels.InvalidName.class, () -> levels.set("ROOT", Optional.empty()))
                        .getMessage());
    }

    @Test
    void oddNamesAreRefused() {
        for (String name : new String[] {"", "a b", "a/b", "x".repeat(256), "é"}) {
            assertTrue(
                    assertThrows(LogLevels.InvalidName.class, () -> levels.get(name))
                            .getMessage()
                            .startsWith("logger name: letters, digits"),
                    name);
        }
    }
}
