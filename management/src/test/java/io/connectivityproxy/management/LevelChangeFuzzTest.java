package io.connectivityproxy.management;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

/**
 * The level-change body on seeded random bytes and on mutations of valid bodies. A failure names
 * the seed; rerun it with {@code -Dfuzz.seed=<seed>}. Properties: parsing ends in a level change
 * or a refusal with a short printable message, never another exception; and whatever is accepted
 * is exactly one "level" field whose value names a level or is null.
 */
class LevelChangeFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final String[] VALID = {
        "{\"level\":\"DEBUG\"}", "{\"level\":null}", "{\"level\":\"trace\"}", "{ \"level\" : \"INFO\" }"
    };

    @Test
    void randomBytes() {
        Random random = new Random(SEED);
        for (int i = 0; i < 5_000; i++) {
            byte[] input = new byte[random.nextInt(64)];
            random.nextBytes(input);
            check(input);
        }
    }

    @Test
    void mutatedValidBodies() {
        Random random = new Random(SEED);
        byte[] alphabet = "{}[]\":,nul 0123456789.eE+-\\level DEBUG INFO".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 15_000; i++) {
            byte[] input = VALID[random.nextInt(VALID.length)].getBytes(StandardCharsets.US_ASCII);
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(input.length);
                switch (random.nextInt(3)) {
                    case 0 -> input[at] = alphabet[random.nextInt(alphabet.length)];
                    case 1 -> input = java.util.Arrays.copyOf(input, Math.max(0, at));
                    default -> {
                        byte[] longer = new byte[input.length + 1];
                        System.arraycopy(input, 0, longer, 0, at);
                        longer[at] = alphabet[random.nextInt(alphabet.length)];
                        System.arraycopy(input, at, longer, at + 1, input.length - at);
                        input = longer;
                    }
                }
                if (input.length == 0) {
                    break;
                }
            }
            check(input);
        }
    }

    private static void check(byte[] input) {
        try {
            LevelChange change = LevelChange.parse(Buffer.buffer(input));
            String text = new String(input, StandardCharsets.UTF_8);
            assertTrue(text.contains("level"), () -> "seed " + SEED + ": accepted without a level field: " + text);
            change.level()
                    .ifPresent(level -> assertTrue(
                            LevelChange.LEVELS.containsValue(level),
                            () -> "seed " + SEED + ": accepted an unknown level " + level));
        } catch (LevelChange.Invalid e) {
            String message = e.getMessage();
            assertTrue(
                    message.length() < 300 && message.chars().noneMatch(c -> c < 0x20),
                    () -> "seed " + SEED + ": refusal message too long or not printable: " + message);
        } catch (RuntimeException e) {
            fail(
                    "seed " + SEED + ": " + e + " for input "
                            + java.util.HexFormat.of().formatHex(input),
                    e);
        }
    }
}
