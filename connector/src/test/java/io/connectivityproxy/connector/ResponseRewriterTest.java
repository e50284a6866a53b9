package io.connectivityproxy.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.connectivityproxy.connector.AccessControlList.HostHeader;
import io.connectivityproxy.connector.AccessControlList.Mapping;
import io.connectivityproxy.connector.AccessControlList.PathRule;
import io.connectivityproxy.protocol.TargetProtocol;

/** Which backend response headers name the virtual host instead of the internal one, byte for byte. */
class ResponseRewriterTest {

    /** A TLS backend on a non-default port, known to the cloud side as erp.virtual:8080. */
    private static final Mapping ERP = mapping("erp.virtual", 8080, "ERP.corp.local", 8443, TargetProtocol.HTTPS);
    /** A plain backend on port 80, so that http URIs without a port name it. */
    private static final Mapping PORTAL = mapping("portal", 80, "portal.corp", 80, TargetProtocol.HTTP);
    /** A TLS backend on port 443. */
    private static final Mapping SHOP = mapping("shop", 8443, "shop.corp", 443, TargetProtocol.HTTPS);

    private static final Mapping IPV6 = mapping("v6.virtual", 80, "[fd00::5]", 8443, TargetProtocol.HTTPS);

    // ---- Location and Content-Location -------------------------------------------------------

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "https://erp.corp.local:8443/sap/bc/gui?sap-client=100#top | http://erp.virtual:8080/sap/bc/gui?sap-client=100#top",
                "https://ERP.Corp.Local:8443/x                               | http://erp.virtual:8080/x",
                "HTTPS://erp.corp.local:8443/x                               | http://erp.virtual:8080/x",
                "http://erp.corp.local:8443/x                                | http://erp.virtual:8080/x",
                "https://erp.corp.local:08443/x                              | http://erp.virtual:8080/x",
                "https://erp.corp.local:0000000000008443/x                   | http://erp.virtual:8080/x",
                "https://erp.corp.local:8443                                 | http://erp.virtual:8080",
                "https://erp.corp.local:8443/                                | http://erp.virtual:8080/",
                "https://erp.corp.local:8443?next=/home                      | http://erp.virtual:8080?next=/home",
                "https://erp.corp.local:8443#frag                            | http://erp.virtual:8080#frag",
                "https://erp.corp.local:8443/a%2Fb/../c;p=1?x=%zz&y=ä&z=https://erp.corp.local:8443/#f?g | http://erp.virtual:8080/a%2Fb/../c;p=1?x=%zz&y=ä&z=https://erp.corp.local:8443/#f?g",
                "https://erp.corp.local:8443//double//slash                  | http://erp.virtual:8080//double//slash",
            })
    void locationAtTheInternalAuthorityGetsTheVirtualOne(String location, String expected) {
        assertEquals(expected, one(ERP, "Location", location));
        assertEquals(expected, one(ERP, "Content-Location", location));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "http://portal.corp/login       | http://portal:80/login",
                "http://portal.corp:80/login    | http://portal:80/login",
                "http://portal.corp:/login      | http://portal:80/login",
                "http://portal.corp             | http://portal:80",
                "http://portal.corp?x           | http://portal:80?x",
            })
    void theHttpDefaultPortIsThePortOfAnHttpUriWithout(String location, String expected) {
        assertEquals(expected, one(PORTAL, "Location", location));
    }

    @Test
    void theHttpsDefaultPortIsThePortOfAnHttpsUriWithout() {
        assertEquals("http://shop:8443/cart", one(SHOP, "Location", "https://shop.corp/cart"));
        assertEquals("http://shop:8443/cart", one(SHOP, "Location", "https://shop.corp:443/cart"));
        assertEquals("http://shop.corp/cart", one(SHOP, "Location", "http://shop.corp/cart"), "port 80, not 443");
        assertEquals(
                "https://portal.corp/login",
                one(PORTAL, "Location", "https://portal.corp/login"),
                "an upgrade to https is port 443, not the backend's 80");
        assertEquals("https://erp.corp.local/x", one(ERP, "Location", "https://erp.corp.local/x"), "443, not 8443");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://erp.corp.local:8444/x",
                "https://erp.corp.local:443/x",
                "https://erp.corp.local:80/x",
                "https://erp.corp.local:/x",
                "https://other.corp:8443/x",
                "https://erp.corp.local.evil:8443/x",
                "https://erp.corp.locals:8443/x",
                "https://xerp.corp.local:8443/x",
                "https://evil.example/?u=https://erp.corp.local:8443/",
                "https://evil.example/erp.corp.local:8443",
                "https://evil.example#erp.corp.local:8443",
                "https://erp.virtual:8080/x"
            })
    void otherAuthoritiesAreKept(String location) {
        assertEquals(location, one(ERP, "Location", location));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sap/bc/gui",
                "sap/bc/gui",
                "?x=1",
                "#top",
                "",
                ".",
                "../up",
                "//erp.corp.local:8443/x",
                "erp.corp.local:8443/x",
                "https:erp.corp.local:8443/x",
                "https:/erp.corp.local:8443/x",
                "ftp://erp.corp.local:8443/x",
                "ws://erp.corp.local:8443/x",
                "httpx://erp.corp.local:8443/x",
                "xhttps://erp.corp.local:8443/x"
            })
    void relativeReferencesAndOtherSchemesAreKept(String location) {
        assertEquals(location, one(ERP, "Location", location));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://user@erp.corp.local:8443/x",
                "https://user:pw@erp.corp.local:8443/x",
                "https://evil.example@erp.corp.local:8443/x",
                "https://erp.corp.local:8443@evil.example/x"
            })
    void uriWithUserinfoIsKept(String location) {
        assertEquals(location, one(ERP, "Location", location));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://",
                "https://",
                "https:///x",
                "https://:8443/x",
                "https://erp.corp.local:8443:1/x",
                "https://erp.corp.local:-8443/x",
                "https://erp.corp.local:+8443/x",
                "https://erp.corp.local:84a3/x",
                "https://erp.corp.local:99999999999999999999/x",
                "https://erp.corp.local:0/x",
                "https://erp.corp.local:00/x",
                "https://erp.corp.local: 8443/x",
                "https://erp.corp.local :8443/x",
                "https://[erp.corp.local]:8443/x",
                "https://[",
                "https://[fd00::5",
                "https://]:8443",
                "https://erp.corp.local:8443\u0000/x",
                "\u0000",
                "https://erp.corp.local%3a8443/x",
                "https://%65rp.corp.local:8443/x"
            })
    void malformedOrUnusualUrisAreKept(String location) {
        assertEquals(location, one(ERP, "Location", location));
    }

    @Test
    void surroundingWhitespaceIsKept() {
        assertEquals(" \thttp://erp.virtual:8080/x \t", one(ERP, "Location", " \thttps://erp.corp.local:8443/x \t"));
        assertEquals("   ", one(ERP, "Location", "   "));
    }

    @Test
    void ipv6InternalHostsAreComparedInsideTheBrackets() {
        assertEquals("http://v6.virtual:80/x", one(IPV6, "Location", "https://[fd00::5]:8443/x"));
        assertEquals("http://v6.virtual:80/x", one(IPV6, "Location", "https://[FD00::5]:8443/x"));
        assertEquals("http://v6.virtual:80", one(IPV6, "Location", "https://[fd00::5]:8443"));
        assertEquals("https://[fd00::5]/x", one(IPV6, "Location", "https://[fd00::5]/x"));
        assertEquals("https://[fd00::6]:8443/x", one(IPV6, "Location", "https://[fd00::6]:8443/x"));
        assertEquals("https://fd00::5:8443/x", one(IPV6, "Location", "https://fd00::5:8443/x"));
        assertEquals("https://[fd00::5]x:8443/x", one(IPV6, "Location", "https://[fd00::5]x:8443/x"));
        assertEquals(
                "https://[fd00:0::5]:8443/x",
                one(IPV6, "Location", "https://[fd00:0::5]:8443/x"),
                "addresses are compared as text");

        Mapping unbracketed = mapping("v6.virtual", 80, "fd00::5", 8443, TargetProtocol.HTTPS);
        assertEquals("http://v6.virtual:80/x", one(unbracketed, "Location", "https://[fd00::5]:8443/x"));
        Mapping ipv6Virtual = mapping("fd00::1", 8080, "erp.corp.local", 8443, TargetProtocol.HTTPS);
        assertEquals("http://[fd00::1]:8080/x", one(ipv6Virtual, "Location", "https://erp.corp.local:8443/x"));
        Mapping bracketedVirtual = mapping("[fd00::1]", 8080, "erp.corp.local", 8443, TargetProtocol.HTTPS);
        assertEquals("http://[fd00::1]:8080/x", one(bracketedVirtual, "Location", "https://erp.corp.local:8443/x"));
    }

    // ---- Set-Cookie --------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "SID=abc; Domain=erp.corp.local; Path=/; HttpOnly     | SID=abc; Domain=erp.virtual; Path=/; HttpOnly",
                "SID=abc; Domain=.erp.corp.local; Secure              | SID=abc; Domain=.erp.virtual; Secure",
                "SID=abc; domain=ERP.Corp.Local                       | SID=abc; domain=erp.virtual",
                "SID=abc; DOMAIN=.ERP.CORP.LOCAL                      | SID=abc; DOMAIN=.erp.virtual",
                "SID=abc;Domain = erp.corp.local ;Path=/              | SID=abc;Domain = erp.virtual ;Path=/",
                "'SID=abc;  Domain\t=\t.erp.corp.local\t; Secure'     | 'SID=abc;  Domain\t=\t.erp.virtual\t; Secure'",
                "SID=abc; Path=/; Domain=erp.corp.local;              | SID=abc; Path=/; Domain=erp.virtual;",
                "SID=\"a b\"; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Domain=erp.corp.local; SameSite=Lax | SID=\"a b\"; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Domain=erp.virtual; SameSite=Lax",
                "SID=1; Domain=erp.corp.local; Domain=.erp.corp.local | SID=1; Domain=erp.virtual; Domain=.erp.virtual",
                "=nameless; Domain=erp.corp.local                     | =nameless; Domain=erp.virtual",
                "SID=erp.corp.local; Domain=erp.corp.local            | SID=erp.corp.local; Domain=erp.virtual",
            })
    void cookieDomainOfTheInternalHostGetsTheVirtualOne(String cookie, String expected) {
        assertEquals(expected, one(ERP, "Set-Cookie", cookie));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SID=abc",
                "SID=abc;",
                "",
                ";",
                "; Domain",
                "SID=abc; Domain",
                "SID=abc; Domain=",
                "SID=abc; Domain=.",
                "SID=abc; Domain=..erp.corp.local",
                "SID=abc; Domain=corp.local",
                "SID=abc; Domain=.corp.local",
                "SID=abc; Domain=other.corp",
                "SID=abc; Domain=erp.corp.local.",
                "SID=abc; Domain=erp.corp.local:8443",
                "SID=abc; Domain=\"erp.corp.local\"",
                "SID=abc; Domainx=erp.corp.local",
                "SID=abc; X-Domain=erp.corp.local",
                "SID=abc; Do main=erp.corp.local",
                "SID=abc; Path=/erp.corp.local",
                "SID=abc; Comment=Domain=erp.corp.local",
                "Domain=erp.corp.local",
                "Domain=erp.corp.local; Path=/",
                "SID=erp.corp.local",
                "SID=abc; Domain=erp.corp.local x",
                "SID=abc; Domain=erp\u0000.corp.local",
                "SID=abc; Domain==erp.corp.local"
            })
    void otherCookiesAreKept(String cookie) {
        assertEquals(cookie, one(ERP, "Set-Cookie", cookie));
    }

    @Test
    void cookieDomainOfAnIpv6InternalHost() {
        assertEquals("SID=1; Domain=v6.virtual", one(IPV6, "Set-Cookie", "SID=1; Domain=fd00::5"));
        assertEquals("SID=1; Domain=[fd00::5]", one(IPV6, "Set-Cookie", "SID=1; Domain=[fd00::5]"));
    }

    // ---- the header list ---------------------------------------------------------------------

    @Test
    void headerNamesAreCaseInsensitiveAndKeptAsWritten() {
        List<Map.Entry<String, String>> out = ResponseRewriter.rewrite(
                ERP,
                List.of(
                        Map.entry("LOCATION", "https://erp.corp.local:8443/a"),
                        Map.entry("content-location", "https://erp.corp.local:8443/b"),
                        Map.entry("set-COOKIE", "a=1; Domain=erp.corp.local")));
        assertEquals(
                List.of(
                        Map.entry("LOCATION", "http://erp.virtual:8080/a"),
                        Map.entry("content-location", "http://erp.virtual:8080/b"),
                        Map.entry("set-COOKIE", "a=1; Domain=erp.virtual")),
                out);
    }

    @Test
    void otherHeadersAreKeptInOrderAsTheSameEntries() {
        List<Map.Entry<String, String>> in = List.of(
                Map.entry("Content-Type", "text/html"),
                Map.entry("Link", "<https://erp.corp.local:8443/next>; rel=next"),
                Map.entry("Location", "https://erp.corp.local:8443/moved"),
                Map.entry("Refresh", "0; url=https://erp.corp.local:8443/"),
                Map.entry("Set-Cookie", "a=1; Domain=erp.corp.local"),
                Map.entry("X-Location", "https://erp.corp.local:8443/"),
                Map.entry("Set-Cookie", "b=2"),
                Map.entry("Set-Cookie", "c=3; domain=.erp.corp.local"),
                Map.entry("Locations", "https://erp.corp.local:8443/"),
                Map.entry("Content-Location", "/relative"));
        List<Map.Entry<String, String>> out = ResponseRewriter.rewrite(ERP, in);

        assertEquals(
                List.of(
                        Map.entry("Content-Type", "text/html"),
                        Map.entry("Link", "<https://erp.corp.local:8443/next>; rel=next"),
                        Map.entry("Location", "http://erp.virtual:8080/moved"),
                        Map.entry("Refresh", "0; url=https://erp.corp.local:8443/"),
                        Map.entry("Set-Cookie", "a=1; Domain=erp.virtual"),
                        Map.entry("X-Location", "https://erp.corp.local:8443/"),
                        Map.entry("Set-Cookie", "b=2"),
                        Map.entry("Set-Cookie", "c=3; domain=.erp.virtual"),
                        Map.entry("Locations", "https://erp.corp.local:8443/"),
                        Map.entry("Content-Location", "/relative")),
                out);
        for (int i : new int[] {0, 1, 3, 5, 6, 8, 9}) {
            assertSame(in.get(i), out.get(i), in.get(i).getKey());
        }
    }

    @Test
    void entriesWithoutNameOrValueAreKept() {
        List<Map.Entry<String, String>> in = new ArrayList<>();
        in.add(new AbstractMap.SimpleEntry<>("Location", null));
        in.add(new AbstractMap.SimpleEntry<>(null, "https://erp.corp.local:8443/"));
        in.add(null);
        List<Map.Entry<String, String>> out = ResponseRewriter.rewrite(ERP, in);
        assertEquals(3, out.size());
        assertSame(in.get(0), out.get(0));
        assertSame(in.get(1), out.get(1));
        assertSame(null, out.get(2));
    }

    @Test
    void theInputListIsNotChanged() {
        List<Map.Entry<String, String>> in =
                new ArrayList<>(List.of(Map.entry("Location", "https://erp.corp.local:8443/x")));
        List<Map.Entry<String, String>> out = ResponseRewriter.rewrite(ERP, in);
        assertEquals(List.of(Map.entry("Location", "https://erp.corp.local:8443/x")), in);
        assertEquals(List.of(Map.entry("Location", "http://erp.virtual:8080/x")), out);
        assertEquals(List.of(), ResponseRewriter.rewrite(ERP, List.of()));
    }

    @Test
    void anEntryWhoseVirtualAuthorityIsItsInternalOneOnlyChangesTheScheme() {
        Mapping same = mapping("erp.corp.local", 8443, "erp.corp.local", 8443, TargetProtocol.HTTPS);
        assertEquals("http://erp.corp.local:8443/x", one(same, "Location", "https://erp.corp.local:8443/x"));
        Map.Entry<String, String> cookie = Map.entry("Set-Cookie", "a=1; Domain=erp.corp.local");
        assertSame(cookie, ResponseRewriter.rewrite(same, List.of(cookie)).get(0));
    }

    /**
     * Property test over random values built from the characters that matter to the parser: it
     * never throws, keeps every header it cannot rewrite, and is idempotent (the virtual host is
     * not the internal one).
     */
    @Test
    void randomValuesNeverThrowAndAreRewrittenAtMostOnce() {
        String[] pieces = {
            "http://",
            "https://",
            "HTTPS://",
            "erp.corp.local",
            "ERP.CORP.LOCAL",
            ":",
            "8443",
            "443",
            "[",
            "]",
            "fd00::5",
            "@",
            "/",
            "?",
            "#",
            ";",
            "=",
            " ",
            "\t",
            ".",
            "Domain",
            "domain",
            "x",
            "%2e",
            "\u0000",
            "\u00e4",
            "\r\n",
            "-",
            ""
        };
        String[] names = {"Location", "Content-Location", "Set-Cookie", "location", "X-Other"};
        Random random = new Random(20240607L);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder value = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                value.append(pieces[random.nextInt(pieces.length)]);
            }
            String name = names[random.nextInt(names.length)];
            Mapping mapping = random.nextBoolean() ? ERP : IPV6;
            String once = one(mapping, name, value.toString());
            assertEquals(once, one(mapping, name, once), () -> "not idempotent: " + value);
            String internal =
                    mapping.internalHost().replace("[", "").replace("]", "").toLowerCase(Locale.ROOT);
            if (name.equals("X-Other")
                    || !value.toString().toLowerCase(Locale.ROOT).contains(internal)) {
                assertEquals(value.toString(), once, () -> name + ": " + value);
            }
        }
    }

    private static String one(Mapping mapping, String name, String value) {
        List<Map.Entry<String, String>> out = ResponseRewriter.rewrite(mapping, List.of(Map.entry(name, value)));
        assertEquals(1, out.size());
        assertEquals(name, out.get(0).getKey());
        return out.get(0).getValue();
    }

    private static Mapping mapping(
            String virtualHost, int virtualPort, String internalHost, int internalPort, TargetProtocol protocol) {
        return new Mapping(
                virtualHost,
                virtualPort,
                internalHost,
                internalPort,
                protocol,
                List.of(new PathRule("/", true)),
                HostHeader.INTERNAL);
    }
}
