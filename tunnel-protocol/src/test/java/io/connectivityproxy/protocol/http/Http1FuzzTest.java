package io.connectivityproxy.protocol.http;

import static io.connectivityproxy.protocol.http.HttpWire.hex;
import static io.connectivityproxy.protocol.http.HttpWire.latin1;
import static io.connectivityproxy.protocol.http.HttpWire.over;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.connectivityproxy.protocol.http.HttpWire.Outcome;

/**
 * Property tests for the HTTP/1.1 codec on seeded random and mutated input. Every test runs for
 * fixed seeds, so each build checks the same inputs; {@code -Dfuzz.seed=<n>} adds a seed (a
 * failure names its seed and input), {@code -Dfuzz.seed=random} a new one, printed. Properties:
 * headEnd, the parsers, the framing rules and the body decoder return or throw
 * {@link HttpException}, nothing else, and never loop; a head the parser accepts is written by
 * {@link Http1Writer} as one that parses back to the same method, target, status and fields;
 * a body decodes to the same outcome whatever pieces it arrives in.
 */
class Http1FuzzTest {

    private static final long[] FIXED_SEEDS = {1L, 0x5eedcafeL, 20_240_611L};
    /** Only a guard against a scan that loops forever; a seed takes a few seconds. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(120);

    private static final int MAX_HEAD = 64 * 1024;
    /** What {@link #scan} returns for headEnd's 431 (an end index can be any non-negative number). */
    private static final int TOO_LARGE = Integer.MIN_VALUE;

    private static final String TCHARS =
            "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "CONNECT", "OPTIONS", "DELETE", "PATCH"};
    /** The fields the intermediary rules read, so mutations hit framing and connection handling. */
    private static final String[] NAMES = {
        "Host",
        "Content-Length",
        "Transfer-Encoding",
        "Connection",
        "Upgrade",
        "Via",
        "Expect",
        "Max-Forwards",
        "Keep-Alive",
        "TE",
        "Trailer",
        "Proxy-Authorization",
        "Set-Cookie"
    };

    private static final String[] VALUES = {
        "chunked",
        "gzip, chunked",
        "chunked, chunked",
        "xchunked",
        "0",
        "5",
        "5, 5",
        "5, 6",
        "-1",
        "close",
        "keep-alive, Upgrade",
        "upgrade",
        "websocket",
        "100-continue",
        "1.1 a",
        "",
        "a\tb",
        "caf\u00e9 \u00ff"
    };
    /** Bytes that matter to HTTP/1.1 framing, dropped into the text by the mutations. */
    private static final byte[] SPECIALS = {
        '\r',
        '\n',
        0,
        ' ',
        '\t',
        ':',
        ';',
        ',',
        '"',
        '=',
        0x7f,
        (byte) 0x80,
        (byte) 0xff,
        '0',
        'f',
        'F',
        'x',
        0x0b,
        0x1f
    };

    private static final String[] SNIPPETS = {
        "\r\n",
        "\n",
        "\r",
        "\r\n ",
        "\n\t",
        " :",
        "\r\n\r\n",
        "\n\r\n",
        "HTTP/1.1",
        "Transfer-Encoding: chunked\r\n",
        "Content-Length: 5\r\n",
        "0\r\n\r\n",
        ";",
        " "
    };

    static LongStream seeds() {
        String extra = System.getProperty("fuzz.seed");
        if (extra == null || extra.isBlank()) {
            return LongStream.of(FIXED_SEEDS);
        }
        return LongStream.of(extra.equals("random") ? System.nanoTime() : Long.parseLong(extra));
    }

