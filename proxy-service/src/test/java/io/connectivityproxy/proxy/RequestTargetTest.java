package io.connectivityproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The absolute-form request-target of a forward-proxy request (RFC 9112 section 3.2.2). */
class RequestTargetTest {

    @Test
    void hostPortAndOriginForm() throws RequestTarget.Rejected {
        RequestTarget target = RequestTarget.parse("http://erp.virtual:1234/p?q=1");
        assertEquals(new RequestTarget("erp.virtual", 1234, "/p?q=1"), target);
        assertEquals("/p", target.path());
    }

    @Test
    void portDefaultsTo80() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("erp.virtual", 80, "/a/b"), RequestTarget.parse("http://erp.virtual/a/b"));
        assertEquals(80, RequestTarget.parse("http://erp.virtual:/a").port());
    }

    @Test
    void emptyPathIsTheRoot() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("erp.virtual", 80, "/"), RequestTarget.parse("http://erp.virtual"));
        assertEquals(new RequestTarget("erp.virtual", 8080, "/?q=1"),
                RequestTarget.parse("http://erp.virtual:8080?q=1"));
    }

    @Test
    void percentEncodingIsKeptAsSent() throws RequestTarget.Rejected {
        RequestTarget target = RequestTarget.parse("http://erp.virtual/a%20b/%2e%2e?x=%26&y");
        assertEquals("/a%20b/%2e%2e?x=%26&y", target.originForm());
        assertEquals("/a%20b/%2e%2e", target.path());
    }

    @Test
    void schemeIsCaseInsensitive() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("erp.virtual", 80, "/"), RequestTarget.parse("HTTP://erp.virtual/"));
    }

    @Test
    void ipv6LiteralWithoutBrackets() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("::1", 8080, "/x"), RequestTarget.parse("http://[::1]:8080/x"));
        assertEquals(new RequestTarget("fd00::5", 80, "/"), RequestTarget.parse("http://[fd00::5]/"));
    }

    @Test
    void ipv4Literal() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("10.0.0.5", 9000, "/"), RequestTarget.parse("http://10.0.0.5:9000/"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://erp.virtual/", "HTTPS://erp.virtual:443/x", "https://erp.virtual" })
    void httpsIsMethodNotAllowed(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(405, e.status);
        assertTrue(e.getMessage().startsWith("https:// request targets are not supported"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "/x", "*", "erp.virtual:80", "ftp://erp.virtual/", "", "http:/erp.virtual/" })
    void notAnAbsoluteHttpUri(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertTrue(e.getMessage().startsWith("this is a forward proxy"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://user@erp.virtual/", "http://user:secret@erp.virtual:8080/x" })
    void userInfoIsRefused(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertEquals("user info in the request target is not allowed", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://erp virtual/", "http://erp.virtual/a b", "http://[::1/", "http://erp.virtual/%zz",
        "http://", "http:///x", "http://:80/" })
    void garbageIsBadRequest(String target) {
        assertEquals(400, rejected(target).status);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://erp.virtual:0/", "http://erp.virtual:99999/", "http://erp.virtual:65536/" })
    void portOutOfRange(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertTrue(e.getMessage().startsWith("port "), e.getMessage());
    }

    @Test
    void highestPortIsFine() throws RequestTarget.Rejected {
        assertEquals(65535, RequestTarget.parse("http://erp.virtual:65535/").port());
    }

    private static RequestTarget.Rejected rejected(String target) {
        return assertThrows(RequestTarget.Rejected.class, () -> RequestTarget.parse(target));
    }
}
