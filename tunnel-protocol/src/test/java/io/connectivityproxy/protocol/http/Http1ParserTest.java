package io.connectivityproxy.protocol.http;

import static io.connectivityproxy.protocol.http.HttpWire.concat;
import static io.connectivityproxy.protocol.http.HttpWire.latin1;
import static io.connectivityproxy.protocol.http.HttpWire.over;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Http1Parser} byte by byte: what RFC 9112 lets a recipient accept is read as sent, and
 * whatever a second parser could read differently is refused with the status a server answers
 * (400, 505) or, for a backend's response, 502.
 */
class Http1ParserTest {

    private static final int MAX_HEAD = 64 * 1024;

    // ---- request heads (RFC 9112 section 3) ------------------------------------------------

    @Test
    void http11RequestLineAndFields() throws HttpException {
        Http1Request request = request("GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
        assertEquals("GET", request.method());
        assertEquals("/a?b=1", request.target());
        assertEquals(1, request.minorVersion());
        assertEquals(List.of(Map.entry("Host", "example.com"), Map.entry("Accept", "*/*")), request.fields());
    }

    @Test
    void http10RequestWithoutFields() throws HttpException {
        Http1Request request = request("POST /form HTTP/1.0\r\n\r\n");
        assertEquals("POST", request.method());
        assertEquals(0, request.minorVersion());
        assertEquals(List.of(), request.fields());
    }

    /** RFC 9112 section 3.2: origin-form, absolute-form, authority-form, asterisk-form. */
    @Test
    void everyFormOfRequestTarget() throws HttpException {
        assertEquals("/p/q?x=1&y", request("GET /p/q?x=1&y HTTP/1.1\r\n\r\n").target());
        assertEquals(
                "http://backend.local:8080/p?q",
                request("GET http://backend.local:8080/p?q HTTP/1.1\r\n\r\n").target());
        assertEquals(
                "backend.local:443",
                request("CONNECT backend.local:443 HTTP/1.1\r\n\r\n").target());
        assertEquals("*", request("OPTIONS * HTTP/1.1\r\n\r\n").target());
    }

    /** RFC 9110 section 9.1: a method is any token, compared case-sensitively. */
    @Test
    void methodIsAnyTokenAsSent() throws HttpException {
        assertEquals("get", request("get / HTTP/1.1\r\n\r\n").method());
        assertEquals("M-SEARCH", request("M-SEARCH * HTTP/1.1\r\n\r\n").method());
    }

    /** RFC 9112 section 5.1: the OWS around a value is not part of it; inner whitespace is. */
    @Test
    void fieldValuesLoseOnlyTheirSurroundingWhitespace() throws HttpException {
        Http1Request request = request("GET / HTTP/1.1\r\nA:  x y \t\r\nB:\r\nC:\tv\r\nD:p\tq\r\nE: \r\n\r\n");
        assertEquals(
                List.of(
                        Map.entry("A", "x y"),
                        Map.entry("B", ""),
                        Map.entry("C", "v"),
                        Map.entry("D", "p\tq"),
                        Map.entry("E", "")),
                request.fields());
    }

    /** RFC 9110 section 5.3: order of repeated fields matters; names compare case-insensitively. */
    @Test
    void repeatedFieldsKeepTheirOrderAndSpelling() throws HttpException {
        Http1Request request = request("GET / HTTP/1.1\r\nset-cookie: a=1\r\nX: y\r\nSet-Cookie: b=2\r\n\r\n");
        assertEquals(
                List.of(Map.entry("set-cookie", "a=1"), Map.entry("X", "y"), Map.entry("Set-Cookie", "b=2")),
                request.fields());
        assertEquals("a=1", request.field("SET-COOKIE"));
        assertEquals(null, request.field("cookie"));
    }

    /** RFC 9112 section 2.2: a server should ignore at least one empty line before the request line. */
    @Test
    void emptyLinesBeforeTheRequestLineAreIgnored() throws HttpException {
        Http1Request expected = request("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(expected, request("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(expected, request("\r\n\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(expected, request("\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    /** RFC 9112 section 2.2: a recipient may take a bare LF as a line terminator. */
    @Test
    void bareLfEndsLines() throws HttpException {
        Http1Request expected = request("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\r\n");
        assertEquals(expected, request("GET / HTTP/1.1\nHost: a\nX: b\n\n"));
        assertEquals(expected, request("GET / HTTP/1.1\nHost: a\r\nX: b\n\r\n"));
        assertEquals(expected, request("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\n"));
    }

    @Test
    void threeHundredFieldsInOrder() throws HttpException {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\n");
        List<Map.Entry<String, String>> expected = new ArrayList<>();
        for (int n = 0; n < 300; n++) {
            head.append("X-Field-").append(n).append(": value ").append(n).append("\r\n");
            expected.add(Map.entry("X-Field-" + n, "value " + n));
        }
        assertEquals(expected, request(head.append("\r\n").toString()).fields());
    }

    /**
     * RFC 9110 section 5.5: obs-text (0x80-0xFF) may appear in values, and targets carry raw bytes
     * in practice; each byte stays one char, so it is forwarded unchanged.
     */
    @Test
    void bytesAbove0x7fAreKeptOneCharPerByte() throws HttpException {
        byte[] high = new byte[128];
        for (int i = 0; i < high.length; i++) {
            high[i] = (byte) (0x80 + i);
        }
        byte[] head = concat(
                latin1("GET /caf"),
                new byte[] {(byte) 0xc3, (byte) 0xa9, (byte) 0xff},
                latin1(" HTTP/1.1\r\n"),
                latin1("X-Raw: "),
                high,
                latin1("\r\n\r\n"));
        Http1Request request = request(head);
        assertEquals("/caf\u00c3\u00a9\u00ff", request.target());
        String value = request.field("X-Raw");
        assertEquals(128, value.length());
        for (int i = 0; i < value.length(); i++) {
            assertEquals(0x80 + i, value.charAt(i));
        }
    }

    // ---- response heads (RFC 9112 section 4) -----------------------------------------------

    @Test
    void statusLines() throws HttpException {
        Http1Response ok = response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
        assertEquals(1, ok.minorVersion());
        assertEquals(200, ok.status());
        assertEquals("OK", ok.reason());
        assertEquals(List.of(Map.entry("Content-Length", "2")), ok.fields());
        Http1Response notFound = response("HTTP/1.0 404 Not Found Here\r\n\r\n");
        assertEquals(0, notFound.minorVersion());
        assertEquals(404, notFound.status());
        assertEquals("Not Found Here", notFound.reason());
        assertEquals(
                "Caf\u00e9\tok",
                response(concat(latin1("HTTP/1.1 200 Caf"), new byte[] {(byte) 0xe9}, latin1("\tok\r\n\r\n")))
                        .reason());
    }

    /** RFC 9112 section 4: the reason phrase may be empty; a client should ignore it. */
    @Test
    void emptyOrMissingReason() throws HttpException {
        assertEquals("", response("HTTP/1.1 204 \r\n\r\n").reason());
        Http1Response missing = response("HTTP/1.1 204\r\n\r\n");
        assertEquals(204, missing.status());
        assertEquals("", missing.reason());
        assertEquals(" x ", response("HTTP/1.1 500  x \r\n\r\n").reason());
    }

    @Test
    void statusBoundsAndInterimResponses() throws HttpException {
        assertEquals(100, response("HTTP/1.1 100 Continue\r\n\r\n").status());
        assertEquals(999, response("HTTP/1.1 999 Whatever\r\n\r\n").status());
        assertTrue(response("HTTP/1.1 100 Continue\r\n\r\n").interim());
        assertTrue(response("HTTP/1.1 103 Early Hints\r\n\r\n").interim());
        assertFalse(response("HTTP/1.1 101 Switching Protocols\r\n\r\n").interim());
        assertFalse(response("HTTP/1.1 200 OK\r\n\r\n").interim());
    }

    @Test
    void responseWithBareLfLines() throws HttpException {
        assertEquals(response("HTTP/1.1 200 OK\r\nA: b\r\n\r\n"), response("HTTP/1.1 200 OK\nA: b\n\n"));
    }

    // ---- refusals --------------------------------------------------------------------------

    /** RFC 9112 section 5.2: obs-fold is refused (a server answers 400, a proxy must not forward it). */
    @Test
    void obsFoldIsRefused() {
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n");
    }

    /** RFC 9112 section 2.2: whitespace between the start line and the first field line. */
    @Test
    void whitespaceBeforeTheFirstFieldLineIsRefused() {
        assertRequestRefused(400, "GET / HTTP/1.1\r\n Host: a\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 OK\r\n\tX: a\r\n\r\n");
    }

    /** RFC 9112 section 5.1: no whitespace is allowed between the field name and the colon. */
    @Test
    void whitespaceBeforeTheColonIsRefused() {
        assertRequestRefused(400, "GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nContent-Length\t: 5\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 OK\r\nTransfer-Encoding : chunked\r\n\r\n");
    }

    /** RFC 9112 section 5: field-line = field-name ":" OWS field-value OWS, and the name is a token. */
    @Test
    void fieldLinesWithoutNameOrColonAreRefused() {
        assertRequestRefused(400, "GET / HTTP/1.1\r\n: value\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nHost a\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX(y): z\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX\u00e9: z\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 OK\r\nno colon\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 OK\r\n:\r\n\r\n");
    }

    /** RFC 9112 section 2.2: a bare CR must not be taken as a line end (nor silently dropped). */
    @Test
    void bareCrIsRefused() {
        assertRequestRefused(400, "GET / HTTP/1.1\rHost: a\r\n\r\n");
        assertRequestRefused(400, "GET /\r HTTP/1.1\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX: a\r\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX\r: a\r\n\r\n");
        assertRequestRefused(400, "\rGET / HTTP/1.1\r\n\r\n");
        assertRequestRefused(400, "\r\n\rGET / HTTP/1.1\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 O\rK\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n");
    }

    @Test
    void nulIsRefused() {
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX: a\u0000b\r\n\r\n");
        assertRequestRefused(400, "GET /\u0000 HTTP/1.1\r\n\r\n");
        assertRequestRefused(400, "G\u0000T / HTTP/1.1\r\n\r\n");
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX\u0000: a\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 OK\r\nX: \u0000\r\n\r\n");
    }

    /** RFC 9110 section 5.5: a value is VCHAR, obs-text, SP and HTAB; other controls are refused. */
    @ParameterizedTest
    @ValueSource(ints = {0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f})
    void controlCharactersInValuesAreRefused(int control) {
        String value = "a" + (char) control + "b";
        assertRequestRefused(400, "GET / HTTP/1.1\r\nX: " + value + "\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 OK\r\nX: " + value + "\r\n\r\n");
        assertResponseRefused("HTTP/1.1 200 " + value + "\r\n\r\n");
    }

    /** RFC 9112 section 3: request-line = method SP request-target SP HTTP-version, single spaces. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "GET /",
                "GET",
                "GET / HTTP/1.1 extra",
                "GET  / HTTP/1.1",
                "GET /  HTTP/1.1",
                " GET / HTTP/1.1",
                "GET / HTTP/1.1 ",
                "GET\t/\tHTTP/1.1",
                "GET /\tHTTP/1.1",
                "GET /a b HTTP/1.1",
                "GE(T / HTTP/1.1",
                "G@T / HTTP/1.1",
                "GET /a\u007fb HTTP/1.1",
                "GET /a\u0001b HTTP/1.1",
            })
    void malformedRequestLinesAreRefused(String requestLine) {
        assertRequestRefused(400, requestLine + "\r\nHost: a\r\n\r\n");
    }

    /** RFC 9112 section 2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "HTTP/1.x",
                "HTTP/1.",
                "HTTP/1",
                "HTTP/1.10",
                "HTTP/01.1",
                "http/1.1",
                "HTTP/1,1",
                "HTTPS/1.1",
                "HTTP/x.1",
                "HTTP/1.1x"
            })
    void malformedVersionsAreRefusedWith400(String version) {
        assertRequestRefused(400, "GET / " + version + "\r\n\r\n");
        assertResponseRefused(version + " 200 OK\r\n\r\n");
    }

    /** RFC 9110 section 15.6.6: 505 for a major version the server does not support. */
    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/9.9"})
    void otherMajorVersionsAreRefusedWith505(String version) {
        assertRequestRefused(505, "GET / " + version + "\r\n\r\n");
        assertResponseRefused(version + " 200 OK\r\n\r\n");
    }

    /** RFC 9112 section 4: status-code = 3DIGIT, and RFC 9110 section 15 puts it in 100-599 (up to 999). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "HTTP/1.1 20 OK",
                "HTTP/1.1 2000 OK",
                "HTTP/1.1 2x0 OK",
                "HTTP/1.1 099 Low",
                "HTTP/1.1 000",
                "HTTP/1.1 -10 Minus",
                "HTTP/1.1  200 OK",
                "HTTP/1.1 200OK",
                "HTTP/1.1",
                "HTTP/1.1 ",
                "HTTP/1.1\t200 OK",
                "200 OK",
                "HTTP/1.1 2 0 OK"
            })
    void malformedStatusLinesAreRefusedWith502(String statusLine) {
        assertResponseRefused(statusLine + "\r\n\r\n");
    }

    @Test
    void emptyHeadsAreRefused() {
        assertRequestRefused(400, "\r\n\r\n");
        assertRequestRefused(400, "\n");
        assertRequestRefused(400, "");
        assertResponseRefused("\r\n");
    }

    // ---- where the head ends (RFC 9112 section 2.1) ----------------------------------------

    @Test
    void everyProperPrefixOfAHeadIsIncomplete() throws HttpException {
        byte[] head = latin1("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        for (int length = 0; length < head.length; length++) {
            assertEquals(-1, Http1Parser.headEnd(over(head), 0, length, MAX_HEAD), "prefix of " + length + " bytes");
        }
        assertEquals(head.length, Http1Parser.headEnd(over(head), 0, head.length, MAX_HEAD));
    }

    /** The empty line may end with CRLF or a bare LF, whichever ended the line before it. */
    @ParameterizedTest
    @ValueSource(strings = {"\r\n\r\n", "\n\n", "\n\r\n", "\r\n\n"})
    void theHeadEndsAfterTheEmptyLine(String ending) throws HttpException {
        byte[] head = latin1("GET / HTTP/1.1\r\nHost: a" + ending);
        byte[] pipelined = concat(head, latin1("GET /next HTTP/1.1\r\n\r\n"));
        assertEquals(head.length, Http1Parser.headEnd(over(pipelined), 0, pipelined.length, MAX_HEAD));
        byte[] shifted = concat(latin1("body"), pipelined);
        assertEquals(4 + head.length, Http1Parser.headEnd(over(shifted), 4, shifted.length, MAX_HEAD));
        assertEquals(-1, Http1Parser.headEnd(over(shifted), 4, 3 + head.length, MAX_HEAD));
    }

    @Test
    void aCrInsideALineDoesNotEndTheHead() throws HttpException {
        byte[] head = latin1("GET / HTTP/1.1\r\nX: a\r\r\r\nHost: b\r\n\r\n");
        assertEquals(head.length, Http1Parser.headEnd(over(head), 0, head.length, MAX_HEAD));
    }

    /** Empty lines before the start line belong to the head: alone they are not a head's end. */
    @Test
    void leadingEmptyLinesAreNotAnEnd() throws HttpException {
        byte[] empty = latin1("\r\n\r\n\n\r\n");
        assertEquals(-1, Http1Parser.headEnd(over(empty), 0, empty.length, MAX_HEAD));
        byte[] head = concat(empty, latin1("GET / HTTP/1.1\r\n\r\n"));
        assertEquals(head.length, Http1Parser.headEnd(over(head), 0, head.length, MAX_HEAD));
    }

    /** RFC 6585 section 5: 431 once {@code max} bytes arrived without the end; a head of exactly max fits. */
    @Test
    void exactly431Boundary() throws HttpException {
        byte[] head = latin1("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        int length = head.length;
        assertEquals(length, Http1Parser.headEnd(over(head), 0, length, length));
        assertEquals(
                431,
                assertThrows(HttpException.class, () -> Http1Parser.headEnd(over(head), 0, length, length - 1))
                        .status());
        byte[] incomplete = latin1("GET / HTTP/1.1\r\nHost: a\r\n");
        int max = incomplete.length;
        assertEquals(-1, Http1Parser.headEnd(over(incomplete), 0, max - 1, max));
        assertEquals(
                431,
                assertThrows(HttpException.class, () -> Http1Parser.headEnd(over(incomplete), 0, max, max))
                        .status());
        byte[] shifted = concat(latin1("xx"), incomplete);
        assertEquals(-1, Http1Parser.headEnd(over(shifted), 2, 2 + max - 1, max));
        assertEquals(
                431,
                assertThrows(HttpException.class, () -> Http1Parser.headEnd(over(shifted), 2, 2 + max, max))
                        .status());
    }

    @Test
    void leadingEmptyLinesCountTowardsTheLimit() throws HttpException {
        byte[] empty = latin1("\r\n".repeat(10));
        assertEquals(-1, Http1Parser.headEnd(over(empty), 0, empty.length, 21));
        assertEquals(
                431,
                assertThrows(HttpException.class, () -> Http1Parser.headEnd(over(empty), 0, empty.length, 20))
                        .status());
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Parses a complete head, checking first that headEnd finds its end exactly at its last byte. */
    private static Http1Request request(String head) throws HttpException {
        return request(latin1(head));
    }

    private static Http1Request request(byte[] head) throws HttpException {
        assertEquals(head.length, Http1Parser.headEnd(over(head), 0, head.length, MAX_HEAD));
        return Http1Parser.parseRequest(head);
    }

    private static Http1Response response(String head) throws HttpException {
        return response(latin1(head));
    }

    private static Http1Response response(byte[] head) throws HttpException {
        assertEquals(head.length, Http1Parser.headEnd(over(head), 0, head.length, MAX_HEAD));
        return Http1Parser.parseResponse(head);
    }

    private static void assertRequestRefused(int status, String head) {
        HttpException e = assertThrows(
                HttpException.class,
                () -> Http1Parser.parseRequest(latin1(head)),
                () -> "accepted " + Http1Parser.printable(head));
        assertEquals(status, e.status(), () -> Http1Parser.printable(head) + ": " + e.getMessage());
    }

    /** A response an intermediary cannot forward: whatever is wrong, its client gets 502. */
    private static void assertResponseRefused(String head) {
        HttpException e = assertThrows(
                HttpException.class,
                () -> Http1Parser.parseResponse(latin1(head)),
                () -> "accepted " + Http1Parser.printable(head));
        assertEquals(502, e.status(), () -> Http1Parser.printable(head) + ": " + e.getMessage());
    }
}
