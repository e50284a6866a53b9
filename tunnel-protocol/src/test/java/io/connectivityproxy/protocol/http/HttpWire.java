package io.connectivityproxy.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.TreeSet;

/**
 * Helpers for the HTTP/1.1 codec tests: heads written as ISO-8859-1 text (one char per byte, as
 * the parser reads them), and a body fed to a {@link BodyDecoder} in pieces of any size.
 */
final class HttpWire {

    /** Bytes put before the input in the "at an offset" feeding; a decoder must never read them. */
    private static final int OFFSET = 5;

    private HttpWire() {}

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static Http1Parser.Bytes over(byte[] bytes) {
        return i -> bytes[i];
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /**
     * What a decoder made of an input.
     *
     * @param content the content bytes delivered, one char per byte
     * @param end the input index just past the body, or -1 if the body has not ended
     * @param refusal the status of the {@link HttpException} decode threw, or 0
     * @param message its message, or null
     * @param closeAccepted whether {@link BodyDecoder#end()} after the input is accepted (the body
     *        is complete or delimited by the close); false after a refusal
     */
    record Outcome(String content, int end, int refusal, String message, boolean closeAccepted) {}

    /** Decodes the whole input in one call. */
    static Outcome decode(BodyFraming framing, byte[] input) {
        return decode(framing, input, 0, new int[0]);
    }

    /**
     * Feeds {@code input} to a new decoder in the pieces between {@code cuts} (ascending indexes),
     * the input placed {@code offset} bytes into a larger buffer; checks on the way that content
     * ranges and the returned index stay inside the piece being decoded.
     */
    static Outcome decode(BodyFraming framing, byte[] input, int offset, int[] cuts) {
        byte[] buffer = new byte[offset + input.length + 3];
        Arrays.fill(buffer, (byte) '#');
        System.arraycopy(input, 0, buffer, offset, input.length);
        BodyDecoder decoder = new BodyDecoder(framing);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        int from = offset;
        int end = decoder.done() ? 0 : -1;
        for (int n = 0; n <= cuts.length && end < 0; n++) {
            int to = offset + (n < cuts.length ? cuts[n] : input.length);
            int pieceFrom = from;
            int stop;
            try {
                stop = decoder.decode(over(buffer), from, to, (a, b) -> {
                    if (a < pieceFrom || b > to || a >= b) {
                        throw new AssertionError("content range [" + a + ", " + b + ") outside the piece [" + pieceFrom
                                + ", " + to + ")");
                    }
                    content.write(buffer, a, b - a);
                });
            } catch (HttpException e) {
                return new Outcome(latin1(content.toByteArray()), -1, e.status(), e.getMessage(), false);
            }
            if (decoder.done()) {
                if (stop < from || stop > to) {
                    throw new AssertionError("decode returned " + stop + " for the piece [" + from + ", " + to + ")");
                }
                end = stop - offset;
            } else {
                assertEquals(to, stop, "a decoder that is not done must take the whole piece");
            }
            from = to;
        }
        assertEquals(content.size(), decoder.contentBytes(), "contentBytes() and the content delivered");
        boolean closeAccepted;
        try {
            decoder.end();
            closeAccepted = true;
        } catch (HttpException e) {
            assertEquals(400, e.status());
            closeAccepted = false;
        }
        return new Outcome(latin1(content.toByteArray()), end, 0, null, closeAccepted);
    }

    /**
     * Decodes the input whole, one byte at a time, at an offset, and in random pieces; every way
     * must give the same outcome, which is returned.
     */
    static Outcome decodeEveryWay(BodyFraming framing, byte[] input, Random random, int randomSplits) {
        Outcome whole = decode(framing, input);
        int[] everyByte = new int[Math.max(0, input.length - 1)];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertEquals(whole, decode(framing, input, 0, everyByte), () -> "one byte at a time: " + hex(input));
        assertEquals(whole, decode(framing, input, OFFSET, new int[0]), () -> "at an offset: " + hex(input));
        for (int n = 0; n < randomSplits; n++) {
            int[] cuts = randomCuts(random, input.length);
            assertEquals(
                    whole,
                    decode(framing, input, OFFSET, cuts),
                    () -> "cut at " + Arrays.toString(cuts) + ": " + hex(input));
        }
        return whole;
    }

    /** Ascending cut points inside {@code [0, length]}, empty pieces included. */
    static int[] randomCuts(Random random, int length) {
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int n = random.nextInt(8); n > 0; n--) {
            cuts.add(random.nextInt(length + 1));
        }
        int[] sorted = cuts.stream().mapToInt(Integer::intValue).toArray();
        if (random.nextBoolean() && sorted.length > 0) {
            // The same cut twice: an empty piece in the middle of the body.
            int[] doubled = Arrays.copyOf(sorted, sorted.length + 1);
            doubled[sorted.length] = sorted[sorted.length - 1];
            return doubled;
        }
        return sorted;
    }
}
