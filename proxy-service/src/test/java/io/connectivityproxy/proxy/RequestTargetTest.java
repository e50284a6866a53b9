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
        assertEquals(
                new RequestTarget("erp.virtual", 8080, "/?q=1"), RequestTarget.parse("http://erp.virtual:8080?q=1"));
        assertEquals(new RequestTarget("erp.virtual", 8080, "/"), RequestTarget.parse("http://erp.virtual:8080"));
        assertEquals(new RequestTarget("erp.virtual", 80, "/?q=1"), RequestTarget.parse("http://erp.virtual?q=1"));
    }

    @Test
    void percentEncodingIsKeptAsSent() throws RequestTarget.Rejected {
        RequestTarget target = RequestTarget.parse("http://erp.virtual/a%20b/%2e%2e?x=%26&y");
        assertEquals("/a%20b/%2e%2e?x=%26&y", target.originForm());
        assertEquals("/a%20b/%2e%2e", target.path());
    }

    /** The connector checks paths after decoding %2e and %2f, so a path must decode one way only. */
    @ParameterizedTest
    @ValueSource(strings = {"http://erp.virtual/%zz", "http://erp.virtual/a%2", "http://erp.virtual/a%?q"})
    void invalidPercentEncodingInThePathIsBadRequest(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertEquals("malformed request target: '%' must start a percent-encoded octet", e.getMessage());
    }

    @Test
    void theQueryIsTheBackendsToJudge() throws RequestTarget.Rejected {
        assertEquals(
                "/a?q=%&r=%zz",
                RequestTarget.parse("http://erp.virtual/a?q=%&r=%zz").originForm());
    }

    @Test
    void bytesAbove0x7fArePassedOnUnchanged() throws RequestTarget.Rejected {
        // One char per byte, as Http1Parser reads the request line: UTF-8 e-acute is the two chars C3 A9.
        RequestTarget target =
                RequestTarget.parse("http://erp.virtual/caf\u00c3\u00a9/\u0082?name=\u00c3\u00a9&raw=\u0080\u00ff");
        assertEquals("/caf\u00c3\u00a9/\u0082?name=\u00c3\u00a9&raw=\u0080\u00ff", target.originForm());
        assertEquals("/caf\u00c3\u00a9/\u0082", target.path());
    }

    @Test
    void atSignOutsideTheAuthorityIsNotUserInfo() throws RequestTarget.Rejected {
        assertEquals(
                new RequestTarget("erp.virtual", 80, "/a@b?mail=x@y"),
                RequestTarget.parse("http://erp.virtual/a@b?mail=x@y"));
    }

    @Test
    void schemeIsCaseInsensitive() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("erp.virtual", 80, "/"), RequestTarget.parse("HTTP://erp.virtual/"));
        assertEquals(
                new RequestTarget("erp.virtual", 8080, "/?q=1"), RequestTarget.parse("HTTP://erp.virtual:8080?q=1"));
        assertEquals(new RequestTarget("erp.virtual", 80, "/"), RequestTarget.parse("hTtP://erp.virtual"));
    }

    @Test
    void ipv6LiteralWithoutBrackets() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("::1", 8080, "/x"), RequestTarget.parse("http://[::1]:8080/x"));
        assertEquals(new RequestTarget("fd00::5", 80, "/"), RequestTarget.parse("http://[fd00::5]/"));
    }

    @Test
    void ipv6LiteralWithEmptyPortOrWithoutPath() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("::1", 80, "/x"), RequestTarget.parse("http://[::1]:/x"));
        assertEquals(new RequestTarget("2001:db8::7", 8443, "/"), RequestTarget.parse("http://[2001:db8::7]:8443"));
        assertEquals(new RequestTarget("2001:db8::7", 80, "/?q=1"), RequestTarget.parse("http://[2001:db8::7]?q=1"));
    }

    @Test
    void ipv4Literal() throws RequestTarget.Rejected {
        assertEquals(new RequestTarget("10.0.0.5", 9000, "/"), RequestTarget.parse("http://10.0.0.5:9000/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://erp.virtual/", "HTTPS://erp.virtual:443/x", "https://erp.virtual"})
    void httpsIsMethodNotAllowed(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(405, e.status);
        assertTrue(e.getMessage().startsWith("https:// request targets are not supported"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x", "*", "erp.virtual:80", "ftp://erp.virtual/", "", "http:/erp.virtual/"})
    void notAnAbsoluteHttpUri(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertTrue(e.getMessage().startsWith("this is a forward proxy"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://user@erp.virtual/",
                "http://user:secret@erp.virtual:8080/x",
                "http://@erp.virtual/",
                "http://user@[::1]:8080/",
                "http://erp.virtual@evil.virtual/"
            })
    void userInfoIsRefused(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertEquals("user info in the request target is not allowed", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://[::1/",
                "http://[::1]x/",
                "http://[]/",
                "http://",
                "http:///x",
                "http://:80/",
                "http://?q=1"
            })
    void garbageIsBadRequest(String target) {
        assertEquals(400, rejected(target).status);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://erp virtual/",
                "http://erp.virtual/a b",
                "http://erp.virtual/a\tb",
                "http://erp.virtual/?q=\u0000",
                "http://erp.virtual/\u007f",
                "http://erp.virtual/x\r\nHost: evil"
            })
    void whitespaceAndControlCharactersAreRefused(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertEquals("the request target contains a control character or whitespace", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://erp.virtual/x#top", "http://erp.virtual#top", "http://erp.virtual/?q=1#"})
    void fragmentIsRefused(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertEquals("a request target must not carry a fragment (#)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "caf\u00e9.virtual|?",
                "erp\u00a0virtual|?",
                "erp<virtual>|<",
                "erp\"x|\"",
                "erp^x|^",
                "[::1\u00e9]|?",
                "[::1<x]|<"
            })
    void hostWithADisallowedCharacterIsRefused(String hostAndShown) {
        String[] parts = hostAndShown.split("\\|");
        RequestTarget.Rejected e = rejected("http://" + parts[0] + "/");
        assertEquals(400, e.status);
        assertEquals("malformed request target: the host contains '" + parts[1] + "'", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://erp.virtual:8o/",
                "http://erp.virtual:-1/",
                "http://erp.virtual:+80/",
                "http://erp.virtual:0x50/",
                "http://erp.virtual:123456/",
                "http://erp.virtual:000080/",
                "http://erp.virtual:\u0668\u0660/",
                "http://erp.virtual:\uff18\uff10/",
                "http://erp.virtual:80:80/",
                "http://[::1]:8o/",
                "http://[::1]:80:80/"
            })
    void malformedPortIsRefused(String target) {
        // Only ASCII digits make a port (RFC 3986 section 3.2.3), whatever Character.isDigit says.
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertTrue(e.getMessage().startsWith("malformed request target: port '"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://erp.virtual:0/", "http://erp.virtual:99999/", "http://erp.virtual:65536/"})
    void portOutOfRange(String target) {
        RequestTarget.Rejected e = rejected(target);
        assertEquals(400, e.status);
        assertTrue(e.getMessage().startsWith("port "), e.getMessage());
    }

    @Test
    void highestPortIsFine() throws RequestTarget.Rejected {
        assertEquals(65535, RequestTarget.parse("http://erp.virtual:65535/").port());
        assertEquals(80, RequestTarget.parse("http://erp.virtual:00080/").port());
    }

    private static RequestTarget.Rejected rejected(String target) {
        return assertThrows(RequestTarget.Rejected.class, () -> RequestTarget.parse(target));
    }
}
