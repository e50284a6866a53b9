package io.connectivityproxy.protocol;

import static io.connectivityproxy.protocol.WireBytes.concat;
import static io.connectivityproxy.protocol.WireBytes.toHex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Property tests for every decoder of the tunnel protocol, on seeded random input. A failure
 * names the seed; rerun it with {@code -Dfuzz.seed=<seed>}. Properties: a decoder returns a
 * value or throws {@link ProtocolException}, nothing else; whatever it accepts re-encodes to the
 * same bytes; no decode allocates much more than its input (a declared length is never trusted
 * before the bytes are there).
 */
class FrameCodecFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    /** Only a guard against a decoder that loops forever; the whole class runs in a few seconds. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(90);
    /**
     * Per decode: a fixed allowance for error messages and stack traces, plus a multiple of the
     * input (every string costs a charset decoder and a copy). Never a multiple of a declared size.
     */
    private static final long ALLOCATION_ALLOWANCE = 64 * 1024;

    private static final int ALLOCATION_PER_INPUT_BYTE = 32;

    private static final int[] TYPES = {
        FrameCodec.TYPE_HELLO,
        FrameCodec.TYPE_HELLO_OK,
        FrameCodec.TYPE_OPEN,
        FrameCodec.TYPE_OPEN_OK,
        FrameCodec.TYPE_OPEN_FAIL,
        FrameCodec.TYPE_CHANNEL_OPEN,
        FrameCodec.TYPE_DATA,
        FrameCodec.TYPE_WINDOW_UPDATE,
        FrameCodec.TYPE_FIN,
        FrameCodec.TYPE_RST,
        FrameCodec.TYPE_PING,
        FrameCodec.TYPE_PONG,
        FrameCodec.TYPE_GOAWAY,
    };
    private static final int[] INTERESTING_INTS = {
        0,
        1,
        2,
        0x7f,
        0x80,
        0xff,
        0x100,
        0x7fff,
        0x8000,
        0xffff,
        0x10000,
        FrameCodec.MAX_PAYLOAD,
        FrameCodec.MAX_PAYLOAD + 1,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        -1,
    };
    private static final String TCHARS =
            "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final Allocation allocation = new Allocation();

    // ---- frames ----------------------------------------------------------------------------

    @Test
    void randomBytesAreDecodedOrRejected() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < 120_000; i++) {
                byte[] input = randomBytes(random, random.nextInt(48));
                if (random.nextBoolean() && input.length >= FrameCodec.HEADER_LENGTH) {
                    // Mostly a plausible header, so the payload decoders see the random bytes.
                    input[0] = (byte) TYPES[random.nextInt(TYPES.length)];
                    input[1] = 0;
                    FrameCodec.putInt(input, 2, random.nextInt(3));
                    FrameCodec.putInt(input, 6, input.length - FrameCodec.HEADER_LENGTH);
                }
                checkFrame(input, "random bytes, iteration " + i);
            }
        });
    }

    @Test
    void mutatedValidFramesAreDecodedOrRejected() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            int decoded = 0;
            for (int i = 0; i < 150_000; i++) {
                byte[] valid = FrameCodec.encode(randomFrame(random));
                byte[] input = valid;
                int mutations = 1 + random.nextInt(2);
                for (int m = 0; m < mutations; m++) {
                    input = mutateFrame(random, input);
                }
                if (checkFrame(input, "mutated frame of " + valid.length + " bytes, iteration " + i) != null) {
                    decoded++;
                }
            }
            // The mutations must leave enough frames intact for the re-encoding property to mean something.
            assertTrue(decoded > 10_000, "seed " + SEED + ": only " + decoded + " mutated frames decoded");
        });
    }

    @Test
    void headerCheckAgreesWithTheFullDecoder() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < 100_000; i++) {
                byte[] input = mutateFrame(random, FrameCodec.encode(randomFrame(random)));
                String where = "seed " + SEED + ", iteration " + i + ", input "
                        + java.util.HexFormat.of().formatHex(input);
                Integer type;
                try {
                    type = FrameCodec.checkHeader(java.nio.ByteBuffer.wrap(input));
                } catch (ProtocolException e) {
                    type = null;
                } catch (RuntimeException e) {
                    throw new AssertionError(where + ": checkHeader threw " + e, e);
                }
                Frame decoded;
                try {
                    decoded = FrameCodec.decode(input);
                } catch (ProtocolException e) {
                    decoded = null;
                }
                if (decoded != null) {
                    assertTrue(
                            type != null && type == (input[0] & 0xff),
                            where + ": decode accepted what checkHeader refused");
                }
                if (type != null && type == FrameCodec.TYPE_DATA) {
                    assertTrue(decoded instanceof Frame.Data, where + ": checkHeader passed DATA the decoder refuses");
                }
            }
        });
    }

    @Test
    void randomValidFramesRoundTrip() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < 60_000; i++) {
                Frame frame = randomFrame(random);
                String where = "seed " + SEED + ", iteration " + i + ", " + frame;
                byte[] wire = FrameCodec.encode(frame);
                Frame decoded = checkFrame(wire, "round trip, iteration " + i);
                if (decoded == null) {
                    fail(where + ": encoded as " + toHex(wire) + " but rejected");
                }
                try {
                    WireBytes.assertFrameEquals(frame, decoded);
                } catch (AssertionError e) {
                    throw new AssertionError(where, e);
                }
            }
        });
    }

    /** Frames with arbitrary field values: the encoder refuses exactly what the decoder would reject. */
    @Test
    void encoderAcceptsOnlyWhatTheDecoderAccepts() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            int refused = 0;
            for (int i = 0; i < 60_000; i++) {
                Frame frame = randomWildFrame(random);
                byte[] wire;
                try {
                    wire = FrameCodec.encode(frame);
                } catch (IllegalArgumentException expected) {
                    refused++;
                    continue;
                } catch (RuntimeException e) {
                    throw new AssertionError(
                            "seed " + SEED + ", iteration " + i + ": encode threw " + e + " for " + frame, e);
                }
                if (checkFrame(wire, "wild frame " + frame + ", iteration " + i) == null) {
                    fail("seed " + SEED + ", iteration " + i + ": " + frame + " encoded as " + toHex(wire)
                            + " but the decoder rejects it");
                }
            }
            assertTrue(refused > 1_000, "seed " + SEED + ": the generator produced too few invalid frames");
        });
    }

    /** A header that declares far more than is there must fail on the header, allocating nothing big. */
    @Test
    void hugeDeclaredLengthsAreRejectedWithoutAllocating() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < 20_000; i++) {
                int declared = random.nextBoolean()
                        ? FrameCodec.MAX_PAYLOAD + 1 + random.nextInt(Integer.MAX_VALUE - FrameCodec.MAX_PAYLOAD)
                        : INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                byte[] input = concat(
                        new byte[] {(byte) TYPES[random.nextInt(TYPES.length)], 0},
                        WireBytes.u32(random.nextInt(3)),
                        WireBytes.u32(declared),
                        randomBytes(random, random.nextInt(16)));
                int body = input.length - FrameCodec.HEADER_LENGTH;
                Frame frame =
                        checkFrame(input, "declared length " + Integer.toUnsignedString(declared) + ", iteration " + i);
                if (declared != body) {
                    assertEquals(null, frame);
                    String message = rejection(input);
                    String expected = declared < 0 || declared > FrameCodec.MAX_PAYLOAD
                            ? "exceeds the maximum of " + FrameCodec.MAX_PAYLOAD
                            : "does not match the " + body + " bytes";
                    assertTrue(message.contains(expected), "seed " + SEED + ": " + message);
                }
            }
        });
    }

    // ---- HTTP heads ------------------------------------------------------------------------

    @Test
    void randomBytesAreHttpHeadsOrRejected() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < 60_000; i++) {
                byte[] input = randomBytes(random, random.nextInt(40));
                if (random.nextBoolean() && input.length >= 6) {
                    // Plausible small lengths and counts, so more than the first field is read.
                    input[0] = 0;
                    input[1] = (byte) random.nextInt(6);
                    input[2 + random.nextInt(input.length - 3)] = 0;
                }
                checkRequest(input, "random bytes, iteration " + i);
                checkResponse(input, "random bytes, iteration " + i);
            }
        });
    }

    @Test
    void mutatedHttpHeadsAreDecodedOrRejected() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            int decoded = 0;
            for (int i = 0; i < 80_000; i++) {
                boolean request = random.nextBoolean();
                byte[] valid =
                        request ? HttpHead.encode(randomRequest(random)) : HttpHead.encode(randomResponse(random));
                byte[] input = mutateHead(random, valid);
                String where = "mutated head of " + valid.length + " bytes, iteration " + i;
                Object head = request ? checkRequest(input, where) : checkResponse(input, where);
                if (head != null) {
                    decoded++;
                }
            }
            assertTrue(decoded > 5_000, "seed " + SEED + ": only " + decoded + " mutated heads decoded");
        });
    }

    @Test
    void randomValidHttpHeadsRoundTrip() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < 20_000; i++) {
                HttpHead.Request request = randomRequest(random);
                assertEquals(
                        request,
                        checkRequest(HttpHead.encode(request), "round trip, iteration " + i),
                        "seed " + SEED + ", iteration " + i);
                HttpHead.Response response = randomResponse(random);
                assertEquals(
                        response,
                        checkResponse(HttpHead.encode(response), "round trip, iteration " + i),
                        "seed " + SEED + ", iteration " + i);
            }
        });
    }

    // ---- the properties --------------------------------------------------------------------

    /** Decodes {@code input} checking every property; the frame, or null if it was rejected. */
    private Frame checkFrame(byte[] input, String where) {
        Decoded<Frame> result = allocation.measure(input, where, () -> FrameCodec.decode(input));
        // The same bytes at an offset in a larger buffer must decode the same way.
        if ((input.length & 7) == 0) {
            ByteBuffer shifted = ByteBuffer.wrap(concat(new byte[3], input, new byte[2]), 3, input.length);
            Decoded<Frame> again = allocation.measure(input, where, () -> FrameCodec.decode(shifted));
            if ((again.value == null) != (result.value == null)) {
                fail(context(where, input) + ": decode(ByteBuffer) and decode(byte[]) disagree");
            }
        }
        if (result.value != null) {
            byte[] reencoded = reencode(() -> FrameCodec.encode(result.value), where, input);
            assertArrayEquals(normalized(input), reencoded, () -> context(where, input) + ": re-encoded differently");
        }
        return result.value;
    }

    private HttpHead.Request checkRequest(byte[] input, String where) {
        HttpHead.Request request = allocation.measure(input, where, () -> HttpHead.decodeRequest(input)).value;
        if (request != null) {
            assertArrayEquals(
                    input,
                    reencode(() -> HttpHead.encode(request), where, input),
                    () -> context(where, input) + ": re-encoded differently");
            String startLine = request.method() + " " + request.uri() + " HTTP/1.1";
            assertEquals(
                    2,
                    startLine.chars().filter(c -> c == ' ').count(),
                    () -> context(where, input) + ": request line " + startLine);
            assertSafeHttp1(startLine, request.headers(), where, input);
        }
        return request;
    }

    private HttpHead.Response checkResponse(byte[] input, String where) {
        HttpHead.Response response = allocation.measure(input, where, () -> HttpHead.decodeResponse(input)).value;
        if (response != null) {
            assertArrayEquals(
                    input,
                    reencode(() -> HttpHead.encode(response), where, input),
                    () -> context(where, input) + ": re-encoded differently");
            assertSafeHttp1(
                    "HTTP/1.1 " + response.status() + " " + response.reason(), response.headers(), where, input);
        }
        return response;
    }

    /** Written out as HTTP/1.1, a decoded head has exactly the lines it claims: nothing smuggled. */
    private static void assertSafeHttp1(
            String startLine, List<Map.Entry<String, String>> headers, String where, byte[] input) {
        StringBuilder text = new StringBuilder(startLine).append("\r\n");
        for (Map.Entry<String, String> header : headers) {
            text.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        text.append("\r\n");
        String[] lines = text.toString().split("\r\n", -1);
        assertEquals(headers.size() + 3, lines.length, () -> context(where, input) + ": line count");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            assertTrue(
                    line.indexOf('\r') < 0 && line.indexOf('\n') < 0 && line.indexOf('\0') < 0,
                    () -> context(where, input) + ": bare CR, LF or NUL in " + line);
            if (i > 0 && i <= headers.size()) {
                String name = line.substring(0, line.indexOf(':'));
                assertEquals(headers.get(i - 1).getKey(), name, () -> context(where, input) + ": header name");
                assertTrue(name.chars().allMatch(c -> TCHARS.indexOf(c) >= 0), () -> context(where, input));
            }
        }
    }

    private static byte[] reencode(java.util.function.Supplier<byte[]> encoder, String where, byte[] input) {
        try {
            return encoder.get();
        } catch (RuntimeException e) {
            throw new AssertionError(context(where, input) + ": what was decoded cannot be encoded", e);
        }
    }

    /** The input as the encoder writes it back: unknown reason codes read as INTERNAL (0), BLOCKED is dropped. */
    private static byte[] normalized(byte[] frame) {
        int type = frame[0] & 0xff;
        if (type == FrameCodec.TYPE_DATA && frame[1] == FrameCodec.FLAG_BLOCKED) {
            // BLOCKED is a hint about the sender, not part of the decoded frame: it re-encodes as 0.
            byte[] out = frame.clone();
            out[1] = 0;
            return out;
        }
        boolean hasReason =
                type == FrameCodec.TYPE_OPEN_FAIL || type == FrameCodec.TYPE_RST || type == FrameCodec.TYPE_GOAWAY;
        int code = hasReason ? frame[FrameCodec.HEADER_LENGTH] & 0xff : 0;
        if (Reason.of(code).code() == code) {
            return frame;
        }
        byte[] out = frame.clone();
        out[FrameCodec.HEADER_LENGTH] = 0;
        return out;
    }

    private static String rejection(byte[] input) {
        try {
            FrameCodec.decode(input);
            return "(accepted)";
        } catch (ProtocolException e) {
            return e.getMessage();
        }
    }

    private static String context(String where, byte[] input) {
        String hex = toHex(input);
        return "seed " + SEED + " (-Dfuzz.seed=" + SEED + "), " + where + ", input "
                + (hex.length() > 600 ? hex.substring(0, 600) + "... (" + input.length + " bytes)" : hex);
    }

    interface Decoder<T> {
        T decode() throws ProtocolException;
    }

    record Decoded<T>(T value) {}

    /** Runs decoders, turning anything but a value or a ProtocolException into a failure. */
    private static final class Allocation {
        private final com.sun.management.ThreadMXBean threads = threadBean();

        <T> Decoded<T> measure(byte[] input, String where, Decoder<T> decoder) {
            long limit = ALLOCATION_ALLOWANCE + (long) ALLOCATION_PER_INPUT_BYTE * input.length;
            Result<T> result = run(input, where, decoder);
            if (result.allocated > limit) {
                // The first use of a call site (string concatenation, a charset) allocates once; only a repeat counts.
                long again = run(input, where, decoder).allocated;
                assertTrue(
                        again <= limit,
                        () -> context(where, input) + ": decoding allocated " + again + " bytes, more than " + limit);
            }
            return new Decoded<>(result.value);
        }

        private <T> Result<T> run(byte[] input, String where, Decoder<T> decoder) {
            long before = allocatedSoFar();
            T value;
            try {
                value = decoder.decode();
            } catch (ProtocolException e) {
                if (e.getMessage() == null || e.getMessage().isEmpty()) {
                    fail(context(where, input) + ": rejected without a message");
                }
                value = null;
            } catch (Throwable t) {
                throw new AssertionError(context(where, input) + ": decoder threw " + t, t);
            }
            return new Result<>(value, allocatedSoFar() - before);
        }

        private long allocatedSoFar() {
            return threads == null ? 0 : threads.getCurrentThreadAllocatedBytes();
        }

        private static com.sun.management.ThreadMXBean threadBean() {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                    && bean.isThreadAllocatedMemorySupported()
                    && bean.isThreadAllocatedMemoryEnabled()) {
                return bean;
            }
            return null;
        }

        private record Result<T>(T value, long allocated) {}
    }

    // ---- generators and mutators -----------------------------------------------------------

    private static byte[] randomBytes(Random random, int length) {
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }

    private static Frame randomFrame(Random random) {
        int streamId = random.nextInt(4) == 0 ? 1 + random.nextInt(Integer.MAX_VALUE) : 1 + random.nextInt(1000);
        switch (random.nextInt(14)) {
            case 12: {
                int count = random.nextInt(8) == 0 ? FrameCodec.MAX_REPLICAS : random.nextInt(4);
                List<Frame.Replica> replicas = new java.util.ArrayList<>();
                for (int i = 0; i < count; i++) {
                    String url = randomString(random, random.nextInt(20) == 0 ? FrameCodec.MAX_URL_LENGTH : 80);
                    replicas.add(new Frame.Replica(i + ":" + randomString(random, 40), url.isEmpty() ? "u" : url));
                }
                return new Frame.Replicas(randomString(random, FrameCodec.MAX_ID_LENGTH), replicas);
            }
            case 11: {
                String serviceId = randomString(random, FrameCodec.MAX_ID_LENGTH);
                return new Frame.ChannelOpen(
                        streamId & ~1 | 2,
                        TargetProtocol.values()[random.nextInt(TargetProtocol.values().length)],
                        serviceId.isEmpty() ? "s" : serviceId,
                        randomWindow(random));
            }
            case 0:
                return new Frame.Hello(
                        random.nextInt(0x10000),
                        randomString(random, FrameCodec.MAX_ID_LENGTH),
                        randomString(random, FrameCodec.MAX_ID_LENGTH));
            case 1:
                return new Frame.HelloOk(
                        random.nextInt(0x10000),
                        randomString(random, FrameCodec.MAX_ID_LENGTH),
                        1 + random.nextInt(Integer.MAX_VALUE));
            case 2: {
                TargetProtocol protocol = TargetProtocol.values()[random.nextInt(TargetProtocol.values().length)];
                String host = randomString(random, FrameCodec.MAX_ID_LENGTH);
                byte[] head = protocol.isHttp() && random.nextBoolean()
                        ? HttpHead.encode(randomRequest(random))
                        : randomBytes(random, random.nextInt(4) == 0 ? random.nextInt(300) : 0);
                return new Frame.Open(
                        streamId,
                        protocol,
                        host.isEmpty() ? "h" : host,
                        1 + random.nextInt(0xffff),
                        randomWindow(random),
                        head,
                        random.nextInt(3) == 0 ? randomPrincipals(random) : PrincipalTokens.NONE);
            }
            case 3:
                return new Frame.OpenOk(streamId, randomWindow(random));
            case 4:
                return new Frame.OpenFail(
                        streamId, randomReason(random), randomString(random, FrameCodec.MAX_MESSAGE_LENGTH));
            case 5: {
                int length = random.nextInt(2000) == 0
                        ? FrameCodec.MAX_PAYLOAD
                        : random.nextInt(random.nextBoolean() ? 16 : 2048);
                return new Frame.Data(streamId, randomBytes(random, length));
            }
            case 6:
                return new Frame.WindowUpdate(
                        streamId,
                        random.nextBoolean() ? 1 + random.nextInt(1 << 20) : 1 + random.nextInt(Integer.MAX_VALUE));
            case 7:
                return new Frame.Fin(streamId);
            case 8:
                return new Frame.Rst(
                        streamId, randomReason(random), randomString(random, FrameCodec.MAX_MESSAGE_LENGTH));
            case 9:
                return new Frame.Ping(random.nextLong());
            case 10:
                return new Frame.Pong(random.nextLong());
            default:
                return new Frame.GoAway(randomReason(random), randomString(random, FrameCodec.MAX_MESSAGE_LENGTH));
        }
    }

    /** Like {@link #randomFrame} but with edge and out-of-range field values. */
    private static Frame randomWildFrame(Random random) {
        int streamId = wildInt(random);
        int number = wildInt(random);
        String id = random.nextInt(8) == 0
                ? "x".repeat(FrameCodec.MAX_ID_LENGTH + random.nextInt(3) - 1)
                : random.nextInt(8) == 0 ? "" : randomString(random, 20);
        String message = random.nextInt(8) == 0
                ? "\u00e9".repeat(FrameCodec.MAX_MESSAGE_LENGTH / 2 + random.nextInt(3) - 1)
                : randomString(random, 40);
        switch (random.nextInt(10)) {
            case 9:
                return new Frame.ChannelOpen(streamId, TargetProtocol.RFC, id, number);
            case 0:
                return new Frame.Hello(number, id, id);
            case 1:
                return new Frame.HelloOk(random.nextInt(0x10000), id, number);
            case 2:
                return new Frame.Open(
                        streamId,
                        TargetProtocol.TCP,
                        id,
                        wildInt(random),
                        wildInt(random),
                        randomBytes(random, random.nextInt(8)),
                        random.nextBoolean()
                                ? PrincipalTokens.NONE
                                : new PrincipalTokens(wildToken(random), wildToken(random)));
            case 3:
                return new Frame.OpenOk(streamId, number);
            case 4:
                return new Frame.OpenFail(streamId, randomReason(random), message);
            case 5:
                return new Frame.Data(streamId, randomBytes(random, random.nextInt(8)));
            case 6:
                return new Frame.WindowUpdate(streamId, number);
            case 7:
                return new Frame.Fin(streamId);
            default:
                return new Frame.Rst(streamId, randomReason(random), message);
        }
    }

    /** Tokens as proxy-service carries them: visible ASCII, at least one of the two, up to the limit. */
    private static PrincipalTokens randomPrincipals(Random random) {
        String user = random.nextBoolean() ? randomTokenText(random) : "";
        String technical = user.isEmpty() || random.nextBoolean() ? randomTokenText(random) : "";
        return new PrincipalTokens(user, technical);
    }

    private static String randomTokenText(Random random) {
        int length = random.nextInt(50) == 0 ? FrameCodec.MAX_TOKEN_LENGTH : 1 + random.nextInt(2000);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) (0x21 + random.nextInt(0x7e - 0x21 + 1)));
        }
        return out.toString();
    }

    /** Tokens at and beyond the edges: empty, over the limit, with spaces, controls or non-ASCII. */
    private static String wildToken(Random random) {
        switch (random.nextInt(6)) {
            case 0:
                return "";
            case 1:
                return "t".repeat(FrameCodec.MAX_TOKEN_LENGTH + random.nextInt(3) - 1);
            case 2:
                return "a b";
            case 3:
                return "x\u0001y";
            case 4:
                return "\u00e9";
            default:
                return randomTokenText(random);
        }
    }

    private static int wildInt(Random random) {
        return random.nextBoolean() ? INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)] : random.nextInt();
    }

    private static int randomWindow(Random random) {
        return random.nextInt(8) == 0 ? (random.nextBoolean() ? 0 : Integer.MAX_VALUE) : random.nextInt(1 << 22);
    }

    private static Reason randomReason(Random random) {
        return Reason.values()[random.nextInt(Reason.values().length)];
    }

    /** A string of at most {@code maxBytes} UTF-8 bytes mixing ASCII, Latin-1, BMP and supplementary characters. */
    private static String randomString(Random random, int maxBytes) {
        int budget = random.nextInt(10) == 0 ? maxBytes : random.nextInt(Math.min(maxBytes, 48) + 1);
        StringBuilder out = new StringBuilder();
        int used = 0;
        while (true) {
            int codePoint =
                    switch (random.nextInt(6)) {
                        case 0 -> 0x80 + random.nextInt(0x780);
                        case 1 -> {
                            int c = 0x800 + random.nextInt(0x10000 - 0x800);
                            yield c >= 0xd800 && c <= 0xdfff ? 'x' : c;
                        }
                        case 2 -> 0x10000 + random.nextInt(0x110000 - 0x10000);
                        default -> random.nextInt(0x80);
                    };
            int bytes = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (used + bytes > budget) {
                return out.toString();
            }
            used += bytes;
            out.appendCodePoint(codePoint);
        }
    }

    private static byte[] mutateFrame(Random random, byte[] wire) {
        byte[] out = wire.clone();
        switch (random.nextInt(8)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0 && out.length > 0; flips--) {
                    int bit = random.nextInt(out.length * 8);
                    out[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case 1 -> out = Arrays.copyOf(out, out.length == 0 ? 0 : random.nextInt(out.length));
            case 2 -> out = concat(out, randomBytes(random, 1 + random.nextInt(16)));
            case 3 -> {
                if (out.length >= FrameCodec.HEADER_LENGTH) {
                    int length = out.length - FrameCodec.HEADER_LENGTH;
                    int[] choices = {
                        length + 1,
                        length - 1,
                        length + random.nextInt(64) - 32,
                        random.nextInt(),
                        INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]
                    };
                    FrameCodec.putInt(out, 6, choices[random.nextInt(choices.length)]);
                }
            }
            case 4 -> {
                if (out.length > 0) {
                    out[0] =
                            (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : TYPES[random.nextInt(TYPES.length)]);
                }
            }
            case 5 -> {
                // Cut or grow the payload but keep the length field honest, so the payload decoder runs.
                if (out.length >= FrameCodec.HEADER_LENGTH) {
                    byte[] payload = WireBytes.payload(out);
                    payload = random.nextBoolean() && payload.length > 0
                            ? Arrays.copyOf(payload, random.nextInt(payload.length))
                            : concat(payload, randomBytes(random, 1 + random.nextInt(8)));
                    out = WireBytes.withPayload(out, payload);
                }
            }
            case 6 -> {
                // An interesting 16- or 32-bit value over a payload field (string lengths, windows, ports).
                if (out.length > FrameCodec.HEADER_LENGTH + 1) {
                    int at = FrameCodec.HEADER_LENGTH + random.nextInt(out.length - FrameCodec.HEADER_LENGTH - 1);
                    int value = INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                    if (random.nextBoolean() && at + 4 <= out.length) {
                        FrameCodec.putInt(out, at, value);
                    } else {
                        out[at] = (byte) (value >>> 8);
                        out[at + 1] = (byte) value;
                    }
                }
            }
            default -> {
                if (out.length >= FrameCodec.HEADER_LENGTH) {
                    FrameCodec.putInt(out, 2, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(3));
                }
            }
        }
        return out;
    }

    private static byte[] mutateHead(Random random, byte[] head) {
        byte[] out = head.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0 && out.length > 0; flips--) {
                    int bit = random.nextInt(out.length * 8);
                    out[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1));
            case 2 -> out = concat(out, randomBytes(random, 1 + random.nextInt(8)));
            case 3 -> {
                if (out.length >= 2) {
                    int at = random.nextInt(out.length - 1);
                    int value = INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                    out[at] = (byte) (value >>> 8);
                    out[at + 1] = (byte) value;
                }
            }
            default -> {
                // Characters that matter to HTTP/1.1 framing, dropped into the text.
                if (out.length > 0) {
                    byte[] specials = {'\r', '\n', 0, ' ', '\t', ':', '/', 0x7f, (byte) 0xc3, (byte) 0xa9};
                    out[random.nextInt(out.length)] = specials[random.nextInt(specials.length)];
                }
            }
        }
        return out;
    }

    private static HttpHead.Request randomRequest(Random random) {
        String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
        String method = random.nextInt(4) == 0 ? randomToken(random) : methods[random.nextInt(methods.length)];
        StringBuilder uri = new StringBuilder("/");
        for (int n = random.nextInt(24); n > 0; n--) {
            uri.append((char) (0x21 + random.nextInt(0x7f - 0x21)));
        }
        if (random.nextInt(8) == 0) {
            uri.append("caf\u00e9");
        }
        return new HttpHead.Request(method, uri.toString(), randomHeaders(random));
    }

    private static HttpHead.Response randomResponse(Random random) {
        return new HttpHead.Response(100 + random.nextInt(900), randomFieldText(random), randomHeaders(random));
    }

    private static List<Map.Entry<String, String>> randomHeaders(Random random) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int n = random.nextInt(random.nextInt(16) == 0 ? 300 : 6); n > 0; n--) {
            headers.add(Map.entry(randomToken(random), randomFieldText(random)));
        }
        return headers;
    }

    private static String randomToken(Random random) {
        StringBuilder out = new StringBuilder();
        for (int n = 1 + random.nextInt(12); n > 0; n--) {
            out.append(TCHARS.charAt(random.nextInt(TCHARS.length())));
        }
        return out.toString();
    }

    /** Header value or reason phrase text: anything but CR, LF and NUL. */
    private static String randomFieldText(Random random) {
        String text = randomString(random, 40);
        return text.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
    }
}
