package io.connectivityproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.PrincipalTokens;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.TargetProtocol;

/**
 * The principal propagation headers on seeded random field lists: every input is either read
 * or refused with {@link PrincipalHeaders.Malformed}, and whatever is read can be carried in an
 * OPEN frame and decodes back to the same tokens. Rerun a failure with {@code -Dfuzz.seed=<seed>}.
 */
class PrincipalHeadersFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final String[] NAMES = {
        PrincipalHeaders.USER,
        PrincipalHeaders.TECHNICAL,
        "sap-connectivity-authentication",
        "SAP-CONNECTIVITY-TECHNICAL-AUTHENTICATION",
        "Authorization",
        "X-Other"
    };
    private static final String[] PREFIXES = {"Bearer ", "bearer ", "BEARER  ", "Bearer", "Basic ", "", " Bearer "};

    @Test
    void headersAreReadOrRefusedAndWhatIsReadTravelsInOpen() throws ProtocolException {
        Random random = new Random(SEED);
        int read = 0;
        for (int i = 0; i < 50_000; i++) {
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            for (int f = random.nextInt(4); f > 0; f--) {
                fields.add(Map.entry(
                        NAMES[random.nextInt(NAMES.length)],
                        PREFIXES[random.nextInt(PREFIXES.length)] + randomToken(random)));
            }
            PrincipalTokens tokens;
            try {
                tokens = PrincipalHeaders.read(fields);
            } catch (PrincipalHeaders.Malformed e) {
                assertTrue(!e.getMessage().isEmpty(), "seed " + SEED);
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + ", iteration " + i + ": " + e + " for " + fields, e);
            }
            read++;
            Frame.Open open = (Frame.Open) FrameCodec.decode(
                    FrameCodec.encode(new Frame.Open(1, TargetProtocol.HTTP, "h", 80, 0, new byte[0], tokens)));
            assertEquals(tokens, open.principals(), "seed " + SEED + ", iteration " + i);
        }
        assertTrue(read > 5_000, "seed " + SEED + ": only " + read + " field lists were read");
    }

    private static String randomToken(Random random) {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(20) == 0 ? FrameCodec.MAX_TOKEN_LENGTH + random.nextInt(3) - 1 : random.nextInt(60);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(40);
            out.append(kind == 0 ? ' ' : kind == 1 ? '\u00e9' : kind == 2 ? '\t' : (char) (0x21 + random.nextInt(94)));
        }
        return out.toString();
    }
}
