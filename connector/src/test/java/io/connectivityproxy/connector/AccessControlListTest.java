package io.connectivityproxy.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.connectivityproxy.connector.AccessControlList.Decision;
import io.connectivityproxy.connector.AccessControlList.HostHeader;
import io.connectivityproxy.connector.AccessControlList.Mapping;
import io.connectivityproxy.connector.AccessControlList.PathRule;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;

/** Which streams the connector lets through, and the reason it gives for the others. */
class AccessControlListTest {

    private static final Mapping ERP =
            http("erp.virtual", 80, TargetProtocol.HTTP, new PathRule("/api", true), new PathRule("/health", false));
    private static final Mapping SECURE = http("Secure.Virtual", 443, TargetProtocol.HTTPS, new PathRule("/", true));
    private static final Mapping DB = plain("db.virtual", 5432, TargetProtocol.TCP);
    private static final Mapping RFC = plain("sap.virtual", 3300, TargetProtocol.RFC);
    private static final Mapping LDAP = plain("ldap.virtual", 389, TargetProtocol.LDAP);

    private final AccessControlList acl = new AccessControlList(List.of(ERP, SECURE, DB, RFC, LDAP));

    // ---- paths -----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/api", "/api/", "/api/x", "/api/x/y", "/health"})
    void allowedPaths(String path) {
        Decision decision = acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, path);
        assertTrue(decision.allowed(), decision.message());
        assertSame(ERP, decision.mapping());
        assertNull(decision.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/apix", "/ap", "/", "/other/api", "/health/x", "/healthz", "/API"})
    void pathsOutsideTheRules(String path) {
        Decision decision = acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, path);
        assertDenied(decision, Reason.PATH_NOT_ALLOWED, "erp.virtual:80");
        assertEquals("Access denied to system erp.virtual:80: path " + path + " is not allowed", decision.message());
    }

    @Test
    void pathRuleWithoutSubPathsIsExact() {
        PathRule exact = new PathRule("/api", false);
        assertTrue(exact.allows("/api"));
        assertFalse(exact.allows("/api/x"));
        assertFalse(exact.allows("/apix"));

        PathRule tree = new PathRule("/api", true);
        assertTrue(tree.allows("/api"));
        assertTrue(tree.allows("/api/x"));
        assertFalse(tree.allows("/apix"));

        PathRule root = new PathRule("/", true);
        assertTrue(root.allows("/"));
        assertTrue(root.allows("/anything/below"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/../admin",
                "/api/..",
                "/api/./x",
                "/api/%2e%2e/admin",
                "/api/%2E%2E/admin",
                "/api/.%2e/admin",
                "/api/..%2fadmin",
                "/api/..%2Fadmin",
                "/api\\..\\admin",
                "/api/..\\admin",
                "/api/%2e%2e%5cadmin",
                "/api/%2e"
            })
    void dotSegmentsPlainOrEncodedAreRefused(String path) {
        Decision decision = acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, path);
        assertDenied(decision, Reason.PATH_NOT_ALLOWED, "erp.virtual:80");
        assertEquals("Access denied to system erp.virtual:80: path is not in normal form", decision.message());
    }

