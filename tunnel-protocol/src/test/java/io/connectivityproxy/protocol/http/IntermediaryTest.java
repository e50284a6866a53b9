package io.connectivityproxy.protocol.http;

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

/** What {@link Intermediary} does to a forwarded message (RFC 9110 section 7.6, RFC 9112 section 6). */
class IntermediaryTest {

    // ---- end-to-end fields (RFC 9110 section 7.6.1) ----------------------------------------

    @Test
    void hopByHopFieldsAreRemoved() {
        List<Map.Entry<String, String>> fields = fields(
                "Host",
                "backend",
                "Connection",
                "keep-alive",
                "Keep-Alive",
                "timeout=5",
                "Proxy-Connection",
                "keep-alive",
                "TE",
                "trailers",
                "Trailer",
                "Expires",
                "Transfer-Encoding",
                "chunked",
                "Upgrade",
                "websocket",
                "Proxy-Authorization",
                "Basic eA==",
                "proxy-authenticate",
                "Basic",
                "Accept",
                "*/*",
                "Content-Length",
                "3");
        assertEquals(
                fields("Host", "backend", "Accept", "*/*", "Content-Length", "3"),
                Intermediary.endToEnd(fields, false));
    }

    @Test
    void fieldsNominatedByConnectionAreRemovedWhateverTheirCase() {
        List<Map.Entry<String, String>> fields = fields(
                "Connection",
                "close, X-Hop",
                "x-HOP",
                "1",
                "X-Kept",
                "2",
                "connection",
                "X-Other ,",
                "X-OTHER",
                "3",
                "Date",
                "today");
        assertEquals(fields("X-Kept", "2", "Date", "today"), Intermediary.endToEnd(fields, false));
    }

    @Test
    void upgradeIsKeptOnlyWhenAsked() {
        List<Map.Entry<String, String>> fields = fields("Host", "h", "Connection", "Upgrade", "Upgrade", "websocket");
        assertEquals(fields("Host", "h"), Intermediary.endToEnd(fields, false));
        assertEquals(fields("Host", "h", "Upgrade", "websocket"), Intermediary.endToEnd(fields, true));
    }

    /**
     * The body is forwarded with the framing it was read with: dropping a nominated Content-Length
     * would make the next hop read the body as the next message.
     */
    @Test
    void contentLengthSurvivesConnectionNomination() {
        List<Map.Entry<String, String>> fields =
                fields("Content-Length", "5", "Connection", "Content-Length, X-A", "X-A", "1");
        assertEquals(fields("Content-Length", "5"), Intermediary.endToEnd(fields, false));
    }

    // ---- Via (RFC 9110 section 7.6.3) ------------------------------------------------------

    @Test
    void viaIsAppendedToTheLastViaField() {
        List<Map.Entry<String, String>> fields =
                fields("via", "1.0 first", "Host", "h", "Via", "1.1 second, 1.1 third", "Accept", "*/*");
        assertEquals(
                fields(
                        "via",
                        "1.0 first",
                        "Host",
                        "h",
                        "Via",
                        "1.1 second, 1.1 third, 1.1 connectivity-proxy",
                        "Accept",
                        "*/*"),
                Intermediary.withVia(fields));
    }

    @Test
    void viaIsAddedWhenAbsentOrEmpty() {
        assertEquals(fields("Host", "h", "Via", "1.1 connectivity-proxy"), Intermediary.withVia(fields("Host", "h")));
        assertEquals(fields("VIA", "1.1 connectivity-proxy"), Intermediary.withVia(fields("VIA", "")));
    }

    // ---- request framing (RFC 9112 section 6.3) --------------------------------------------

    @Test
    void requestWithoutFramingHasNoBody() throws HttpException {
        assertEquals(BodyFraming.NONE, Intermediary.requestFraming(request(1, "Host", "h")));
        assertFalse(BodyFraming.NONE.hasBody());
    }

    @Test
    void requestWithContentLength() throws HttpException {
        assertEquals(BodyFraming.length(5), Intermediary.requestFraming(request(1, "Content-Length", "5")));
        BodyFraming empty = Intermediary.requestFraming(request(1, "Content-Length", "0"));
        assertEquals(BodyFraming.length(0), empty);
        assertFalse(empty.hasBody());
        assertEquals(
                BodyFraming.length(999_999_999_999_999_999L),
                Intermediary.requestFraming(request(0, "Content-Length", "999999999999999999")));
    }

    /** RFC 9110 section 8.6: repeated identical values may be taken as one. */
    @Test
    void duplicateIdenticalContentLengthsAreOne() throws HttpException {
        assertEquals(BodyFraming.length(5), Intermediary.requestFraming(request(1, "Content-Length", "5, 5")));
        assertEquals(
                BodyFraming.length(5),
                Intermediary.requestFraming(request(1, "Content-Length", "5", "content-length", "5")));
    }

