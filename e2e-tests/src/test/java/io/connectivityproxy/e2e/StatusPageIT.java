package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.vertx.core.Vertx;

/**
 * The status pages of proxy-service, tunnel-service and the connector, as headless Chromium
 * renders them from a running system that has carried requests and refused one: the DOM shows
 * the real sessions, streams, refusals, access control list, checks and cluster members, a
 * connector id full of markup shows as text, and a screenshot of each page is kept under
 * {@code e2e-tests/target/status-pages/}.
 */
class StatusPageIT {

    /** Markup in a value the connector chooses: it must show as text on tunnel-service's page. */
    private static final String HOSTILE_ID = "conn<b>ector</b><script>document.title='owned'</script>";

    static final Path SCREENSHOTS = ManagedProcess.ROOT.resolve("e2e-tests/target/status-pages");

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("status-pages");

    private static Vertx vertx;
    private static LocalSystem system;
    private static LocalSystem.Node tunnel;
    private static LocalSystem.Node proxy;
    private static LocalSystem.Node connector;
    private static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backend = new TestBackend(vertx, "status");
        system = e2e.system();
        system.connectorChecks = true;
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        proxy = system.proxy("proxy");
        tunnel = tunnelStart.join();
        String yaml = system.connectorYaml(
                        tunnel.port(), "", 2, mapping("status-backend", 8080, backend.port(), "HTTP", "/api/*"))
                .replace("connectorId: connector-default", "connectorId: \"" + HOSTILE_ID.replace("\"", "\\\"") + "\"");
        connector = system.connector("connector", yaml, true);
        system.awaitRegistered(proxy, "", 2);
        Curl.Result ok = curl("http://status-backend:8080/api/hello");
        assertEquals(200, ok.status(), ok.stderr());
        assertEquals(403, curl("http://status-backend:8080/private").status());
        assertEquals(403, curl("http://elsewhere:8080/").status());
        connector.process().await("the connector's checks have run", LocalSystem.START, () -> connector
                .admin("/admin/checks")
                .contains("\"ok\" : true"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void tunnelServiceShowsTheSessionsWithTheirStateAndTheClusterAndEscapesTheConnectorId() throws Exception {
        Document page = render(tunnel, "tunnel-service");
        List<Element> sessions = page.select("table#sessions tbody tr");
        assertEquals(2, sessions.size(), page.outerHtml());
        for (Element row : sessions) {
            assertEquals("ACTIVE", row.child(1).text());
            assertEquals(LocalSystem.SUBACCOUNT, row.child(2).text());
            assertEquals("(default)", row.child(3).text());
            // The id arrives as text, character for character; none of its markup became elements.
            assertEquals(HOSTILE_ID, row.child(4).text());
            assertTrue(row.child(4).children().isEmpty(), row.outerHtml());
            assertTrue(
                    row.child(7).text().matches("[0-9]+s|[0-9]+m [0-9]+s"),
                    "age: " + row.child(7).text());
        }
        assertTrue(page.select("b, script").isEmpty(), "markup from the connector id was rendered");
        assertFalse(page.title().contains("owned"));
        assertTrue(
                page.select("table#registry td").text().contains(LocalSystem.SUBACCOUNT + "/(default)"),
                page.select("table#registry").outerHtml());
        assertEquals(2, page.select("table#members tbody tr").size(), "tunnel-service and proxy-service");
        assertTrue(page.select("table#members").text().contains("(this node)"));
        assertTrue(dd(page, "traffic", "bytes from connectors").endsWith("B"));
    }

    @Test
    void proxyServiceShowsRefusalsByReasonAndTheRegistry() throws Exception {
        Document page = render(proxy, "proxy-service");
        assertEquals(
                2,
                count(page, "stream open", "PATH_NOT_ALLOWED") + count(page, "stream open", "NO_MAPPING"),
                page.select("table#refusals").outerHtml());
        assertEquals(1, count(page, "stream open", "NO_MAPPING"));
        Element header = page.select("table#refusals thead th").get(3);
        assertTrue(header.text().matches("last [0-9]+ min"), header.text());
        assertEquals(1, recentCount(page, "stream open", "NO_MAPPING"), "the refusal was within the last minutes");
        assertTrue(page.select("table#registry td").text().contains(LocalSystem.SUBACCOUNT + "/(default)"));
        assertEquals(2, page.select("table#members tbody tr").size());
        assertEquals("0", dd(page, "traffic", "streams open"));
        assertFalse(dd(page, "traffic", "bytes to clients").equals("0 B"), "the 200 and the 403s reached clients");
    }

    @Test
    void theConnectorShowsSessionsAclChecksAndRecentRefusals() throws Exception {
        Document page = render(connector, "connector");
        List<Element> sessions = page.select("table#sessions tbody tr");
        assertEquals(2, sessions.size());
        sessions.forEach(row -> assertEquals("ACTIVE", row.child(1).text()));
        Element acl = page.selectFirst("table#acl tbody tr");
        assertEquals("status-backend:8080", acl.child(0).text());
        assertEquals("127.0.0.1:" + backend.port(), acl.child(1).text());
        assertEquals("HTTP", acl.child(2).text());
        assertEquals("/api (and below)", acl.child(3).text());
        assertTrue(
                dd(page, "config", "state").equals("the file on disk is in force"),
                page.select("dl#config").text());
        assertEquals(
                "all checks passed", page.selectFirst("#checks-summary").text().split(",")[0]);
        assertTrue(page.select("table#checks tbody tr").stream()
                .anyMatch(row -> row.child(1).text().equals("backend")
                        && row.child(0).text().equals("OK")
                        && row.child(2).text().startsWith("status-backend:8080")));
        assertTrue(page.select("table#checks tbody tr").stream()
                .anyMatch(row -> row.child(1).text().equals("tunnel")
                        && row.child(3).text().endsWith("sees subaccount " + LocalSystem.SUBACCOUNT)));
        List<Element> recent = page.select("table#recent-refusals tbody tr");
        assertEquals(2, recent.size(), page.select("table#recent-refusals").outerHtml());
        assertEquals("NO_MAPPING", recent.get(0).child(1).text(), "newest first");
        assertEquals(
                "Access denied to system elsewhere:8080: no mapping for this virtual host and port",
                recent.get(0).child(2).text());
        assertEquals("PATH_NOT_ALLOWED", recent.get(1).child(1).text());
        assertTrue(page.select("table#refusals").text().contains("NO_MAPPING 1"));
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Renders {@code node}'s status page in Chromium, keeps a screenshot, and parses the DOM it produced. */
    private static Document render(LocalSystem.Node node, String name) throws Exception {
        String url = "http://127.0.0.1:" + node.management() + "/admin/status";
        Path work = system.dir.resolve("chromium");
        String dom = Chromium.dumpDom(work, url);
        Path png = SCREENSHOTS.resolve(name + ".png");
        Chromium.screenshot(work, url, png, 1280, 1400);
        byte[] header = Files.readAllBytes(png);
        assertTrue(
                header.length > 1000 && header[1] == 'P' && header[2] == 'N' && header[3] == 'G',
                "a PNG screenshot of " + url);
        return Jsoup.parse(dom, url);
    }

    private static String dd(Document page, String list, String term) {
        for (Element dt : page.select("dl#" + list + " dt")) {
            if (dt.text().equals(term)) {
                return dt.nextElementSibling().text();
            }
        }
        throw new AssertionError(
                "no " + term + " in " + page.select("dl#" + list).outerHtml());
    }

    private static long count(Document page, String what, String reason) {
        for (Element row : page.select("table#refusals tbody tr")) {
            if (row.child(0).text().equals(what) && row.child(1).text().equals(reason)) {
                return Long.parseLong(row.child(2).text());
            }
        }
        return 0;
    }

    private static long recentCount(Document page, String what, String reason) {
        for (Element row : page.select("table#refusals tbody tr")) {
            if (row.child(0).text().equals(what) && row.child(1).text().equals(reason)) {
                return Long.parseLong(row.child(3).text());
            }
        }
        return 0;
    }

    private static Curl.Result curl(String url) throws Exception {
        return Curl.run(system.dir.resolve("curl"), "-x", "http://127.0.0.1:" + proxy.port(), url);
    }
}