    @Test
    void dotSegmentWithPathParameterIsRefused() {
        Decision decision = acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, "/api/..;/admin");
        assertDenied(decision, Reason.PATH_NOT_ALLOWED, "erp.virtual:80");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/x..", "/api/..x", "/api/.well-known", "/api/a.b"})
    void dotsInsideASegmentAreFine(String path) {
        assertTrue(acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, path).allowed(), path);
    }

    @Test
    void pathMustBeAbsolute() {
        assertDenied(
                acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, "api/x"), Reason.PATH_NOT_ALLOWED, "erp.virtual:80");
        assertDenied(
                acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, null), Reason.PATH_NOT_ALLOWED, "erp.virtual:80");
    }

    // ---- protocol upgrades (WebSocket) --------------------------------------------------------

    private static final Mapping CHAT = http(
            "chat.virtual",
            80,
            TargetProtocol.HTTP,
            new PathRule("/", true, false),
            new PathRule("/ws", true, true),
            new PathRule("/ws/admin", true, false),
            new PathRule("/live", false, true),
            new PathRule("/live", true, false));

    private final AccessControlList chat = new AccessControlList(List.of(CHAT, ERP));

    @ParameterizedTest
    @ValueSource(strings = {"/ws", "/ws/", "/ws/room/1", "/ws/administrator", "/live"})
    void upgradeAllowedByTheMostSpecificRule(String path) {
        Decision decision = chat.decide(TargetProtocol.HTTP, "chat.virtual", 80, path, true);
        assertTrue(decision.allowed(), decision.message());
        assertSame(CHAT, decision.mapping());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/index.html", "/wsx", "/ws/admin", "/ws/admin/kick", "/live/x"})
    void upgradeRefusedByTheMostSpecificRule(String path) {
        Decision decision = chat.decide(TargetProtocol.HTTP, "chat.virtual", 80, path, true);
        assertDenied(decision, Reason.PATH_NOT_ALLOWED, "chat.virtual:80");
        assertEquals(
                "Access denied to system chat.virtual:80: protocol upgrade (WebSocket) is not allowed for path " + path,
                decision.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/ws", "/ws/admin/kick", "/live", "/live/x"})
    void requestsWithoutUpgradeIgnoreUpgradeAllowed(String path) {
        assertSame(
                CHAT,
                chat.decide(TargetProtocol.HTTP, "chat.virtual", 80, path, false)
                        .mapping());
        assertSame(
                CHAT, chat.decide(TargetProtocol.HTTP, "chat.virtual", 80, path).mapping());
    }

    @Test
    void upgradeIsRefusedByDefault() {
        assertFalse(new PathRule("/api", true).upgradeAllowed());
        Decision decision = acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, "/api/x", true);
        assertDenied(decision, Reason.PATH_NOT_ALLOWED, "erp.virtual:80");
        assertEquals(
                "Access denied to system erp.virtual:80: protocol upgrade (WebSocket) is not allowed for path "
                        + "/api/x",
                decision.message());
    }

    @Test
    void pathOutsideTheRulesIsRefusedAsSuchAlsoForUpgrades() {
        Decision decision = acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, "/admin", true);
        assertEquals("Access denied to system erp.virtual:80: path /admin is not allowed", decision.message());
        Decision dots = chat.decide(TargetProtocol.HTTP, "chat.virtual", 80, "/ws/../admin", true);
        assertEquals("Access denied to system chat.virtual:80: path is not in normal form", dots.message());
    }

    @Test
    void upgradeIsIgnoredForNonHttpStreams() {
        assertSame(
                DB,
                acl.decide(TargetProtocol.TCP, "db.virtual", 5432, null, true).mapping());
    }

    @Test
    void equallySpecificRulesLetTheFirstListedDecide() {
        Mapping twice = http(
                "twice.virtual",
                80,
                TargetProtocol.HTTP,
                new PathRule("/ws", true, true),
                new PathRule("/ws", true, false));
        AccessControlList list = new AccessControlList(List.of(twice));
        assertTrue(list.decide(TargetProtocol.HTTP, "twice.virtual", 80, "/ws/x", true)
                .allowed());
    }

    @Test
    void moreSpecificMeansLongerPathThenExact() {
        PathRule root = new PathRule("/", true);
        PathRule tree = new PathRule("/ws", true);
        PathRule exact = new PathRule("/ws", false);
        assertTrue(tree.moreSpecificThan(root));
        assertFalse(root.moreSpecificThan(tree));
        assertTrue(exact.moreSpecificThan(tree));
        assertFalse(tree.moreSpecificThan(exact));
        assertFalse(tree.moreSpecificThan(new PathRule("/ws", true, true)));
        assertTrue(new PathRule("/ws/", true).moreSpecificThan(tree));
    }

    // ---- host and port ---------------------------------------------------------------------

    @Test
    void virtualHostIsCaseInsensitive() {
        assertSame(
                ERP, acl.decide(TargetProtocol.HTTP, "ERP.Virtual", 80, "/api").mapping());
        assertSame(
                SECURE,
                acl.decide(TargetProtocol.HTTP, "secure.virtual", 443, "/x").mapping());
    }

    @Test
    void otherPortIsNoMapping() {
        Decision decision = acl.decide(TargetProtocol.HTTP, "erp.virtual", 8080, "/api");
        assertDenied(decision, Reason.NO_MAPPING, "erp.virtual:8080");
        assertEquals(
                "Access denied to system erp.virtual:8080: no mapping for this virtual host and port",
                decision.message());
    }

    @Test
    void unknownHostIsNoMapping() {
        assertDenied(
                acl.decide(TargetProtocol.TCP, "intranet.corp", 5432, null), Reason.NO_MAPPING, "intranet.corp:5432");
        assertDenied(
                new AccessControlList(List.of()).decide(TargetProtocol.HTTP, "erp.virtual", 80, "/api"),
                Reason.NO_MAPPING,
                "erp.virtual:80");
    }

    // ---- virtual port ranges -----------------------------------------------------------------

    private static final Mapping GATEWAYS = new Mapping(
            "gw.virtual",
            3300,
            3399,
            "gw.corp",
            4300,
            TargetProtocol.TCP,
            List.of(new PathRule("/", true)),
            HostHeader.VIRTUAL);
    private static final Mapping GATEWAY_RFC = new Mapping(
            "gw.virtual",
            3600,
            3609,
            "gw.corp",
            3600,
            TargetProtocol.RFC,
            List.of(new PathRule("/", true)),
            HostHeader.VIRTUAL);

    private final AccessControlList ranges = new AccessControlList(List.of(GATEWAYS, GATEWAY_RFC, DB));

    @ParameterizedTest
    @ValueSource(ints = {3300, 3301, 3305, 3350, 3398, 3399})
    void aPortInARangeReachesTheInternalPortAtTheSameOffset(int port) {
        Decision decision = ranges.decide(TargetProtocol.TCP, "GW.virtual", port, null);
        assertTrue(decision.allowed(), decision.message());
        assertEquals(
                new Mapping(
                        "gw.virtual",
                        port,
                        port,
                        "gw.corp",
                        port + 1000,
                        TargetProtocol.TCP,
                        List.of(new PathRule("/", true)),
                        HostHeader.VIRTUAL),
                decision.mapping());
        assertEquals(port, decision.mapping().virtualPort());
        assertEquals(port + 1000, decision.mapping().internalPort());
        assertEquals("gw.virtual:" + port, decision.mapping().virtualAuthority());
    }

    @Test
    void resolvedPortsOfAnRfcRange() {
        Mapping resolved =
                ranges.decide(TargetProtocol.RFC, "gw.virtual", 3605, null).mapping();
        assertEquals(3605, resolved.virtualPort());
        assertEquals(3605, resolved.lastVirtualPort());
        assertEquals(3605, resolved.internalPort());
        assertEquals(TargetProtocol.RFC, resolved.protocol());
        assertSame(
                DB,
                ranges.decide(TargetProtocol.TCP, "db.virtual", 5432, null).mapping(),
                "a single-port entry is returned as it is");
    }

    @ParameterizedTest
    @ValueSource(ints = {3299, 3400, 3599, 3610, 1})
    void portsJustOutsideARangeAreNoMapping(int port) {
        Decision decision = ranges.decide(TargetProtocol.TCP, "gw.virtual", port, null);
        assertDenied(decision, Reason.NO_MAPPING, "gw.virtual:" + port);
        assertEquals(
                "Access denied to system gw.virtual:" + port + ": no mapping for this virtual host and port",
                decision.message());
    }

    @Test
    void rangesCheckTheProtocolLikeSinglePorts() {
        Decision decision = ranges.decide(TargetProtocol.HTTP, "gw.virtual", 3350, "/");
        assertDenied(decision, Reason.PROTOCOL_NOT_ALLOWED, "gw.virtual:3350");
        assertEquals(
                "Access denied to system gw.virtual:3350: the mapping is for protocol TCP, not HTTP",
                decision.message());
        assertDenied(
                ranges.decide(TargetProtocol.TCP, "gw.virtual", 3601, null),
                Reason.PROTOCOL_NOT_ALLOWED,
                "gw.virtual:3601");
    }

    @Test
    void theFirstListedOfOverlappingEntriesWins() {
        Mapping single = plain("gw.virtual", 3305, TargetProtocol.TCP);
        assertEquals(
                4305,
                new AccessControlList(List.of(GATEWAYS, single))
                        .decide(TargetProtocol.TCP, "gw.virtual", 3305, null)
                        .mapping()
                        .internalPort());
        assertSame(
                single,
                new AccessControlList(List.of(single, GATEWAYS))
                        .decide(TargetProtocol.TCP, "gw.virtual", 3305, null)
                        .mapping());
    }

    @Test
    void aRangeNamesItsPorts() {
        assertEquals("gw.virtual:3300-3399", GATEWAYS.virtualAuthorities());
        assertEquals("gw.virtual:3300", GATEWAYS.virtualAuthority());
        assertEquals("db.virtual:5432", DB.virtualAuthorities());
        assertEquals(5432, DB.lastVirtualPort(), "a single-port entry is a range of one");
    }

    @Test
    void aMappingRefusesRangesItCannotServe() {
        List<PathRule> root = List.of(new PathRule("/", true));
        IllegalArgumentException backwards = assertThrows(
                IllegalArgumentException.class,
                () -> new Mapping("gw", 3399, 3300, "gw.corp", 4300, TargetProtocol.TCP, root, HostHeader.VIRTUAL));
        assertEquals("port range 3399-3300 ends before it starts", backwards.getMessage());
        IllegalArgumentException http = assertThrows(
                IllegalArgumentException.class,
                () -> new Mapping("gw", 80, 81, "gw.corp", 80, TargetProtocol.HTTPS, root, HostHeader.VIRTUAL));
        assertEquals("an HTTPS entry cannot map a port range", http.getMessage());
        IllegalArgumentException above = assertThrows(
                IllegalArgumentException.class,
                () -> new Mapping("gw", 3300, 3399, "gw.corp", 65500, TargetProtocol.TCP, root, HostHeader.VIRTUAL));
        assertEquals("internal ports from 65500 end above 65535", above.getMessage());
        assertEquals(
                65535,
                new Mapping("gw", 3300, 3399, "gw.corp", 65436, TargetProtocol.TCP, root, HostHeader.VIRTUAL)
                        .resolve(3399)
                        .internalPort());
    }

    // ---- protocols -------------------------------------------------------------------------

    @Test
    void httpRequestsUseHttpOrHttpsMappings() {
        assertSame(
                ERP, acl.decide(TargetProtocol.HTTP, "erp.virtual", 80, "/api").mapping());
        assertSame(
                SECURE,
                acl.decide(TargetProtocol.HTTP, "secure.virtual", 443, "/").mapping());
    }

    @Test
    void httpRequestToTcpMappingIsProtocolNotAllowed() {
        Decision decision = acl.decide(TargetProtocol.HTTP, "db.virtual", 5432, "/");
        assertDenied(decision, Reason.PROTOCOL_NOT_ALLOWED, "db.virtual:5432");
        assertEquals(
                "Access denied to system db.virtual:5432: the mapping is for protocol TCP, not HTTP",
                decision.message());
    }

    @Test
    void tcpNeedsATcpMapping() {
        assertSame(DB, acl.decide(TargetProtocol.TCP, "db.virtual", 5432, null).mapping());
        assertDenied(
                acl.decide(TargetProtocol.TCP, "erp.virtual", 80, null), Reason.PROTOCOL_NOT_ALLOWED, "erp.virtual:80");
        assertDenied(
                acl.decide(TargetProtocol.TCP, "ldap.virtual", 389, null),
                Reason.PROTOCOL_NOT_ALLOWED,
                "ldap.virtual:389");
    }

    @Test
    void rfcAndLdapAcceptEachOthersMappings() {
        assertSame(
                RFC, acl.decide(TargetProtocol.RFC, "sap.virtual", 3300, null).mapping());
        assertSame(
                LDAP, acl.decide(TargetProtocol.RFC, "ldap.virtual", 389, null).mapping());
        assertSame(
                RFC, acl.decide(TargetProtocol.LDAP, "sap.virtual", 3300, null).mapping());
        assertSame(
                LDAP, acl.decide(TargetProtocol.LDAP, "ldap.virtual", 389, null).mapping());
        assertDenied(
                acl.decide(TargetProtocol.LDAP, "db.virtual", 5432, null),
                Reason.PROTOCOL_NOT_ALLOWED,
                "db.virtual:5432");
        assertDenied(
                acl.decide(TargetProtocol.RFC, "erp.virtual", 80, null), Reason.PROTOCOL_NOT_ALLOWED, "erp.virtual:80");
    }

    @Test
    void httpsRequestsAreHttpExchangesToo() {
        assertSame(
                ERP, acl.decide(TargetProtocol.HTTPS, "erp.virtual", 80, "/api").mapping());
        assertSame(
                SECURE,
                acl.decide(TargetProtocol.HTTPS, "secure.virtual", 443, "/").mapping());
        assertDenied(
                acl.decide(TargetProtocol.HTTPS, "sap.virtual", 3300, "/"),
                Reason.PROTOCOL_NOT_ALLOWED,
                "sap.virtual:3300");
    }

    @Test
    void pathIsIgnoredForNonHttpStreams() {
        assertTrue(acl.decide(TargetProtocol.TCP, "db.virtual", 5432, "/../anything")
                .allowed());
    }

    private static void assertDenied(Decision decision, Reason reason, String authority) {
        assertFalse(decision.allowed());
        assertNull(decision.mapping());
        assertEquals(reason, decision.reason());
        assertTrue(decision.message().startsWith("Access denied to system " + authority), decision.message());
    }

    private static Mapping http(String host, int port, TargetProtocol protocol, PathRule... paths) {
        return new Mapping(host, port, "backend.corp", 8000 + port, protocol, List.of(paths), HostHeader.VIRTUAL);
    }

    private static Mapping plain(String host, int port, TargetProtocol protocol) {
        return new Mapping(
                host, port, "backend.corp", port, protocol, List.of(new PathRule("/", true)), HostHeader.VIRTUAL);
    }
}
