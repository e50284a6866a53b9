package io.connectivityproxy.protocol.http;

import static io.connectivityproxy.protocol.http.HttpWire.decodeEveryWay;
import static io.connectivityproxy.protocol.http.HttpWire.latin1;
import static io.connectivityproxy.protocol.http.HttpWire.over;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.connectivityproxy.protocol.http.HttpWire.Outcome;

/**
 * {@link BodyDecoder} on Content-Length, chunked (RFC 9112 section 7.1) and close-delimited
 * bodies. Every input is decoded whole, one byte at a time, at an offset and in random pieces,
 * and all of them must agree: a connection delivers bytes in arbitrary pieces.
 */
class BodyDecoderTest {

    private static final String NEXT_REQUEST = "GET /next HTTP/1.1\r\n\r\n";

    /** Fixed, so a failure in a random split is reproduced by rerunning the test. */
    private final Random random = new Random(7);

    // ---- Content-Length (RFC 9112 section 6.2) ---------------------------------------------

    @Test
    void lengthBodyEndsAfterItsLength() {
        Outcome outcome = decode(BodyFraming.length(5), "hello" + NEXT_REQUEST);
        assertEquals(new Outcome("hello", 5, 0, null, true), outcome);
    }

    @Test
    void lengthBodyNotYetComplete() {
        assertEquals(new Outcome("hel", -1, 0, null, false), decode(BodyFraming.length(5), "hel"));
    }

    @Test
    void emptyLengthBodyAndNoBodyTakeNothing() throws HttpException {
        for (BodyFraming framing : List.of(BodyFraming.length(0), BodyFraming.NONE)) {
            BodyDecoder decoder = new BodyDecoder(framing);
            assertTrue(decoder.done());
            byte[] next = latin1(NEXT_REQUEST);
            assertEquals(3, decoder.decode(over(next), 3, next.length, (from, to) -> {
                throw new AssertionError("content delivered for " + framing);
            }));
            decoder.end();
            assertEquals(0, decoder.contentBytes());
        }
    }

    // ---- chunked (RFC 9112 section 7.1) ----------------------------------------------------

    @Test
    void chunkedBody() {
        String body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        assertEquals(new Outcome("hello world", body.length(), 0, null, true), decode(BodyFraming.CHUNKED, body));
    }

    /** Pipelining: the bytes after the last chunk are the next request's; decode says where it stopped. */
    @Test
    void bytesAfterTheBodyAreLeftForTheNextMessage() {
        String body = "3\r\nabc\r\n0\r\n\r\n";
        assertEquals(
                new Outcome("abc", body.length(), 0, null, true), decode(BodyFraming.CHUNKED, body + NEXT_REQUEST));
    }

    /** RFC 9112 section 7.1.1: chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ), value a token or quoted. */
    @Test
    void chunkExtensionsAreSkipped() {
        String body = "5;name=value\r\nhello\r\n1 ; a=\"q;x\" ;b\r\n!\r\n2\t;c\r\n??\r\n0;last\r\n\r\n";
        assertEquals(new Outcome("hello!??", body.length(), 0, null, true), decode(BodyFraming.CHUNKED, body));
    }

    /** RFC 9110 section 5.6.4: a quoted-string may hold obs-text (0x80-0xFF). */
    @Test
    void chunkExtensionWithObsText() {
        String body = "2;n=\"caf\u00e9\u00ff\"\r\nok\r\n0\r\n\r\n";
        assertEquals(new Outcome("ok", body.length(), 0, null, true), decode(BodyFraming.CHUNKED, body));
    }

    /** RFC 9112 section 7.1.2: the trailer section is read to its end and dropped. */
    @Test
    void trailersAreReadAndDropped() {
        String body = "4\r\ndata\r\n0\r\nExpires: never\r\nX-Checksum: 1234\r\n\r\n";
        assertEquals(
                new Outcome("data", body.length(), 0, null, true), decode(BodyFraming.CHUNKED, body + NEXT_REQUEST));
    }

