package io.connectivityproxy.protocol;

import static io.connectivityproxy.protocol.FrameCodecTest.assertRejected;
import static io.connectivityproxy.protocol.WireBytes.concat;
import static io.connectivityproxy.protocol.WireBytes.hex;
import static io.connectivityproxy.protocol.WireBytes.lengthPrefixed;
import static io.connectivityproxy.protocol.WireBytes.str;
import static io.connectivityproxy.protocol.WireBytes.toHex;
import static io.connectivityproxy.protocol.WireBytes.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP head layout carried in OPEN (request) and the first DATA frame (response). */
class HttpHeadTest {

    private static final int MAX_STRING = 65535;

    // ---- exact bytes -----------------------------------------------------------------------

    @Test
    void requestExactBytes() throws ProtocolException {
        HttpHead.Request request = new HttpHead.Request("GET", "/a?b=1", List.of(Map.entry("Host", "h")));
        byte[] wire = hex("0003 474554", "0006 2f613f623d31", "0001", "0004 486f7374", "0001 68");
        assertEquals(toHex(wire), toHex(HttpHead.encode(request)));
        assertEquals(request, HttpHead.decodeRequest(wire));
    }

    @Test
    void responseExactBytesKeepRepeatedHeadersInOrder() throws ProtocolException {
        HttpHead.Response response = new HttpHead.Response(
                200,
                "OK",
                List.of(
                        Map.entry("Content-Length", "5"),
                        Map.entry("Set-Cookie", "a=1"),
                        Map.entry("Set-Cookie", "b=2")));
        byte[] wire = hex(
                "00c8",
                "0002 4f4b",
                "0003",
                "000e 436f6e74656e742d4c656e677468",
                "0001 35",
                "000a 5365742d436f6f6b6965",
                "0003 613d31",
                "000a 5365742d436f6f6b6965",
                "0003 623d32");
        assertEquals(toHex(wire), toHex(HttpHead.encode(response)));
        assertEquals(response, HttpHead.decodeResponse(wire));
    }

    @Test
    void responseWithoutReasonOrHeaders() throws ProtocolException {
        HttpHead.Response response = new HttpHead.Response(204, "", List.of());
        byte[] wire = hex("00cc 0000 0000");
        assertArrayEquals(wire, HttpHead.encode(response));
        assertEquals(response, HttpHead.decodeResponse(wire));
    }

    // ---- round trips -----------------------------------------------------------------------

    @Test
    void requestRoundTrips() throws ProtocolException {
        List<HttpHead.Request> requests = List.of(
                new HttpHead.Request("GET", "/", List.of()),
                new HttpHead.Request(
                        "POST",
                        "/sap/bc/srt?sap-client=100&x=%20y",
                        List.of(
                                Map.entry("Content-Type", "text/xml; charset=utf-8"),
                                Map.entry("Content-Length", "1234"),
                                Map.entry("X-Empty", ""),
                                Map.entry("X-Tab", "a\tb"),
                                Map.entry("X-Latin", "caf\u00e9 \u20ac"))),
                new HttpHead.Request("M-SEARCH!#$%&'*+-.^_`|~09", "/" + "p".repeat(MAX_STRING - 1), List.of()),
                new HttpHead.Request("OPTIONS", "/x", manyHeaders(HttpHead.MAX_HEADERS)));
        for (HttpHead.Request request : requests) {
            byte[] wire = HttpHead.encode(request);
            assertEquals(request, HttpHead.decodeRequest(wire));
            assertArrayEquals(wire, HttpHead.encode(HttpHead.decodeRequest(wire)));
        }
    }

    @Test
    void responseRoundTrips() throws ProtocolException {
        for (int status : new int[] {100, 101, 200, 302, 404, 599, 999}) {
            HttpHead.Response response = new HttpHead.Response(status, "Reason \u00e9", List.of(Map.entry("A", "b")));
            assertEquals(response, HttpHead.decodeResponse(HttpHead.encode(response)));
        }
        HttpHead.Response big = new HttpHead.Response(200, "r".repeat(MAX_STRING), manyHeaders(HttpHead.MAX_HEADERS));
        assertEquals(big, HttpHead.decodeResponse(HttpHead.encode(big)));
    }

    // ---- malformed heads -------------------------------------------------------------------

    @Test
    void emptyInputIsTruncated() {
        assertRejected("HTTP request head is truncated", () -> HttpHead.decodeRequest(new byte[0]));
        assertRejected("HTTP response head is truncated", () -> HttpHead.decodeResponse(new byte[0]));
    }