    // ---- heads -----------------------------------------------------------------------------

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mutatedRequestHeads(long seed) {
        fuzz("mutatedRequestHeads", seed, random -> {
            Tally tally = new Tally();
            for (int i = 0; i < 7_000; i++) {
                byte[] valid = randomRequestHead(random);
                boolean mutated = random.nextInt(5) != 0;
                byte[] input = mutated ? mutate(random, valid) : valid;
                Object head = checkHead(input, true, random, "seed " + seed + ", request " + i);
                tally.count(head != null);
                if (!mutated && head == null) {
                    throw new AssertionError(
                            "seed " + seed + ", request " + i + ": a valid head was refused: " + hex(input));
                }
            }
            tally.assertBothOutcomes(seed, 1_000);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mutatedResponseHeads(long seed) {
        fuzz("mutatedResponseHeads", seed, random -> {
            Tally tally = new Tally();
            for (int i = 0; i < 7_000; i++) {
                byte[] valid = randomResponseHead(random);
                boolean mutated = random.nextInt(5) != 0;
                byte[] input = mutated ? mutate(random, valid) : valid;
                Object head = checkHead(input, false, random, "seed " + seed + ", response " + i);
                tally.count(head != null);
                if (!mutated && head == null) {
                    throw new AssertionError(
                            "seed " + seed + ", response " + i + ": a valid head was refused: " + hex(input));
                }
            }
            tally.assertBothOutcomes(seed, 1_000);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomBytesAsHeads(long seed) {
        fuzz("randomBytesAsHeads", seed, random -> {
            for (int i = 0; i < 4_000; i++) {
                byte[] input = randomHeadBytes(random);
                checkHead(input, true, random, "seed " + seed + ", random bytes " + i + " as a request");
                checkHead(input, false, random, "seed " + seed + ", random bytes " + i + " as a response");
            }
        });
    }

    // ---- bodies ----------------------------------------------------------------------------

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void chunkedBodies(long seed) {
        fuzz("chunkedBodies", seed, random -> {
            Tally tally = new Tally();
            for (int i = 0; i < 6_000; i++) {
                ChunkedBody body = randomChunkedBody(random);
                boolean mutated = random.nextInt(3) != 0;
                byte[] input = mutated ? mutate(random, body.wire()) : body.wire();
                String where = "seed " + seed + ", body " + i + " (" + hex(input) + ")";
                Outcome outcome = decodeChecked(BodyFraming.CHUNKED, input, random, where);
                tally.count(outcome.end() >= 0);
                if (!mutated) {
                    assertEquals(new Outcome(body.content(), body.length(), 0, null, true), outcome, where);
                }
                if (outcome.end() >= 0) {
                    assertRechunkedTheSame(outcome.content(), random, where);
                }
            }
            tally.assertBothOutcomes(seed, 1_000);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void lengthBodies(long seed) {
        fuzz("lengthBodies", seed, random -> {
            for (int i = 0; i < 3_000; i++) {
                int length = random.nextInt(40);
                byte[] input = randomBytes(random, random.nextInt(60));
                String where = "seed " + seed + ", length " + length + ", input " + hex(input);
                Outcome outcome = decodeChecked(BodyFraming.length(length), input, random, where);
                int delivered = Math.min(length, input.length);
                boolean complete = length <= input.length;
                assertEquals(
                        new Outcome(latin1(Arrays.copyOf(input, delivered)), complete ? length : -1, 0, null, complete),
                        outcome,
                        where);
            }
        });
    }

    // ---- the properties --------------------------------------------------------------------

    /**
     * Finds the head's end (checking headEnd's own properties) and parses it; for an accepted head,
     * checks the round trip through the writer. The parsed head, or null if there is none.
     */
    private static Object checkHead(byte[] input, boolean request, Random random, String where) {
        String context = where + ", input " + hex(input);
        int end = scan(input, 0, input.length, MAX_HEAD, context);
        checkScanProperties(input, end, random, context);
        if (end < 0) {
            return null;
        }
        byte[] head = Arrays.copyOf(input, end);
        try {
            if (request) {
                Http1Request parsed;
                try {
                    parsed = Http1Parser.parseRequest(head);
                } catch (HttpException e) {
                    assertTrue(Set.of(400, 505).contains(e.status()), context + ": request refused with " + e.status());
                    return null;
                }
                checkRequestRoundTrip(parsed, context);
                return parsed;
            }
            Http1Response parsed;
            try {
                parsed = Http1Parser.parseResponse(head);
            } catch (HttpException e) {
                assertEquals(502, e.status(), context + ": response refused with " + e.getMessage());
                return null;
            }
            checkResponseRoundTrip(parsed, context);
            return parsed;
        } catch (RuntimeException e) {
            throw new AssertionError(context + ": threw " + e, e);
        }
    }

    /**
     * headEnd is a pure function of the bytes before the end: a prefix holding the end finds it, a
     * shorter one does not, an offset shifts it, and a smaller limit gives 431 exactly when that
     * many bytes are there without the end.
     */
    private static void checkScanProperties(byte[] input, int end, Random random, String context) {
        int cut = random.nextInt(input.length + 1);
        assertEquals(
                end >= 0 && cut >= end ? end : -1,
                scan(input, 0, cut, MAX_HEAD, context),
                () -> context + ": prefix of " + cut + " bytes");
        byte[] shifted = HttpWire.concat(latin1("xyz"), input, latin1("\n\n"));
        assertEquals(
                end < 0 ? -1 : end + 3,
                scan(shifted, 3, 3 + input.length, MAX_HEAD, context),
                () -> context + ": at an offset");
        int max = 1 + random.nextInt(input.length + 2);
        int expected = end >= 0 && end <= max ? end : input.length >= max ? TOO_LARGE : -1;
        assertEquals(expected, scan(input, 0, input.length, max, context), () -> context + ": limit " + max);
        assertEquals(end, scanInPieces(input, random, context), () -> context + ": scanned as it arrives");
    }

    /**
     * headEnd fed the way Http1Reader feeds it: the bytes arrive in random pieces and each scan
     * resumes where the last one stopped. It must find the end a single scan finds.
     */
    private static int scanInPieces(byte[] input, Random random, String context) {
        int scanned = 0;
        int to = 0;
        while (true) {
            to = Math.min(input.length, to + 1 + random.nextInt(8));
            try {
                int end = Http1Parser.headEnd(over(input), 0, scanned, to, MAX_HEAD);
                if (end >= 0 || to == input.length) {
                    return end;
                }
                scanned = to;
            } catch (HttpException e) {
                return TOO_LARGE;
            }
        }
    }

    /** headEnd's answer, or {@link #TOO_LARGE} for its refusal. */
    private static int scan(byte[] buffer, int from, int to, int max, String context) {
        try {
            int end = Http1Parser.headEnd(over(buffer), from, to, max);
            assertTrue(
                    end == -1 || (end > from && end <= to && end - from <= max),
                    () -> context + ": headEnd returned " + end);
            return end;
        } catch (HttpException e) {
            assertEquals(431, e.status(), context);
            assertTrue(to - from >= max, () -> context + ": 431 with " + (to - from) + " bytes and limit " + max);
            return TOO_LARGE;
        } catch (RuntimeException e) {
            throw new AssertionError(context + ": headEnd threw " + e, e);
        }
    }

    private static void checkRequestRoundTrip(Http1Request parsed, String context) {
        byte[] written = Http1Writer.request(parsed.method(), parsed.target(), parsed.fields());
        Http1Request again = parseWritten(written, parsed.fields().size(), true, context);
        assertEquals(
                new Http1Request(parsed.method(), parsed.target(), 1, parsed.fields()),
                again,
                () -> context + ": written as " + hex(written));
        assertArrayEquals(written, Http1Writer.request(again.method(), again.target(), again.fields()), context);
        // What a forwarding hop writes reads back as what it meant to send.
        List<Map.Entry<String, String>> forwarded =
                Intermediary.withVia(Intermediary.endToEnd(parsed.fields(), Intermediary.isUpgrade(parsed)));
        Http1Request next = parseWritten(
                Http1Writer.request(parsed.method(), parsed.target(), forwarded), forwarded.size(), true, context);
        assertEquals(forwarded, next.fields(), context);
        assertSameDecision(
                () -> Intermediary.requestFraming(parsed),
                () -> Intermediary.requestFraming(
                        new Http1Request(again.method(), again.target(), parsed.minorVersion(), again.fields())),
                context);
        Intermediary.clientKeepsAlive(parsed);
        Intermediary.expectsContinue(parsed.fields());
        Intermediary.maxForwards(parsed.fields());
    }

    private static void checkResponseRoundTrip(Http1Response parsed, String context) {
        byte[] written = Http1Writer.response(parsed.status(), parsed.reason(), parsed.fields());
        Http1Response again = parseWritten(written, parsed.fields().size(), false, context);
        String reason = parsed.reason().isEmpty() ? Http1Writer.defaultReason(parsed.status()) : parsed.reason();
        assertEquals(
                new Http1Response(1, parsed.status(), reason, parsed.fields()),
                again,
                () -> context + ": written as " + hex(written));
        assertArrayEquals(written, Http1Writer.response(again.status(), again.reason(), again.fields()), context);
        for (String method : List.of("GET", "HEAD")) {
            assertSameDecision(
                    () -> Intermediary.responseFraming(method, parsed),
                    () -> Intermediary.responseFraming(method, again),
                    context);
        }
        Intermediary.backendKeepsAlive(parsed);
    }

    /**
     * Parses what the writer wrote, after checking it is exactly a start line, one line per field
     * and the empty line: no CR, LF or NUL smuggled in by a value.
     */
    @SuppressWarnings("unchecked")
    private static <T> T parseWritten(byte[] written, int fields, boolean request, String context) {
        String text = latin1(written);
        assertEquals(fields + 2, text.split("\r\n", -1).length - 1, () -> context + ": lines of " + hex(written));
        assertEquals(-1, text.replace("\r\n", "").indexOf('\r'), () -> context + ": CR in " + hex(written));
        assertEquals(-1, text.replace("\r\n", "").indexOf('\n'), () -> context + ": LF in " + hex(written));
        assertEquals(-1, text.indexOf('\0'), () -> context + ": NUL in " + hex(written));
        assertEquals(written.length, scan(written, 0, written.length, written.length, context), context);
        try {
            return (T) (request ? Http1Parser.parseRequest(written) : Http1Parser.parseResponse(written));
        } catch (HttpException e) {
            throw new AssertionError(context + ": the writer's " + hex(written) + " is refused: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Decision {
        BodyFraming decide() throws HttpException;
    }

    /** Both give the same framing, or both refuse with the same status. */
    private static void assertSameDecision(Decision first, Decision second, String context) {
        assertEquals(decision(first), decision(second), context);
    }

    private static Object decision(Decision decision) {
        try {
            return decision.decide();
        } catch (HttpException e) {
            return e.status();
        }
    }

    private static Outcome decodeChecked(BodyFraming framing, byte[] input, Random random, String where) {
        try {
            return HttpWire.decodeEveryWay(framing, input, random, 2);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(where + ": " + e, e);
        }
    }

    /** Content written again by {@link Http1Writer} in random chunks decodes to the same content. */
    private static void assertRechunkedTheSame(String content, Random random, String where) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int at = 0;
        while (at < content.length()) {
            int size = Math.min(content.length() - at, 1 + random.nextInt(64));
            wire.writeBytes(Http1Writer.chunkHeader(size));
            wire.writeBytes(latin1(content.substring(at, at + size)));
            wire.writeBytes(Http1Writer.CRLF);
            at += size;
        }
        wire.writeBytes(Http1Writer.LAST_CHUNK);
        byte[] rechunked = wire.toByteArray();
        assertEquals(
                new Outcome(content, rechunked.length, 0, null, true),
                HttpWire.decode(BodyFraming.CHUNKED, rechunked),
                where);
    }

    // ---- generators ------------------------------------------------------------------------

    private static byte[] randomRequestHead(Random random) {
        StringBuilder head = new StringBuilder();
        if (random.nextInt(8) == 0) {
            head.append(eol(random));
        }
        head.append(random.nextInt(6) == 0 ? randomToken(random) : METHODS[random.nextInt(METHODS.length)])
                .append(' ')
                .append(randomTarget(random))
                .append(' ')
                .append(random.nextInt(4) == 0 ? "HTTP/1.0" : "HTTP/1.1")
                .append(eol(random));
        appendFields(random, head);
        return latin1(head.append(eol(random)).toString());
    }

    private static byte[] randomResponseHead(Random random) {
        StringBuilder head = new StringBuilder("HTTP/1.")
                .append(random.nextInt(4) == 0 ? 0 : 1)
                .append(' ')
                .append(100 + random.nextInt(900));
        switch (random.nextInt(4)) {
            case 0 -> head.append(' ');
            case 1 -> {}
            default ->
                head.append(' ')
                        .append(randomText(random, 1 + random.nextInt(20)).strip())
                        .append("x");
        }
        head.append(eol(random));
        appendFields(random, head);
        return latin1(head.append(eol(random)).toString());
    }

    private static void appendFields(Random random, StringBuilder head) {
        int count = random.nextInt(20) == 0 ? 100 + random.nextInt(250) : random.nextInt(8);
        for (int n = 0; n < count; n++) {
            String name = random.nextBoolean() ? NAMES[random.nextInt(NAMES.length)] : randomToken(random);
            if (random.nextInt(4) == 0) {
                name = random.nextBoolean() ? name.toLowerCase() : name.toUpperCase();
            }
            String value = random.nextBoolean() ? VALUES[random.nextInt(VALUES.length)] : randomText(random, 30);
            head.append(name)
                    .append(':')
                    .append(ows(random))
                    .append(value)
                    .append(ows(random))
                    .append(eol(random));
        }
    }

    private static String randomTarget(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> "*";
            case 1 -> randomToken(random) + ":" + random.nextInt(65536);
            case 2 -> "http://" + randomToken(random) + "/" + randomPath(random);
            default -> "/" + randomPath(random);
        };
    }

    /** Visible ASCII and, now and then, raw bytes 0x80-0xFF (one char each). */
    private static String randomPath(Random random) {
        StringBuilder path = new StringBuilder();
        for (int n = random.nextInt(24); n > 0; n--) {
            path.append((char) (random.nextInt(10) == 0 ? 0x80 + random.nextInt(0x80) : 0x21 + random.nextInt(0x5e)));
        }
        return path.toString();
    }

    /** Field-value text: visible ASCII, SP, HTAB and obs-text. */
    private static String randomText(Random random, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(maxLength + 1); n > 0; n--) {
            int kind = random.nextInt(12);
            text.append(
                    kind == 0
                            ? ' '
                            : kind == 1
                                    ? '\t'
                                    : kind == 2
                                            ? (char) (0x80 + random.nextInt(0x80))
                                            : (char) (0x21 + random.nextInt(0x5e)));
        }
        return text.toString();
    }

    private static String randomToken(Random random) {
        StringBuilder token = new StringBuilder();
        for (int n = 1 + random.nextInt(12); n > 0; n--) {
            token.append(TCHARS.charAt(random.nextInt(TCHARS.length())));
        }
        return token.toString();
    }

    private static String eol(Random random) {
        return random.nextInt(4) == 0 ? "\n" : "\r\n";
    }

    private static String ows(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> "";
            case 1 -> "\t";
            case 2 -> "  ";
            default -> " ";
        };
    }

    /** Bytes that are mostly HTTP-like, so the parsers get past the first character. */
    private static byte[] randomHeadBytes(Random random) {
        String alphabet = "GET /HTP1.0:\r\n \tHost";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (random.nextBoolean()) {
            out.writeBytes(latin1(random.nextBoolean() ? "GET / HTTP/1.1\r\n" : "HTTP/1.1 200 OK\r\n"));
        }
        for (int n = random.nextInt(80); n > 0; n--) {
            int kind = random.nextInt(5);
            out.write(
                    kind < 2
                            ? alphabet.charAt(random.nextInt(alphabet.length()))
                            : kind == 2 ? SPECIALS[random.nextInt(SPECIALS.length)] : random.nextInt(256));
        }
        if (random.nextBoolean()) {
            out.writeBytes(latin1("\r\n\r\n"));
        }
        return out.toByteArray();
    }

    private record ChunkedBody(byte[] wire, String content, int length) {}

    /** A valid chunked body (RFC 9112 section 7.1), sometimes followed by the next message's bytes. */
    private static ChunkedBody randomChunkedBody(Random random) {
        StringBuilder wire = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (int n = random.nextInt(6); n > 0; n--) {
            int size = random.nextInt(8) == 0 ? 100 + random.nextInt(1500) : 1 + random.nextInt(20);
            wire.append(chunkSize(random, size)).append(chunkExtension(random)).append(eol(random));
            String data = latin1(randomBytes(random, size));
            wire.append(data).append(eol(random));
            content.append(data);
        }
        wire.append(chunkSize(random, 0)).append(chunkExtension(random)).append(eol(random));
        for (int n = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0; n > 0; n--) {
            wire.append(randomToken(random))
                    .append(':')
                    .append(ows(random))
                    .append(randomText(random, 20))
                    .append(eol(random));
        }
        wire.append(eol(random));
        int length = wire.length();
        switch (random.nextInt(4)) {
            case 0 -> wire.append("GET /next HTTP/1.1\r\n\r\n");
            case 1 -> wire.append(latin1(randomBytes(random, 1 + random.nextInt(8))));
            default -> {}
        }
        return new ChunkedBody(latin1(wire.toString()), content.toString(), length);
    }

    private static String chunkSize(Random random, int size) {
        StringBuilder hex = new StringBuilder("0".repeat(random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0));
        for (char c : Integer.toHexString(size).toCharArray()) {
            hex.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return hex.toString();
    }

    private static String chunkExtension(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> ";" + randomToken(random);
            case 1 -> ";" + randomToken(random) + "=" + randomToken(random);
            case 2 -> " ; q=\"a;b \u00e9\"";
            case 3 -> "\t;x;y=1";
            default -> "";
        };
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** One to three mutations: bit flips, framing bytes, insertions, deletions, cuts, duplicated slices. */
    private static byte[] mutate(Random random, byte[] input) {
        byte[] out = input;
        for (int m = 1 + random.nextInt(3); m > 0; m--) {
            out = mutateOnce(random, out);
        }
        return out;
    }

    private static byte[] mutateOnce(Random random, byte[] in) {
        if (in.length == 0) {
            return new byte[] {SPECIALS[random.nextInt(SPECIALS.length)]};
        }
        int at = random.nextInt(in.length);
        byte[] out = in.clone();
        switch (random.nextInt(8)) {
            case 0 -> out[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> out[at] = SPECIALS[random.nextInt(SPECIALS.length)];
            case 2 -> out = splice(in, at, 0, new byte[] {SPECIALS[random.nextInt(SPECIALS.length)]});
            case 3 -> out = splice(in, at, 1, new byte[0]);
            case 4 -> out = Arrays.copyOf(in, at);
            case 5 -> {
                int length = 1 + random.nextInt(Math.min(16, in.length - at));
                out = splice(in, random.nextInt(in.length + 1), 0, Arrays.copyOfRange(in, at, at + length));
            }
            case 6 -> out = splice(in, at, 0, latin1(SNIPPETS[random.nextInt(SNIPPETS.length)]));
            default -> out = HttpWire.concat(in, randomBytes(random, 1 + random.nextInt(8)));
        }
        return out;
    }

    /** {@code in} with {@code removed} bytes at {@code at} replaced by {@code inserted}. */
    private static byte[] splice(byte[] in, int at, int removed, byte[] inserted) {
        return HttpWire.concat(Arrays.copyOf(in, at), inserted, Arrays.copyOfRange(in, at + removed, in.length));
    }

    // ---- running ---------------------------------------------------------------------------

    @FunctionalInterface
    private interface Run {
        void run(Random random) throws Exception;
    }

    private static void fuzz(String test, long seed, Run run) {
        System.out.println("Http1FuzzTest." + test + " seed " + seed + " (rerun with -Dfuzz.seed=" + seed + ")");
        assertTimeoutPreemptively(HANG_GUARD, () -> run.run(new Random(seed)), () -> "seed " + seed + ": hung");
    }

    /** Mutations must leave both accepted and refused inputs, or a property checks nothing. */
    private static final class Tally {
        private int accepted;
        private int refused;

        void count(boolean wasAccepted) {
            if (wasAccepted) {
                accepted++;
            } else {
                refused++;
            }
        }

        void assertBothOutcomes(long seed, int atLeast) {
            assertTrue(
                    accepted >= atLeast && refused >= atLeast,
                    "seed " + seed + ": " + accepted + " accepted, " + refused + " refused");
        }
    }
}