    /** RFC 9112 section 2.2: a bare LF ends each line of the chunked framing too. */
    @Test
    void lfOnlyLineEnds() {
        String lf = "5\nhello\n0\nX: y\n\n";
        assertEquals(new Outcome("hello", lf.length(), 0, null, true), decode(BodyFraming.CHUNKED, lf + NEXT_REQUEST));
        String mixed = "5\r\nhello\n3;e\nabc\r\n0\n\r\n";
        assertEquals(new Outcome("helloabc", mixed.length(), 0, null, true), decode(BodyFraming.CHUNKED, mixed));
    }

    @Test
    void chunkSizesInUpperAndLowerHexWithLeadingZeros() {
        String sixteen = "0123456789abcdef";
        String data = sixteen.repeat(16).substring(0, 0xfe);
        String body = "a\r\n" + data.substring(0, 10) + "\r\nA\r\n" + data.substring(0, 10) + "\r\nfE\r\n" + data
                + "\r\n000Ff\r\n" + data + "!\r\n00\r\n\r\n";
        Outcome outcome = decode(BodyFraming.CHUNKED, body);
        assertEquals(10 + 10 + 0xfe + 0xff, outcome.content().length());
        assertEquals(body.length(), outcome.end());
    }

    /** The largest size that fits a long is read (and waited for); one hex digit more is refused. */
    @Test
    void chunkSizeOverflowIsRefused() {
        assertEquals(new Outcome("abc", -1, 0, null, false), decode(BodyFraming.CHUNKED, "7fffffffffffffff\r\nabc"));
        assertRefused("8000000000000000\r\n");
        assertRefused("ffffffffffffffffff\r\n");
        assertRefused("10000000000000000\r\n");
    }

    @Test
    void dataLongerThanItsSizeIsRefused() {
        assertRefused("5\r\nhelloX\r\n0\r\n\r\n");
        assertRefused("5\r\nhello\rX\r\n0\r\n\r\n");
        assertRefused("5\r\nhello0\r\n\r\n");
    }

    /** RFC 9112 section 7.1: chunk-size = 1*HEXDIG, then only BWS ";" or the line end. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "x\r\n",
                "5x\r\n",
                "-5\r\n",
                "+5\r\n",
                " 5\r\n",
                "\r\n",
                "\n",
                ";a\r\n",
                "0x5\r\n",
                "5 6\r\n",
                "5\t6\r\n",
                "5 x\r\n",
                "5 =\r\n",
                "5,3\r\n",
                "\u00e95\r\n"
            })
    void malformedChunkSizesAreRefused(String sizeLine) {
        assertRefused(sizeLine + "hello\r\n0\r\n\r\n");
    }

    /** Whitespace after the size, before the line end, cannot be read two ways and is tolerated. */
    @Test
    void whitespaceAfterTheSize() {
        String body = "5 \r\nhello\r\n0\t\r\n\r\n";
        assertEquals(new Outcome("hello", body.length(), 0, null, true), decode(BodyFraming.CHUNKED, body));
    }