    @Test
    void conflictingContentLengthsAreRefused() {
        assertRequestRefused(400, "Content-Length", "5, 6");
        assertRequestRefused(400, "Content-Length", "5", "Content-Length", "6");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1a", "+5", "", "0x5", "1 2", "5,", "1.0", "99999999999999999999", "\u0665"})
    void invalidContentLengthsAreRefused(String value) {
        assertRequestRefused(400, "Content-Length", value);
    }

    /** RFC 9112 section 6.3 rule 3: both fields is a smuggling attempt, refused rather than guessed. */
    @Test
    void contentLengthWithTransferEncodingIsRefused() {
        assertRequestRefused(400, "Transfer-Encoding", "chunked", "Content-Length", "5");
        assertRequestRefused(400, "Content-Length", "0", "transfer-encoding", "chunked");
    }

    /** RFC 9112 section 6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty. */
    @Test
    void transferEncodingInHttp10IsRefused() {
        HttpException e = assertThrows(
                HttpException.class, () -> Intermediary.requestFraming(request(0, "Transfer-Encoding", "chunked")));
        assertEquals(400, e.status());
    }

    @Test
    void chunkedRequest() throws HttpException {
        assertEquals(BodyFraming.CHUNKED, Intermediary.requestFraming(request(1, "Transfer-Encoding", "chunked")));
        assertEquals(BodyFraming.CHUNKED, Intermediary.requestFraming(request(1, "Transfer-Encoding", "Chunked")));
    }

    /** RFC 9112 section 6.1: a server answers 501 to a transfer coding it does not implement. */
    @Test
    void codingsOtherThanChunkedAreNotImplemented() {
        assertRequestRefused(501, "Transfer-Encoding", "gzip, chunked");
        assertRequestRefused(501, "Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked");
        assertRequestRefused(501, "Transfer-Encoding", "xchunked");
        assertRequestRefused(501, "Transfer-Encoding", "identity");
    }

    /** RFC 9112 section 6.3 rule 4: a request whose final coding is not chunked has no knowable length. */
    @Test
    void chunkedMustBeTheFinalCodingAppliedOnce() {
        assertRequestRefused(400, "Transfer-Encoding", "chunked, gzip");
        assertRequestRefused(400, "Transfer-Encoding", "chunked, chunked");
        assertRequestRefused(400, "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked");
        assertRequestRefused(400, "Transfer-Encoding", "");
        assertRequestRefused(400, "Transfer-Encoding", " , ");
    }

    // ---- response framing (RFC 9112 section 6.3) -------------------------------------------

    @Test
    void responsesWithoutABody() throws HttpException {
        assertEquals(BodyFraming.NONE, Intermediary.responseFraming("HEAD", response(200, "Content-Length", "10")));
        assertEquals(
                BodyFraming.NONE, Intermediary.responseFraming("HEAD", response(200, "Transfer-Encoding", "chunked")));
        for (int status : new int[] {100, 101, 103, 199, 204, 304}) {
            assertEquals(
                    BodyFraming.NONE,
                    Intermediary.responseFraming("GET", response(status, "Content-Length", "10")),
                    "status " + status);
        }
    }

    @Test
    void responseWithContentLength() throws HttpException {
        assertEquals(BodyFraming.length(7), Intermediary.responseFraming("GET", response(200, "Content-Length", "7")));
        assertEquals(
                BodyFraming.length(7), Intermediary.responseFraming("GET", response(205, "Content-Length", "7, 7")));
    }

    @Test
    void chunkedResponsesKeepTheirOtherCodings() throws HttpException {
        assertEquals(
                new BodyFraming(BodyFraming.Kind.CHUNKED, -1, List.of("gzip")),
                Intermediary.responseFraming("GET", response(200, "Transfer-Encoding", "gzip, chunked")));
        assertEquals(
                BodyFraming.CHUNKED,
                Intermediary.responseFraming("GET", response(200, "Transfer-Encoding", "chunked")));
    }

    /** RFC 9112 section 6.3 rule 4: a response whose final coding is not chunked ends at the close. */
    @Test
    void otherTransferEncodingsEndAtTheClose() throws HttpException {
        assertEquals(
                new BodyFraming(BodyFraming.Kind.UNTIL_CLOSE, -1, List.of("xchunked")),
                Intermediary.responseFraming("GET", response(200, "Transfer-Encoding", "xchunked")));
        assertEquals(
                new BodyFraming(BodyFraming.Kind.UNTIL_CLOSE, -1, List.of("chunked", "gzip")),
                Intermediary.responseFraming("GET", response(200, "Transfer-Encoding", "chunked, gzip")));
    }

    @Test
    void responseWithoutFramingEndsAtTheClose() throws HttpException {
        assertEquals(
                new BodyFraming(BodyFraming.Kind.UNTIL_CLOSE, -1, List.of()),
                Intermediary.responseFraming("GET", response(200, "Server", "x")));
    }

    @Test
    void badlyFramedResponsesAre502() {
        assertResponseRefused("Transfer-Encoding", "chunked", "Content-Length", "5");
        assertResponseRefused("Transfer-Encoding", "chunked, chunked");
        assertResponseRefused("Content-Length", "5, 6");
        assertResponseRefused("Content-Length", "abc");
    }

    // ---- other rules -----------------------------------------------------------------------

    /** RFC 9110 section 7.6.2. */
    @Test
    void maxForwards() {
        assertEquals(-1, Intermediary.maxForwards(fields("Host", "h")));
        assertEquals(0, Intermediary.maxForwards(fields("Max-Forwards", "0")));
        assertEquals(5, Intermediary.maxForwards(fields("max-forwards", "5", "Max-Forwards", "9")));
        assertEquals(-1, Intermediary.maxForwards(fields("Max-Forwards", "abc")));
        assertEquals(-1, Intermediary.maxForwards(fields("Max-Forwards", "-1")));
    }

    /** RFC 9112 section 9.3: HTTP/1.1 persists unless "close"; a proxy does not keep HTTP/1.0 clients. */
    @Test
    void clientKeepsAlive() {
        assertTrue(Intermediary.clientKeepsAlive(request(1, "Host", "h")));
        assertFalse(Intermediary.clientKeepsAlive(request(1, "Connection", "Close")));
        assertFalse(Intermediary.clientKeepsAlive(request(1, "Connection", "x-a", "connection", "foo, close")));
        assertFalse(Intermediary.clientKeepsAlive(request(0, "Host", "h")));
        assertFalse(Intermediary.clientKeepsAlive(request(0, "Connection", "keep-alive")));
    }

    @Test
    void backendKeepsAlive() {
        assertTrue(Intermediary.backendKeepsAlive(response(1, 200)));
        assertFalse(Intermediary.backendKeepsAlive(response(1, 200, "Connection", "close")));
        assertFalse(Intermediary.backendKeepsAlive(response(0, 200)));
        assertTrue(Intermediary.backendKeepsAlive(response(0, 200, "Connection", "Keep-Alive")));
        assertFalse(Intermediary.backendKeepsAlive(response(0, 200, "Connection", "keep-alive, close")));
    }

    /** RFC 9110 section 10.1.1. */
    @Test
    void expectsContinue() {
        assertTrue(Intermediary.expectsContinue(fields("Expect", "100-continue")));
        assertTrue(Intermediary.expectsContinue(fields("expect", "100-Continue")));
        assertFalse(Intermediary.expectsContinue(fields("Host", "h")));
        assertFalse(Intermediary.expectsContinue(fields("Expect", "200-ok")));
    }

    /** RFC 9110 section 7.8: Upgrade counts only when Connection names it. */
    @Test
    void isUpgrade() {
        assertTrue(Intermediary.isUpgrade(request(1, "Connection", "Upgrade", "Upgrade", "websocket")));
        assertTrue(Intermediary.isUpgrade(request(1, "Connection", "keep-alive, upgrade", "upgrade", "h2c")));
        assertFalse(Intermediary.isUpgrade(request(1, "Upgrade", "websocket")));
        assertFalse(Intermediary.isUpgrade(request(1, "Connection", "upgrade")));
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Name, value, name, value, ... */
    private static List<Map.Entry<String, String>> fields(String... namesAndValues) {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
        }
        return fields;
    }

    private static Http1Request request(int minorVersion, String... namesAndValues) {
        return new Http1Request("POST", "/", minorVersion, fields(namesAndValues));
    }

    private static Http1Response response(int status, String... namesAndValues) {
        return response(1, status, namesAndValues);
    }

    private static Http1Response response(int minorVersion, int status, String... namesAndValues) {
        return new Http1Response(minorVersion, status, "", fields(namesAndValues));
    }

    private static void assertRequestRefused(int status, String... namesAndValues) {
        HttpException e =
                assertThrows(HttpException.class, () -> Intermediary.requestFraming(request(1, namesAndValues)));
        assertEquals(status, e.status(), e.getMessage());
    }

    private static void assertResponseRefused(String... namesAndValues) {
        HttpException e = assertThrows(
                HttpException.class, () -> Intermediary.responseFraming("GET", response(200, namesAndValues)));
        assertEquals(502, e.status(), e.getMessage());
    }
}