    @Test
    void truncationAtEveryByteIsRejected() {
        byte[] request = HttpHead.encode(new HttpHead.Request("PUT", "/p", List.of(Map.entry("K", "v"))));
        for (int cut = 0; cut < request.length; cut++) {
            byte[] bad = Arrays.copyOf(request, cut);
            assertRejected("HTTP request head is truncated", () -> HttpHead.decodeRequest(bad));
        }
        byte[] response = HttpHead.encode(new HttpHead.Response(200, "OK", List.of(Map.entry("K", "v"))));
        for (int cut = 0; cut < response.length; cut++) {
            byte[] bad = Arrays.copyOf(response, cut);
            assertRejected("HTTP response head is truncated", () -> HttpHead.decodeResponse(bad));
        }
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] request = concat(HttpHead.encode(new HttpHead.Request("GET", "/", List.of())), hex("0000"));
        assertRejected("HTTP head has 2 trailing bytes", () -> HttpHead.decodeRequest(request));
        byte[] response = concat(HttpHead.encode(new HttpHead.Response(200, "", List.of())), hex("00"));
        assertRejected("HTTP head has 1 trailing bytes", () -> HttpHead.decodeResponse(response));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GE T", "GET\r\nX", "G\u0000T", "GET:", "GET/", "G\u00c9T", "(GET)", "GET\t"})
    void methodMustBeAToken(String method) {
        byte[] bad = request(method, "/", List.of());
        assertRejected("HTTP method must be a token", () -> HttpHead.decodeRequest(bad));
        assertThrows(
                IllegalArgumentException.class, () -> HttpHead.encode(new HttpHead.Request(method, "/", List.of())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*", "http://host/path", "host:80", "a/b"})
    void targetMustBeInOriginForm(String uri) {
        byte[] bad = request("GET", uri, List.of());
        assertRejected("origin form", () -> HttpHead.decodeRequest(bad));
        assertThrows(
                IllegalArgumentException.class, () -> HttpHead.encode(new HttpHead.Request("GET", uri, List.of())));
    }

    /** A target with a line break would let the head smuggle a second request past the path check. */
    @ParameterizedTest
    @ValueSource(
            strings = {"/ok HTTP/1.1\r\nHost: x\r\n\r\nGET /admin", "/a b", "/a\tb", "/a\nb", "/a\u0000", "/a\u007f"})
    void targetWithWhitespaceOrControlsIsRejected(String uri) {
        byte[] bad = request("GET", uri, List.of());
        assertRejected("whitespace or a control character", () -> HttpHead.decodeRequest(bad));
        assertThrows(
                IllegalArgumentException.class, () -> HttpHead.encode(new HttpHead.Request("GET", uri, List.of())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Host: evil", "Host:", "X Y", "X\r\nY", "X\u0000", "Caf\u00e9", "a(b)", "[x]", "a/b"})
    void headerNameMustBeAToken(String name) {
        byte[] bad = request("GET", "/", List.of(Map.entry(name, "v")));
        assertRejected("HTTP header name must be a token", () -> HttpHead.decodeRequest(bad));
        byte[] badResponse = response(200, "OK", List.of(Map.entry(name, "v")));
        assertRejected("HTTP header name must be a token", () -> HttpHead.decodeResponse(badResponse));
        assertThrows(
                IllegalArgumentException.class,
                () -> HttpHead.encode(new HttpHead.Request("GET", "/", List.of(Map.entry(name, "v")))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a\rb", "a\nb", "a\u0000b", "\r\n"})
    void headerValueAndReasonWithLineBreaksOrNulAreRejected(String value) {
        byte[] badRequest = request("GET", "/", List.of(Map.entry("X", value)));
        assertRejected("HTTP header X has a value with CR, LF or NUL", () -> HttpHead.decodeRequest(badRequest));
        byte[] badResponse = response(200, "OK", List.of(Map.entry("X", value)));
        assertRejected("HTTP header X has a value with CR, LF or NUL", () -> HttpHead.decodeResponse(badResponse));
        byte[] badReason = response(200, value, List.of());
        assertRejected("HTTP reason phrase contains CR, LF or NUL", () -> HttpHead.decodeResponse(badReason));
        assertThrows(
                IllegalArgumentException.class,
                () -> HttpHead.encode(new HttpHead.Response(200, "OK", List.of(Map.entry("X", value)))));
        assertThrows(
                IllegalArgumentException.class, () -> HttpHead.encode(new HttpHead.Response(200, value, List.of())));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 99, 1000, 0xffff})
    void statusOutOfRangeIsRejected(int status) {
        byte[] bad = concat(u16(status), str("OK"), u16(0));
        assertRejected("HTTP status " + status + " is out of range", () -> HttpHead.decodeResponse(bad));
        assertThrows(
                IllegalArgumentException.class, () -> HttpHead.encode(new HttpHead.Response(status, "OK", List.of())));
    }

    @Test
    void statusBeyondSixteenBitsCannotBeEncoded() {
        assertThrows(
                IllegalArgumentException.class,
                () -> HttpHead.encode(new HttpHead.Response(0x10000 + 200, "OK", List.of())));
        assertThrows(IllegalArgumentException.class, () -> HttpHead.encode(new HttpHead.Response(-1, "OK", List.of())));
    }

    /** The count is checked before anything is read or allocated for the headers. */
    @ParameterizedTest
    @ValueSource(ints = {HttpHead.MAX_HEADERS + 1, 0xffff})
    void tooManyHeadersAreRejected(int count) {
        byte[] bad = concat(str("GET"), str("/"), u16(count));
        assertRejected(count + " headers exceed " + HttpHead.MAX_HEADERS, () -> HttpHead.decodeRequest(bad));
        byte[] badResponse = concat(u16(200), str(""), u16(count));
        assertRejected(count + " headers exceed " + HttpHead.MAX_HEADERS, () -> HttpHead.decodeResponse(badResponse));
        assertThrows(
                IllegalArgumentException.class,
                () -> HttpHead.encode(new HttpHead.Request("GET", "/", manyHeaders(HttpHead.MAX_HEADERS + 1))));
    }

    @Test
    void declaredHeaderCountLargerThanThePresentHeadersIsTruncated() {
        byte[] bad = concat(str("GET"), str("/"), u16(2), str("A"), str("b"));
        assertRejected("HTTP request head is truncated", () -> HttpHead.decodeRequest(bad));
    }

    @Test
    void stringsBeyondSixteenBitLengthsCannotBeEncoded() {
        byte[] declaredOnly = concat(str("GET"), u16(0xffff), hex("2f"));
        assertRejected("HTTP request head is truncated", () -> HttpHead.decodeRequest(declaredOnly));
        assertThrows(
                IllegalArgumentException.class,
                () -> HttpHead.encode(
                        new HttpHead.Request("GET", "/", List.of(Map.entry("X", "v".repeat(MAX_STRING + 1))))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"c328", "c0af", "eda080", "f4908080", "ff", "80", "e282"})
    void invalidUtf8IsRejectedInEveryString(String badHex) {
        byte[] bad = lengthPrefixed(hex(badHex));
        List<byte[]> requests = List.of(
                concat(bad, str("/"), u16(0)),
                concat(str("GET"), lengthPrefixed(concat(hex("2f"), hex(badHex))), u16(0)),
                concat(str("GET"), str("/"), u16(1), bad, str("v")),
                concat(str("GET"), str("/"), u16(1), str("N"), bad));
        for (byte[] request : requests) {
            assertRejected("string is not valid UTF-8", () -> HttpHead.decodeRequest(request));
        }
        assertRejected("string is not valid UTF-8", () -> HttpHead.decodeResponse(concat(u16(200), bad, u16(0))));
        assertRejected(
                "string is not valid UTF-8",
                () -> HttpHead.decodeResponse(concat(u16(200), str(""), u16(1), str("N"), bad)));
    }

    // ---- helpers: heads built by hand, not by the encoder under test -----------------------

    private static byte[] request(String method, String uri, List<Map.Entry<String, String>> headers) {
        return concat(str(method), str(uri), headers(headers));
    }

    private static byte[] response(int status, String reason, List<Map.Entry<String, String>> headers) {
        return concat(u16(status), str(reason), headers(headers));
    }

    private static byte[] headers(List<Map.Entry<String, String>> headers) {
        byte[] out = u16(headers.size());
        for (Map.Entry<String, String> header : headers) {
            out = concat(out, str(header.getKey()), str(header.getValue()));
        }
        return out;
    }

    private static List<Map.Entry<String, String>> manyHeaders(int count) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            headers.add(Map.entry("X-" + i, "v" + i));
        }
        return headers;
    }
}