    /** RFC 9112 section 2.2: a bare CR anywhere in the framing is refused. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "5\rhello\r\n0\r\n\r\n",
                "5;e\rx\r\nhello\r\n0\r\n\r\n",
                "5\r\nhello\r\r\n0\r\n\r\n",
                "0\r\nX: a\rb\r\n\r\n",
                "0\r\nX: a\r\n\rx",
                "0\r\r\n\r\n",
                "0\r\n\r\r\n"
            })
    void bareCrIsRefused(String body) {
        assertRefused(body);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x0b, 0x1f, 0x7f})
    void controlCharactersInExtensionsAreRefused(int control) {
        assertRefused("5;a=" + (char) control + "\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void nulInTrailersIsRefused() {
        assertRefused("0\r\nX: a\u0000\r\n\r\n");
    }

    /** The size line, extensions included, may be {@link BodyDecoder#MAX_LINE} bytes long, not more. */
    @Test
    void oversizeSizeLinesAreRefused() {
        String longest = "0".repeat(BodyDecoder.MAX_LINE - 1) + "5";
        String body = longest + "\r\nhello\r\n0\r\n\r\n";
        assertEquals(new Outcome("hello", body.length(), 0, null, true), decode(BodyFraming.CHUNKED, body));
        assertRefused("0" + longest + "\r\nhello\r\n0\r\n\r\n");
        String extension = "5;" + "e".repeat(BodyDecoder.MAX_LINE - 2);
        String extended = extension + "\r\nhello\r\n0\r\n\r\n";
        assertEquals(new Outcome("hello", extended.length(), 0, null, true), decode(BodyFraming.CHUNKED, extended));
        assertRefused(extension + "e\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void oversizeTrailerSectionIsRefused() {
        String field = "X-Pad: " + "p".repeat(1000) + "\r\n";
        int fitting = BodyDecoder.MAX_TRAILERS / field.length();
        String body = "0\r\n" + field.repeat(fitting) + "\r\n";
        assertEquals(new Outcome("", body.length(), 0, null, true), decode(BodyFraming.CHUNKED, body));
        assertRefused("0\r\n" + field.repeat(fitting + 1) + "\r\n");
    }

    // ---- the end of the connection ---------------------------------------------------------

    /** RFC 9112 section 6.3 rule 8: a response without framing ends when the connection closes. */
    @Test
    void untilCloseBodyIsCompletedByEnd() throws HttpException {
        BodyFraming untilClose = new BodyFraming(BodyFraming.Kind.UNTIL_CLOSE, -1, List.of());
        String content = "all of it\r\n0\r\n\r\n" + NEXT_REQUEST;
        assertEquals(new Outcome(content, -1, 0, null, true), decode(untilClose, content));
        BodyDecoder decoder = new BodyDecoder(untilClose);
        byte[] bytes = latin1(content);
        assertEquals(bytes.length, decoder.decode(over(bytes), 0, bytes.length, (from, to) -> {}));
        assertFalse(decoder.done());
        decoder.end();
        assertTrue(decoder.done());
        assertEquals(bytes.length, decoder.contentBytes());
    }

    /** RFC 9112 section 8: a message whose body is cut short by the close is incomplete. */
    @Test
    void endInsideABodyIsRefused() throws HttpException {
        assertEquals(new Outcome("hel", -1, 0, null, false), decode(BodyFraming.length(5), "hel"));
        for (String partial : List.of(
                "",
                "5",
                "5\r\n",
                "5\r\nhel",
                "5\r\nhello",
                "5\r\nhello\r\n",
                "5\r\nhello\r\n0\r\n",
                "5\r\nhello\r\n0\r\nX: y\r\n")) {
            Outcome outcome = decode(BodyFraming.CHUNKED, partial);
            assertEquals(-1, outcome.end(), partial);
            assertFalse(outcome.closeAccepted(), () -> "end() accepted after " + Http1Parser.printable(partial));
        }
        BodyDecoder decoder = new BodyDecoder(BodyFraming.CHUNKED);
        byte[] partial = latin1("5\r\nhel");
        decoder.decode(over(partial), 0, partial.length, (from, to) -> {});
        assertEquals(400, assertThrows(HttpException.class, decoder::end).status());
    }

    @Test
    void endAfterACompleteBodyIsAccepted() throws HttpException {
        BodyDecoder decoder = new BodyDecoder(BodyFraming.CHUNKED);
        byte[] body = latin1("1\r\nx\r\n0\r\n\r\n");
        assertEquals(body.length, decoder.decode(over(body), 0, body.length, (from, to) -> {}));
        assertTrue(decoder.done());
        decoder.end();
        assertEquals(1, decoder.contentBytes());
    }

    // ---- helpers ---------------------------------------------------------------------------

    private Outcome decode(BodyFraming framing, String input) {
        return decodeEveryWay(framing, latin1(input), random, 12);
    }

    private void assertRefused(String body) {
        Outcome outcome = decode(BodyFraming.CHUNKED, body);
        assertEquals(400, outcome.refusal(), () -> "accepted " + Http1Parser.printable(body) + ": " + outcome);
    }
}
