package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;

/**
 * The access control list's port ranges and the connector's rewriting of response headers, end
 * to end: a TCP range entry reached through SOCKS5 and HTTP CONNECT by curl and by hand-written
 * SOCKS5, and an HTTP backend whose redirects and cookies name its internal address, seen and
 * followed by curl through the proxy.
 */
class AclRewriteIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("acl-rewrite");

    static Vertx vertx;
    static LocalSystem system;
    static LocalSystem.Node tunnel;
    static LocalSystem.Node proxy;
    static LocalSystem.Node connector;
    static int socksPort;
    /** First virtual port of the range entries, and first internal port: three each. */
    static int virtualBase;

    static int internalBase;
    static final List<NetServer> lineServers = new ArrayList<>();
    static HttpServer redirectBackend;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        virtualBase = LocalSystem.freePorts(3);
        internalBase = LocalSystem.freePorts(3);
        for (int port = internalBase; port < internalBase + 3; port++) {
            lineServers.add(startLineServer(port));
        }
        redirectBackend = vertx.createHttpServer().requestHandler(AclRewriteIT::redirects);
        redirectBackend
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        system = e2e.system();
        work = system.dir.resolve("client");
        socksPort = LocalSystem.freePort();
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        proxy = system.proxy("proxy", Map.of("proxy.socks5.port", Integer.toString(socksPort)));
        tunnel = tunnelStart.join();
        String range = virtualBase + "-" + (virtualBase + 2);
        connector = system.connector(
                "connector",
                system.connectorYaml(
                        tunnel.port(),
                        "",
                        1,
                        rangeEntry("range", range, Integer.toString(internalBase)),
                        rangeEntry("range-explicit", range, internalBase + "-" + (internalBase + 2)),
                        mapping("shop.corp", 8080, redirectBackend.actualPort(), "HTTP")),
                true);
        system.awaitRegistered(proxy, "", 1);
    }

    // ---- port ranges ---------------------------------------------------------------------------

    @Test
    void eachPortOfARangeReachesTheInternalPortAtTheSameOffset() throws Exception {
        for (String host : List.of("range", "range-explicit")) {
            for (int offset = 0; offset < 3; offset++) {
                int virtualPort = virtualBase + offset;
                String expected = (internalBase + offset) + " ";
                String where = host + ":" + virtualPort;

                try (SocksIT.SocksClient client = new SocksIT.SocksClient(socksPort)) {
                    assertEquals(0x00, client.connect(host, virtualPort), where);
                    client.send(("hello " + where + "\n").getBytes(StandardCharsets.US_ASCII));
                    client.socket.shutdownOutput();
                    assertEquals(
                            expected + "hello " + where + "\n",
                            new String(client.in.readAllBytes(), StandardCharsets.US_ASCII),
                            where);
                }

                // curl as HTTP/0.9: the line server's answer is the body, ended by its close.
                Curl.Result socks = Curl.run(
                        work,
                        "--http0.9",
                        "--socks5-hostname",
                        "127.0.0.1:" + socksPort,
                        "http://" + where + "/via-socks");
                assertEquals(0, socks.exitCode(), socks.stderr());
                assertTrue(
                        socks.text().startsWith(expected + "GET /via-socks HTTP/1.1\r\n"), where + ": " + socks.text());

                Curl.Result connect = Curl.run(
                        work,
                        "--http0.9",
                        "-p",
                        "-x",
                        "http://127.0.0.1:" + proxy.port(),
                        "http://" + where + "/via-connect");
                assertEquals(0, connect.exitCode(), connect.stderr());
                assertTrue(
                        connect.text().startsWith(expected + "GET /via-connect HTTP/1.1\r\n"),
                        where + ": " + connect.text());
            }
        }
    }

    @Test
    void portsJustOutsideTheRangeAreRefused() throws Exception {
        for (int port : new int[] {virtualBase - 1, virtualBase + 3}) {
            try (SocksIT.SocksClient client = new SocksIT.SocksClient(socksPort)) {
                assertEquals(0x02, client.connect("range", port), "SOCKS5 'not allowed by ruleset' for " + port);
                assertTrue(client.closedByProxy());
            }
            try (RawHttp raw = new RawHttp(proxy.port())) {
                String answer = raw.send("CONNECT range:" + port + " HTTP/1.1\r\nHost: range:" + port + "\r\n\r\n")
                        .readResponse();
                assertEquals(403, RawHttp.status(answer), answer);
                assertTrue(
                        answer.contains("Access denied to system range:" + port
                                + ": no mapping for this virtual host and port"),
                        answer);
            }
        }
    }

    // ---- response rewriting --------------------------------------------------------------------

    @Test
    void redirectsAndCookiesOfTheInternalHostNameTheVirtualOne() throws Exception {
        Path headers = Files.createTempFile(Files.createDirectories(work), "headers-", ".txt");
        Curl.Result result = Curl.run(
                work,
                "-x",
                "http://127.0.0.1:" + proxy.port(),
                "-D",
                headers.toString(),
                "http://shop.corp:8080/login");
        assertEquals(302, result.status(), result.stderr());
        Map<String, List<String>> fields = fields(headers);
        assertEquals(List.of("http://shop.corp:8080/next?q=1"), fields.get("location"), fields.toString());
        assertEquals(List.of("http://shop.corp:8080/c#part"), fields.get("content-location"), fields.toString());
        assertEquals(
                List.of("s=1; Domain=shop.corp; Path=/", "t=2; Path=/; domain=.shop.corp; HttpOnly"),
                fields.get("set-cookie"),
                fields.toString());
    }

    @Test
    void headersNamingAnotherHostOrPortOrARelativeReferenceAreUnchanged() throws Exception {
        int otherPort = redirectBackend.actualPort() + 1;
        for (String[] expected : new String[][] {
            {
                "/elsewhere",
                "http://other.example:9999/x?y=2",
                "http://127.0.0.1:" + otherPort + "/c",
                "u=3; Domain=other.example; Path=/"
            },
            {"/relative", "/next?q=1", "//127.0.0.1/c", "v=4; Path=/"}
        }) {
            Path headers = Files.createTempFile(Files.createDirectories(work), "headers-", ".txt");
            Curl.Result result = Curl.run(
                    work,
                    "-x",
                    "http://127.0.0.1:" + proxy.port(),
                    "-D",
                    headers.toString(),
                    "http://shop.corp:8080" + expected[0]);
            assertEquals(302, result.status(), result.stderr());
            Map<String, List<String>> fields = fields(headers);
            assertEquals(List.of(expected[1]), fields.get("location"), expected[0] + ": " + fields);
            assertEquals(List.of(expected[2]), fields.get("content-location"), expected[0] + ": " + fields);
            assertEquals(List.of(expected[3]), fields.get("set-cookie"), expected[0] + ": " + fields);
        }
    }

    @Test
    void curlFollowsTheRewrittenRedirectThroughTheProxyAndSendsTheCookieBack() throws Exception {
        // -b "" turns on curl's cookie engine: it keeps a cookie only if its Domain fits the host.
        // Connection: close makes curl follow on a new connection (see the test below for reuse).
        Curl.Result result = Curl.run(
                work,
                "-x",
                "http://127.0.0.1:" + proxy.port(),
                "-L",
                "-b",
                "",
                "-H",
                "Connection: close",
                "--max-time",
                "30",
                "http://shop.corp:8080/login");
        assertEquals(200, result.status(), result.stderr());
        assertEquals("next GET /next?q=1 host=shop.corp:8080 cookies=s=1; t=2\n", result.text());
    }

    /**
     * Plain curl -L reuses the kept-alive connection for the redirected request (a connector that
     * lost the end of a body that came with its head once left that second request unanswered).
     */
    @Test
    void curlFollowsTheRewrittenRedirectOnTheSameConnection() throws Exception {
        Curl.Result result = Curl.run(
                work,
                "-x",
                "http://127.0.0.1:" + proxy.port(),
                "-L",
                "-b",
                "",
                "--max-time",
                "30",
                "http://shop.corp:8080/login");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(200, result.status(), result.stderr());
        assertEquals("next GET /next?q=1 host=shop.corp:8080 cookies=s=1; t=2\n", result.text());
    }

    // ---- backends ------------------------------------------------------------------------------

    /** A TCP entry whose virtual and internal ports are written as given (a port or a range). */
    private static String rangeEntry(String virtualHost, String virtualPorts, String internalPorts) {
        return "  - virtualHost: " + virtualHost + "\n"
                + "    virtualPort: " + virtualPorts + "\n"
                + "    internalHost: 127.0.0.1\n"
                + "    internalPort: " + internalPorts + "\n"
                + "    protocol: TCP\n";
    }

    /**
     * Answers each line with its own port and the line; closes after an empty line (the end of
     * an HTTP request head, for curl) or when the client's input ends.
     */
    private static NetServer startLineServer(int port) throws Exception {
        NetServer server = vertx.createNetServer().connectHandler(socket -> {
            RecordParser lines = RecordParser.newDelimited("\n", socket);
            lines.handler(line -> {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                socket.write(Buffer.buffer(port + " " + text + "\n", "ISO-8859-1"));
                if (text.isEmpty() || text.equals("\r")) {
                    socket.end();
                }
            });
            lines.endHandler(v -> socket.end());
        });
        return server.listen(port, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    /**
     * {@code /login} redirects to its own internal address and sets cookies for it;
     * {@code /elsewhere} and {@code /relative} name other hosts, another port, relative
     * references; {@code /next} names the request, its Host and its cookies.
     */
    private static void redirects(HttpServerRequest request) {
        String internal = "127.0.0.1:" + redirectBackend.actualPort();
        var response = request.response();
        switch (request.path()) {
            case "/login" ->
                response.setStatusCode(302)
                        .putHeader("Location", "http://" + internal + "/next?q=1")
                        .putHeader("Content-Location", "http://" + internal + "/c#part")
                        .putHeader(
                                "Set-Cookie",
                                List.<String>of(
                                        "s=1; Domain=127.0.0.1; Path=/", "t=2; Path=/; domain=.127.0.0.1; HttpOnly"))
                        .end("moved\n");
            case "/elsewhere" ->
                response.setStatusCode(302)
                        .putHeader("Location", "http://other.example:9999/x?y=2")
                        .putHeader("Content-Location", "http://127.0.0.1:" + (redirectBackend.actualPort() + 1) + "/c")
                        .putHeader("Set-Cookie", "u=3; Domain=other.example; Path=/")
                        .end("moved\n");
            case "/relative" ->
                response.setStatusCode(302)
                        .putHeader("Location", "/next?q=1")
                        .putHeader("Content-Location", "//127.0.0.1/c")
                        .putHeader("Set-Cookie", "v=4; Path=/")
                        .end("moved\n");
            default ->
                response.putHeader("Content-Type", "text/plain")
                        .end("next " + request.method() + " " + request.uri() + " host=" + request.getHeader("Host")
                                + " cookies=" + sortedCookies(request.getHeader("Cookie")) + "\n");
        }
    }

    /** The cookie pairs in name order (clients choose their own order). */
    private static String sortedCookies(String header) {
        return header == null ? "none" : String.join("; ", new TreeSet<>(List.of(header.split(";\\s*"))));
    }

    /** The last response head in a curl -D file, field names in lower case, values in order. */
    private static Map<String, List<String>> fields(Path headers) throws IOException {
        Map<String, List<String>> fields = new TreeMap<>();
        for (String line : Files.readAllLines(headers, StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("HTTP/")) {
                fields.clear();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        return fields;
    }
}
