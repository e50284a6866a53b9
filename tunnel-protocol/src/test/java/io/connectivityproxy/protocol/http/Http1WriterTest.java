package io.connectivityproxy.protocol.http;

import static io.connectivityproxy.protocol.http.HttpWire.concat;
import static io.connectivityproxy.protocol.http.HttpWire.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.connectivityproxy.protocol.http.HttpWire.Outcome;

/** {@link Http1Writer}: exact bytes, and what it writes reads back the same through the parser and decoder. */
class Http1WriterTest {

    @Test
    void requestHeadExactBytes() {
        byte[] head = Http1Writer.request(
                "POST",
                "/a?b=1",
                List.of(Map.entry("Host", "backend"), Map.entry("Content-Length", "2"), Map.entry("X-Empty", "")));
        assertEquals("POST /a?b=1 HTTP/1.1\r\nHost: backend\r\nContent-Length: 2\r\nX-Empty: \r\n\r\n", latin1(head));
    }

    @Test
    void requestHeadWithoutFields() {
        assertEquals("CONNECT h:443 HTTP/1.1\r\n\r\n", latin1(Http1Writer.request("CONNECT", "h:443", List.of())));
    }

    @Test
    void responseHeadExactBytes() {
        byte[] head = Http1Writer.response(404, "Nope", List.of(Map.entry("Content-Length", "0")));
        assertEquals("HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n", latin1(head));
    }

    /** RFC 9112 section 4: the reason carries no meaning, but a well-known one reads better than none. */
    @Test
    void emptyReasonIsReplacedByTheUsualPhrase() {
        assertEquals("HTTP/1.1 502 Bad Gateway\r\n\r\n", latin1(Http1Writer.response(502, "", List.of())));
        assertEquals("HTTP/1.1 204 No Content\r\n\r\n", latin1(Http1Writer.response(204, "", List.of())));
        assertEquals("HTTP/1.1 599 Status 599\r\n\r\n", latin1(Http1Writer.response(599, "", List.of())));
    }

    @Test
    void bytesUpToFfAreWrittenOneForOne() {
        byte[] head = Http1Writer.request("GET", "/caf\u00e9", List.of(Map.entry("X", "\u0080\u00ff")));
        assertArrayEquals(
                concat(
                        latin1("GET /caf"),
                        new byte[] {(byte) 0xe9},
                        latin1(" HTTP/1.1\r\nX: "),
                        new byte[] {(byte) 0x80, (byte) 0xff},
                        latin1("\r\n\r\n")),
                head);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0100", "\u20ac", "\ud83d\ude00"})
    void charactersAboveFfAreRefused(String wide) {
        assertThrows(IllegalArgumentException.class, () -> Http1Writer.request("GET", "/" + wide, List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> Http1Writer.request("GET", "/", List.of(Map.entry("X", "a" + wide))));
        assertThrows(
                IllegalArgumentException.class,
                () -> Http1Writer.request("GET", "/", List.of(Map.entry("X" + wide, "a"))));
        assertThrows(IllegalArgumentException.class, () -> Http1Writer.response(200, "O" + wide, List.of()));
    }

    /** RFC 9112 section 7.1: chunk-size in hex, then CRLF. */
    @Test
    void chunkHeadersExactBytes() {
        assertEquals("1\r\n", latin1(Http1Writer.chunkHeader(1)));
        assertEquals("ff\r\n", latin1(Http1Writer.chunkHeader(255)));
        assertEquals("1000\r\n", latin1(Http1Writer.chunkHeader(4096)));
        assertEquals("7fffffff\r\n", latin1(Http1Writer.chunkHeader(Integer.MAX_VALUE)));
        assertEquals("0\r\n\r\n", latin1(Http1Writer.LAST_CHUNK));
        assertEquals("\r\n", latin1(Http1Writer.CRLF));
    }

    @Test
    void writtenChunksDecodeToTheirContent() {
        String first = "x".repeat(300);
        byte[] body = concat(
                Http1Writer.chunkHeader(first.length()),
                latin1(first),
                Http1Writer.CRLF,
                Http1Writer.chunkHeader(1),
                latin1("!"),
                Http1Writer.CRLF,
                Http1Writer.LAST_CHUNK);
        assertEquals(new Outcome(first + "!", body.length, 0, null, true), HttpWire.decode(BodyFraming.CHUNKED, body));
    }

    @Test
    void parsedRequestRoundTrips() throws HttpException {
        byte[] original = latin1("\r\nGET http://h/caf\u00e9 HTTP/1.0\nHost:  h \nVia: 1.0 a\nX-Empty:\n\n");
        Http1Request parsed = Http1Parser.parseRequest(original);
        byte[] written = Http1Writer.request(parsed.method(), parsed.target(), parsed.fields());
        assertEquals("GET http://h/caf\u00e9 HTTP/1.1\r\nHost: h\r\nVia: 1.0 a\r\nX-Empty: \r\n\r\n", latin1(written));
        assertEquals(
                new Http1Request(parsed.method(), parsed.target(), 1, parsed.fields()),
                Http1Parser.parseRequest(written));
    }

    @Test
    void parsedResponseRoundTrips() throws HttpException {
        Http1Response parsed =
                Http1Parser.parseResponse(latin1("HTTP/1.0 200 Fine  \nSet-Cookie: a\nSet-Cookie: b\n\n"));
        byte[] written = Http1Writer.response(parsed.status(), parsed.reason(), parsed.fields());
        assertEquals("HTTP/1.1 200 Fine  \r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n", latin1(written));
        assertEquals(new Http1Response(1, 200, "Fine  ", parsed.fields()), Http1Parser.parseResponse(written));
    }
}
