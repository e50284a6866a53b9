package io.connectivityproxy.proxy.socks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.proxy.socks.Socks5Handshake.Connect;
import io.connectivityproxy.proxy.socks.Socks5Handshake.Fail;
import io.connectivityproxy.proxy.socks.Socks5Handshake.NeedMore;
import io.connectivityproxy.proxy.socks.Socks5Handshake.Reply;
import io.connectivityproxy.proxy.socks.Socks5Handshake.Step;

/**
 * Property tests of the SOCKS5 handshake on seeded random, structured and mutated input, fed in
 * random chunks. A failure names the seed; rerun it with {@code -Dfuzz.seed=<seed>}.
 * Properties: {@code feed} never throws; a Connect is only ever returned for a valid handshake
 * (checked against an independent reference parser below) and carries what the client sent;
 * every valid handshake does end in that Connect; the steps are well formed; and the handshake
 * never waits for more than {@link #BOUND} bytes, so a peer cannot make it buffer without limit.
 */
class Socks5HandshakeFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    /** Only a guard against a parser that loops forever; the whole class runs in a few seconds. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    /**
     * Largest handshake a client can send: greeting (2 + 255), method 0x80 (5 + MAX_TOKEN + 1 +
     * 255), request (4 + 1 + 255 + 2) is MAX_TOKEN + 780; a few hundred bytes of slack on top.
     */
    static final int BOUND = Socks5Handshake.MAX_TOKEN + 1024;

    private static final Set<String> REPLIES = Set.of("0500", "0580", "0100");
    private static final Set<String> FAILURES = Set.of(
            "",
            "05ff",
            "0101",
            hex(Socks5Handshake.reply(1)),
            hex(Socks5Handshake.reply(7)),
            hex(Socks5Handshake.reply(8)));
    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";
    private static final String HOST_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x7f, 0x80, 0xfe, 0xff};

    @Test
    void randomBytes() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < 150_000; i++) {
                byte[] input = new byte[random.nextInt(48)];
                random.nextBytes(input);
                // Mostly a SOCKS5 version byte and a plausible method count, so later states see random bytes.
                if (input.length > 0 && random.nextInt(4) > 0) {
                    input[0] = 5;
                }
                if (input.length > 1 && random.nextBoolean()) {
                    input[1] = (byte) (1 + random.nextInt(3));
                }
                check(input, random.nextInt(4) == 0, random, "random bytes, iteration " + i);
            }
        });
    }

    @Test
    void validHandshakesAlwaysConnect() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED + 1);
            int connects = 0;
            for (int i = 0; i < 40_000; i++) {
                boolean requireAuthorization = random.nextInt(4) == 0;
                byte[] input = validHandshake(random, requireAuthorization);
                if (check(input, requireAuthorization, random, "valid handshake, iteration " + i)) {
                    connects++;
                }
            }
            assertEquals(40_000, connects, context("every valid handshake connects", new byte[0]));
        });
    }

    @Test
    void mutatedValidHandshakes() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED + 2);
            int connects = 0;
            int refused = 0;
            for (int i = 0; i < 120_000; i++) {
                boolean requireAuthorization = random.nextInt(4) == 0;
                byte[] input = validHandshake(random, requireAuthorization);
                int mutations = 1 + random.nextInt(3);
                for (int m = 0; m < mutations; m++) {
                    input = mutate(random, input);
                }
                if (check(input, requireAuthorization, random, "mutated handshake, iteration " + i)) {
                    connects++;
                } else {
                    refused++;
                }
            }
            // The mutations must exercise both sides, or the properties prove little.
            assertTrue(
                    connects > 1000 && refused > 1000,
                    context(connects + " connects, " + refused + " refused", new byte[0]));
        });
    }

    @Test
    void endlessInputEndsInAStepBeforeTheBound() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED + 3);
            for (int i = 0; i < 3_000; i++) {
                boolean requireAuthorization = random.nextInt(4) == 0;
                byte[] prefix = endlessPrefix(random, i % 6);
                byte[] tail = new byte[BOUND + 4096 - prefix.length];
                random.nextBytes(tail);
                if (i % 6 == 3) {
                    // A token of letters, so the base64 location that follows it is what decides.
                    for (int t = 0; t < tail.length; t++) {
                        tail[t] = (byte) ('a' + random.nextInt(26));
                    }
                }
                byte[] input = concat(prefix, tail);
                Outcome outcome = feedInChunks(input, requireAuthorization, random, "endless input " + i);
                assertTrue(
                        outcome.terminal() != null,
                        context("endless input " + i + " never ended the handshake", input));
            }
        });
    }

    // ---- properties --------------------------------------------------------------------------

    /** What feeding an input produced: the steps, the terminal step if any, and the bytes fed until then. */
    record Outcome(List<Step> steps, Step terminal, int fed, byte[] remainder) {}

    /** Feeds {@code input} in random chunks and checks every property; true if it ended in Connect. */
    private static boolean check(byte[] input, boolean requireAuthorization, Random random, String where) {
        Outcome outcome = feedInChunks(input, requireAuthorization, random, where);
        Expected expected = Reference.parse(input, requireAuthorization);
        List<String> replies = new ArrayList<>();
        for (Step step : outcome.steps()) {
            if (step instanceof Reply reply) {
                replies.add(hex(reply.bytes()));
            }
        }
        if (outcome.terminal() instanceof Connect connect) {
            if (!(expected instanceof Expected.Valid valid)) {
                fail(context("Connect " + connect + " for an input the reference calls " + expected, input));
                return false;
            }
            assertEquals(valid.connect(), connect, () -> context("Connect fields", input));
            assertEquals(valid.replies(), replies, () -> context("replies before the Connect", input));
            assertArrayEquals(
                    Arrays.copyOfRange(input, valid.length(), outcome.fed()),
                    outcome.remainder(),
                    () -> context("remainder after the Connect", input));
            return true;
        }
        if (expected instanceof Expected.Valid valid) {
            fail(context("a valid handshake (" + valid.connect() + ") ended in " + outcome.terminal(), input));
        }
        return false;
    }

    private static Outcome feedInChunks(byte[] input, boolean requireAuthorization, Random random, String where) {
        Socks5Handshake handshake = new Socks5Handshake(requireAuthorization);
        List<Step> all = new ArrayList<>();
        int fed = 0;
        // Single bytes only for short inputs: the handshake copies what it buffered on every feed,
        // so a 16 KB token fed byte by byte costs seconds without adding coverage.
        int style = input.length > 1024 ? 1 + random.nextInt(3) : random.nextInt(4);
        while (fed < input.length || fed == 0) {
            int chunk;
            switch (style) {
                case 0:
                    chunk = 1;
                    break;
                case 1:
                    chunk = 1 + random.nextInt(8);
                    break;
                case 2:
                    chunk = 1 + random.nextInt(512);
                    break;
                default:
                    chunk = input.length;
                    break;
            }
            int end = Math.min(input.length, fed + chunk);
            List<Step> steps;
            try {
                steps = handshake.feed(Arrays.copyOfRange(input, fed, end));
            } catch (RuntimeException e) {
                throw new AssertionError(context(where + ": feed threw " + e, input), e);
            }
            fed = end;
            Step terminal = checkSteps(steps, input, where);
            all.addAll(steps);
            if (terminal != null) {
                byte[] remainder = handshake.remainder();
                assertInstanceOf(
                        Fail.class,
                        only(handshake.feed(new byte[] {5})),
                        () -> context(where + ": bytes after the end of the handshake", input));
                return new Outcome(all, terminal, fed, remainder);
            }
            // Still waiting: everything fed so far is an unfinished handshake, which is never that long.
            if (fed > BOUND) {
                fail(context(where + ": still waiting after " + fed + " bytes", input));
            }
            if (input.length == 0) {
                break;
            }
        }
        return new Outcome(all, null, fed, handshake.remainder());
    }

    // ---- inputs --------------------------------------------------------------------------------

    private static byte[] validHandshake(Random random, boolean requireAuthorization) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean sap = requireAuthorization || random.nextBoolean();
        List<Integer> methods = new ArrayList<>();
        methods.add(sap ? 0x80 : 0x00);
        int extra = random.nextInt(4) == 0 ? random.nextInt(254) : random.nextInt(3);
        for (int i = 0; i < extra; i++) {
            int method = random.nextInt(256);
            if (sap || method != 0x80) {
                methods.add(random.nextInt(methods.size() + 1), method);
            }
        }
        out.write(5);
        out.write(methods.size());
        methods.forEach(out::write);
        if (sap) {
            int tokenLength =
                    random.nextInt(100) == 0 ? random.nextInt(Socks5Handshake.MAX_TOKEN + 1) : random.nextInt(120);
            byte[] token = new byte[tokenLength];
            for (int i = 0; i < token.length; i++) {
                token[i] = (byte) (33 + random.nextInt(94));
            }
            StringBuilder location = new StringBuilder();
            int locationLength = random.nextInt(10) == 0 ? 128 : random.nextInt(20);
            for (int i = 0; i < locationLength; i++) {
                location.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
            }
            byte[] encoded = Base64.getEncoder().encode(location.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(1);
            out.writeBytes(u32(tokenLength));
            out.writeBytes(token);
            out.write(encoded.length);
            out.writeBytes(encoded);
        }
        out.writeBytes(new byte[] {5, 1, 0});
        if (random.nextBoolean()) {
            out.write(1);
            byte[] address = new byte[4];
            random.nextBytes(address);
            out.writeBytes(address);
        } else {
            int length = random.nextInt(10) == 0 ? 255 : 1 + random.nextInt(40);
            out.write(3);
            out.write(length);
            for (int i = 0; i < length; i++) {
                out.write(HOST_CHARS.charAt(random.nextInt(HOST_CHARS.length())));
            }
        }
        int port = 1 + random.nextInt(65535);
        out.write(port >>> 8);
        out.write(port);
        if (random.nextInt(3) == 0) {
            byte[] early = new byte[random.nextInt(64)];
            random.nextBytes(early);
            out.writeBytes(early);
        }
        return out.toByteArray();
    }

    private static byte[] mutate(Random random, byte[] input) {
        if (input.length == 0) {
            return new byte[] {(byte) INTERESTING[random.nextInt(INTERESTING.length)]};
        }
        byte[] out;
        int at = random.nextInt(input.length);
        switch (random.nextInt(7)) {
            case 0:
                out = input.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
                return out;
            case 1:
                out = input.clone();
                out[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                return out;
            case 2:
                return concat(
                        Arrays.copyOf(input, at),
                        new byte[] {(byte) random.nextInt(256)},
                        Arrays.copyOfRange(input, at, input.length));
            case 3:
                return concat(Arrays.copyOf(input, at), Arrays.copyOfRange(input, at + 1, input.length));
            case 4:
                return Arrays.copyOf(input, at);
            case 5:
                // A declared length (token, location, domain) grown or shrunk around its true value.
                out = input.clone();
                out[at] = (byte) ((out[at] & 0xff) + random.nextInt(5) - 2);
                return out;
            default:
                if (input.length < 4) {
                    return input;
                }
                out = input.clone();
                int[] lengths = {
                    Socks5Handshake.MAX_TOKEN, Socks5Handshake.MAX_TOKEN + 1, 0, 1, Integer.MAX_VALUE, -1, 0x10000
                };
                System.arraycopy(
                        u32(lengths[random.nextInt(lengths.length)]), 0, out, random.nextInt(input.length - 3), 4);
                return out;
        }
    }

    /** Starts of handshakes that ask for as much as a peer can make the handshake wait for. */
    private static byte[] endlessPrefix(Random random, int kind) {
        switch (kind) {
            case 0:
                return new byte[0];
            case 1:
                return concat(new byte[] {5, (byte) 255});
            case 2:
                return new byte[] {5, 1, 0};
            case 3:
                return concat(new byte[] {5, 1, (byte) 0x80, 1}, u32(Socks5Handshake.MAX_TOKEN));
            case 4:
                return concat(new byte[] {5, 1, (byte) 0x80, 1}, u32(random.nextInt(Socks5Handshake.MAX_TOKEN)));
            default:
                return new byte[] {5, 1, 0, 5, 1, 0, 3, (byte) 255};
        }
    }

    // ---- an independent reference parser of a complete handshake --------------------------------

    /** What the reference parser makes of an input. */
    sealed interface Expected {
        /** A valid handshake of {@code length} bytes; the server answers {@code replies}, then connects. */
        record Valid(int length, List<String> replies, Connect connect) implements Expected {}

        /** Not a valid handshake, whatever follows. */
        record Invalid(String why) implements Expected {}

        /** A valid start; more bytes are needed. */
        record Incomplete() implements Expected {}
    }

    /**
     * Reads the input front to back with a cursor, field by field, as RFC 1928 and design.md
     * section 3 describe it. The reserved byte of the request is not checked (RFC 1928 leaves it
     * to the server; the handshake ignores it too).
     */
    static final class Reference {

        private final byte[] in;
        private int at;

        private Reference(byte[] in) {
            this.in = in;
        }

        static Expected parse(byte[] in, boolean requireAuthorization) {
            return new Reference(in).handshake(requireAuthorization);
        }

        private boolean has(long count) {
            return in.length - at >= count;
        }

        private int u8() {
            return in[at++] & 0xff;
        }

        private Expected handshake(boolean requireAuthorization) {
            List<String> replies = new ArrayList<>();
            if (!has(2)) {
                return new Expected.Incomplete();
            }
            if (u8() != 5) {
                return new Expected.Invalid("version");
            }
            int count = u8();
            if (count == 0) {
                return new Expected.Invalid("no methods");
            }
            if (!has(count)) {
                return new Expected.Incomplete();
            }
            boolean sap = false;
            boolean none = false;
            for (int i = 0; i < count; i++) {
                int method = u8();
                sap |= method == 0x80;
                none |= method == 0x00;
            }
            String location = "";
            String token = null;
            if (sap) {
                replies.add("0580");
                if (!has(5)) {
                    return new Expected.Incomplete();
                }
                if (u8() != 1) {
                    return new Expected.Invalid("sub-version");
                }
                long tokenLength = 0;
                for (int i = 0; i < 4; i++) {
                    tokenLength = tokenLength << 8 | u8();
                }
                if (tokenLength > Socks5Handshake.MAX_TOKEN) {
                    return new Expected.Invalid("token length");
                }
                if (!has(tokenLength + 1)) {
                    return new Expected.Incomplete();
                }
                if (tokenLength > 0) {
                    token = new String(in, at, (int) tokenLength, StandardCharsets.US_ASCII);
                }
                at += (int) tokenLength;
                int locationLength = u8();
                if (!has(locationLength)) {
                    return new Expected.Incomplete();
                }
                try {
                    location = new String(
                            Base64.getDecoder().decode(Arrays.copyOfRange(in, at, at + locationLength)),
                            StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return new Expected.Invalid("base64");
                }
                at += locationLength;
                if (!location.matches("[A-Za-z0-9._~-]{0,128}")) {
                    return new Expected.Invalid("location id");
                }
                replies.add("0100");
            } else if (none && !requireAuthorization) {
                replies.add("0500");
            } else {
                return new Expected.Invalid("no acceptable method");
            }
            if (!has(4)) {
                return new Expected.Incomplete();
            }
            if (u8() != 5) {
                return new Expected.Invalid("request version");
            }
            if (u8() != 1) {
                return new Expected.Invalid("command");
            }
            at++;
            int addressType = u8();
            String host;
            if (addressType == 1) {
                if (!has(6)) {
                    return new Expected.Incomplete();
                }
                host = u8() + "." + u8() + "." + u8() + "." + u8();
            } else if (addressType == 3) {
                if (!has(1)) {
                    return new Expected.Incomplete();
                }
                int length = u8();
                if (length == 0) {
                    return new Expected.Invalid("empty domain");
                }
                if (!has(length + 2)) {
                    return new Expected.Incomplete();
                }
                host = new String(in, at, length, StandardCharsets.ISO_8859_1);
                at += length;
                for (char c : host.toCharArray()) {
                    if (HOST_CHARS.indexOf(c) < 0) {
                        return new Expected.Invalid("domain character");
                    }
                }
            } else {
                return new Expected.Invalid("address type");
            }
            int port = u8() << 8 | u8();
            if (port == 0) {
                return new Expected.Invalid("port 0");
            }
            return new Expected.Valid(at, replies, new Connect(host, port, location, token));
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Checks the shape of one feed's steps; returns the terminal step (Fail or Connect), if any. */
    private static Step checkSteps(List<Step> steps, byte[] input, String where) {
        if (steps.isEmpty()) {
            fail(context(where + ": feed returned no step", input));
        }
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String problem = null;
            if (step instanceof NeedMore) {
                problem = steps.size() == 1 ? null : "NeedMore must come alone";
            } else if (step instanceof Reply reply) {
                problem = REPLIES.contains(hex(reply.bytes())) ? null : "unexpected reply";
            } else if (i != steps.size() - 1) {
                problem = "nothing may follow the last step";
            } else if (step instanceof Fail failure) {
                if (!FAILURES.contains(hex(failure.bytes()))) {
                    problem = "unexpected failure bytes";
                } else if (failure.reason() == null || failure.reason().isEmpty()) {
                    problem = "a failure names its reason";
                }
            }
            if (problem != null) {
                fail(context(where + ": step " + i + " of " + describe(steps) + ": " + problem, input));
            }
        }
        Step last = steps.get(steps.size() - 1);
        return last instanceof Fail || last instanceof Connect ? last : null;
    }

    private static Step only(List<Step> steps) {
        assertEquals(1, steps.size(), describe(steps));
        return steps.get(0);
    }

    private static String describe(List<Step> steps) {
        StringBuilder text = new StringBuilder();
        for (Step step : steps) {
            if (step instanceof Reply reply) {
                text.append("Reply(").append(hex(reply.bytes())).append(") ");
            } else if (step instanceof Fail failure) {
                text.append("Fail(")
                        .append(hex(failure.bytes()))
                        .append(", ")
                        .append(failure.reason())
                        .append(") ");
            } else {
                text.append(step).append(' ');
            }
        }
        return text.toString().trim();
    }

    private static byte[] u32(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String context(String what, byte[] input) {
        String hex = hex(input);
        return "seed " + SEED + " (-Dfuzz.seed=" + SEED + "), " + what + ", input "
                + (hex.length() > 600 ? hex.substring(0, 600) + "... (" + input.length + " bytes)" : hex);
    }
}
