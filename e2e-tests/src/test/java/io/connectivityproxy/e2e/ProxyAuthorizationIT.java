package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.connectivityproxy.cluster.CertificateAuthority;
import io.vertx.core.Vertx;

/**
 * SAP's operational modes end to end: a real token issuer (its own keys, a JWKS over HTTPS),
 * connectors of two subaccounts, and one proxy-service node per mode in one cluster —
 * single tenant non-trusted, multi-tenant non-trusted and multi-tenant trusted — driven over
 * HTTP and SOCKS5.
 */
class ProxyAuthorizationIT {

    private static final String B = "sub-b";

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("proxy-authorization");

    private static Vertx vertx;
    private static LocalSystem system;
    private static TokenIssuer issuer;
    private static TestBackend backendA;
    private static TestBackend backendB;
    private static LocalSystem.Node dedicated;
    private static LocalSystem.Node shared;
    private static LocalSystem.Node trusted;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backendA = new TestBackend(vertx, "A");
        backendB = new TestBackend(vertx, "B");
        system = e2e.system();
        issuer = new TokenIssuer(vertx, system.dir);
        // One CA for tunnel-service and for connectors of both subaccounts (no dev certificates generated).
        Files.createDirectories(system.certs);
        CertificateAuthority authority = CertificateAuthority.create("proxy-authorization test CA");
        authority
                .issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"))
                .write(system.certs, "server");
        authority.issueClient(LocalSystem.SUBACCOUNT).write(system.certs, "connector");
        authority.issueClient(B).write(system.certs, B);
        authority.ca().write(system.certs, "ca");
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        Map<String, String> checked = Map.of(
                "proxy.http.authorization-enabled",
                "true",
                "proxy.socks5.authorization-enabled",
                "true",
                "proxy.authorization.allowed-client-id",
                TokenIssuer.CLIENT,
                "proxy.authorization.issuers",
                issuer.url(),
                "proxy.authorization.trust-ca",
                issuer.ca.toString(),
                "proxy.authorization.jwks-min-refresh-interval",
                "1s");
        var dedicatedStart = system.inBackground(() -> system.proxy("dedicated", checked));
        Map<String, String> sharedChecked = new java.util.HashMap<>(checked);
        sharedChecked.put("proxy.tenant-mode", "shared");
        shared = system.proxy("shared", sharedChecked);
        trusted = system.proxy("trusted", Map.of("proxy.tenant-mode", "shared"));
        dedicated = dedicatedStart.join();
        LocalSystem.Node tunnel = tunnelStart.join();
        var connectorA = system.inBackground(() -> system.connector(
                "connector-a",
                system.connectorYaml(
                        tunnel.port(),
                        "",
                        1,
                        mapping("app", 8080, backendA.port(), "HTTP"),
                        mapping("app-tcp", 8080, backendA.port(), "TCP")),
                true));
        Path certB = system.certs.resolve(B + ".pem");
        Path keyB = system.certs.resolve(B + "-key.pem");
        var connectorB = system.inBackground(() -> system.connector(
                "connector-b",
                system.connectorYaml(tunnel.port(), "", 1, certB, keyB, mapping("app", 8080, backendB.port(), "HTTP"))
                        .replace("subaccount: " + LocalSystem.SUBACCOUNT, "subaccount: " + B),
                true));
        system.connector(
                "connector-b-plant",
                system.connectorYaml(
                                tunnel.port(), "b-plant", 1, certB, keyB, mapping("app", 8080, backendB.port(), "HTTP"))
                        .replace("subaccount: " + LocalSystem.SUBACCOUNT, "subaccount: " + B),
                true);
        connectorA.join();
        connectorB.join();
        for (LocalSystem.Node proxy : List.of(dedicated, shared, trusted)) {
            awaitRegistered(proxy, LocalSystem.SUBACCOUNT + "/(default)");
            awaitRegistered(proxy, B + "/(default)");
            awaitRegistered(proxy, B + "/b-plant");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (issuer != null) {
            issuer.close();
        }
    }

    // ---- single tenant, non-trusted -------------------------------------------------------------

    @Test
    void singleTenantNonTrustedServesOnlyValidTokensOfItsSubaccount() throws Exception {
        Reply ok = get(dedicated, "Proxy-Authorization: Bearer " + issuer.token(LocalSystem.SUBACCOUNT));
        assertEquals(200, ok.status, ok.text);
        assertTrue(ok.body.startsWith("backend A GET /"), ok.body);

        Reply missing = get(dedicated);
        assertEquals(407, missing.status);
        assertTrue(missing.head.contains("\r\nProxy-Authenticate: Bearer\r\n"), missing.head);
        assertEquals("proxy authorization required: send Proxy-Authorization: Bearer <token>\n", missing.body);

        JwtClaims expired = issuer.claims(LocalSystem.SUBACCOUNT);
        expired.setIssuedAt(minutes(-20));
        expired.setExpirationTime(minutes(-10));
        JwtClaims notYet = issuer.claims(LocalSystem.SUBACCOUNT);
        notYet.setNotBefore(minutes(10));
        JwtClaims otherClient = issuer.claims(LocalSystem.SUBACCOUNT);
        otherClient.setClaim("client_id", "sb-someone-else");
        String valid = issuer.token(LocalSystem.SUBACCOUNT);
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(issuer.sign(expired, "rsa-1"), "the token has expired");
        refused.put(issuer.sign(notYet, "rsa-1"), "the token is not valid yet (nbf)");
        refused.put(issuer.forged(LocalSystem.SUBACCOUNT), "the token's signature is invalid");
        refused.put(
                issuer.sign(otherClient, "ec-1"),
                "the token's client id 'sb-someone-else' is not the allowed client id");
        refused.put(
                TokenIssuer.unsigned(issuer.claims(LocalSystem.SUBACCOUNT)),
                "the token's algorithm 'none' is not accepted (RS256, ES256 and the like only)");
        refused.put(
                issuer.hmacWithPublicKey(issuer.claims(LocalSystem.SUBACCOUNT)),
                "the token's algorithm 'HS256' is not accepted (RS256, ES256 and the like only)");
        refused.put(
                issuer.signClaimingKid(issuer.claims(LocalSystem.SUBACCOUNT), "rsa-1", "kid-nobody-has"),
                "the token's key id 'kid-nobody-has' is not one of the issuer's keys");
        refused.put(valid.substring(0, valid.lastIndexOf('.')), "the token is not a JWT");
        refused.put("garbage", "the token is not a JWT");
        refused.put(issuer.token(B), "the token is for another subaccount than this proxy's");
        for (Map.Entry<String, String> c : refused.entrySet()) {
            Reply reply = get(dedicated, "Proxy-Authorization: Bearer " + c.getKey());
            assertEquals(407, reply.status, c.getValue() + ": " + reply.text);
            assertEquals("proxy authorization failed: " + c.getValue() + "\n", reply.body);
            assertTrue(reply.head.contains("\r\nProxy-Authenticate: Bearer\r\n"), reply.head);
        }
        assertTrue(HttpProxyIT.metricValue(
                        dedicated.metrics(), "cp_proxy_authorization_refusals_total\\{reason=\"EXPIRED\"\\}")
                >= 1);
    }

    @Test
    void theTokenNeverReachesTheBackend() throws Exception {
        Reply reply = get(
                dedicated,
                "/headers",
                "Proxy-Authorization: Bearer " + issuer.token(LocalSystem.SUBACCOUNT),
                "SAP-CP-Connectivity-Service-Token: " + issuer.token(LocalSystem.SUBACCOUNT));
        assertEquals(200, reply.status, reply.text);
        assertFalse(reply.body.contains("proxy-authorization"), reply.body);
        assertFalse(reply.body.contains("sap-cp-connectivity-service-token"), reply.body);
    }

    @Test
    void connectNeedsATokenToo() throws Exception {
        for (boolean withToken : new boolean[] {false, true}) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), dedicated.port())) {
                socket.setSoTimeout(30_000);
                String request = "CONNECT app-tcp:8080 HTTP/1.1\r\nHost: app-tcp:8080\r\n"
                        + (withToken
                                ? "Proxy-Authorization: Bearer " + issuer.token(LocalSystem.SUBACCOUNT) + "\r\n"
                                : "")
                        + "\r\n";
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                byte[] head = socket.getInputStream().readNBytes(withToken ? 37 : 12);
                String text = new String(head, StandardCharsets.ISO_8859_1);
                if (withToken) {
                    assertEquals("HTTP/1.1 200 Connection established\r\n", text);
                } else {
                    assertEquals("HTTP/1.1 407", text);
                    String rest = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertTrue(rest.contains("\r\nProxy-Authenticate: Bearer\r\n"), rest);
                }
            }
        }
    }

    @Test
    void socksChecksTheTokenOfMethod0x80AndRefusesMethod0x00() throws Exception {
        int port = socksPort(dedicated);
        try (SocksIT.SocksClient client = new SocksIT.SocksClient(port)) {
            assertEquals(0, client.sapConnect(issuer.token(LocalSystem.SUBACCOUNT), "", "app-tcp", 8080));
            String answer = client.exchangeHttp("GET / HTTP/1.1\r\nHost: app-tcp\r\nConnection: close\r\n\r\n");
            assertTrue(answer.contains("backend A GET /"), answer);
        }
        try (SocksIT.SocksClient client = new SocksIT.SocksClient(port)) {
            assertEquals(
                    5,
                    client.sapConnect(issuer.forged(LocalSystem.SUBACCOUNT), "", "app-tcp", 8080),
                    "a bad token gets reply 0x05");
            assertTrue(client.closedByProxy());
        }
        try (SocksIT.SocksClient client = new SocksIT.SocksClient(port)) {
            client.send(SocksIT.hex("05 01 00"));
            assertEquals("05ff", client.readHexToEof(), "method 0x00 is refused when authorization is on");
        }
    }

    @Test
    void aRotatedKeyIsUsedWithoutARestartAndCachedKeysServeWhileTheIssuerIsDown() throws Exception {
        assertEquals(200, get(dedicated, "Proxy-Authorization: Bearer " + issuer.token(LocalSystem.SUBACCOUNT)).status);
        issuer.addRsa("rsa-2");
        String rotated = issuer.sign(issuer.claims(LocalSystem.SUBACCOUNT), "rsa-2");
        // The proxy looks again for a key id it does not know, at most once a second here.
        dedicated
                .process()
                .await(
                        "a token of the new key is accepted",
                        Duration.ofSeconds(20),
                        () -> status(dedicated, "Proxy-Authorization: Bearer " + rotated) == 200);
        issuer.down(true);
        try {
            // New tokens (never seen, so checked again) of known keys pass while the issuer is down.
            for (String kid : List.of("rsa-1", "rsa-2", "ec-1")) {
                Reply reply = get(
                        dedicated,
                        "Proxy-Authorization: Bearer " + issuer.sign(issuer.claims(LocalSystem.SUBACCOUNT), kid));
                assertEquals(200, reply.status, kid + ": " + reply.text);
            }
        } finally {
            issuer.down(false);
        }
    }

    // ---- multi-tenant, non-trusted --------------------------------------------------------------

    @Test
    void multiTenantRoutesEveryRequestToItsTokensSubaccountOnly() throws Exception {
        String tokenA = issuer.token(LocalSystem.SUBACCOUNT);
        String tokenB = issuer.sign(issuer.claims(B), "ec-1");
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean a = i % 2 == 0;
                answers.add(pool.submit(() -> {
                    Reply reply = get(shared, "Proxy-Authorization: Bearer " + (a ? tokenA : tokenB));
                    return (a ? "A" : "B") + " " + reply.status + " " + reply.body.trim();
                }));
            }
            for (Future<String> answer : answers) {
                String text = answer.get();
                String expected = text.charAt(0) + " 200 backend " + text.charAt(0) + " GET /";
                assertEquals(expected, text);
            }
        } finally {
            pool.shutdownNow();
        }
        // A token of one subaccount naming a location only the other has: no session, never B's backend.
        Reply crossed =
                get(shared, "Proxy-Authorization: Bearer " + tokenA, "SAP-Connectivity-SCC-Location_ID: b-plant");
        assertEquals(503, crossed.status, crossed.text);
        assertEquals("No connector connected for subaccount dev-subaccount and location b-plant\n", crossed.body);
        assertEquals(
                200,
                get(shared, "Proxy-Authorization: Bearer " + tokenB, "SAP-Connectivity-SCC-Location_ID: b-plant")
                        .status);
        assertEquals(407, get(shared).status);
        // Per tenant in the proxy's metrics too.
        String metrics = shared.metrics();
        assertTrue(
                HttpProxyIT.metricValue(metrics, "cp_proxy_streams_opened_total\\{subaccount=\"sub-b\"\\}") >= 100,
                metrics);
        assertTrue(
                HttpProxyIT.metricValue(metrics, "cp_proxy_streams_opened_total\\{subaccount=\"dev-subaccount\"\\}")
                        >= 100,
                metrics);
    }

    @Test
    void multiTenantSocksUsesTheTokensSubaccount() throws Exception {
        try (SocksIT.SocksClient client = new SocksIT.SocksClient(socksPort(shared))) {
            // B's connector has no app-tcp mapping: the stream went to B, and B refused it.
            assertEquals(2, client.sapConnect(issuer.token(B), "", "app-tcp", 8080));
        }
        try (SocksIT.SocksClient client = new SocksIT.SocksClient(socksPort(shared))) {
            assertEquals(0, client.sapConnect(issuer.token(LocalSystem.SUBACCOUNT), "", "app-tcp", 8080));
        }
    }

    // ---- multi-tenant, trusted ------------------------------------------------------------------

    @Test
    void multiTenantTrustedTakesTheSubaccountFromTheServiceTokenHeader() throws Exception {
        Reply a = get(trusted, "SAP-CP-Connectivity-Service-Token: " + issuer.token(LocalSystem.SUBACCOUNT));
        assertEquals("backend A GET /", a.body.trim(), a.text);
        Reply b = get(trusted, "SAP-CP-Connectivity-Service-Token: Bearer " + issuer.token(B));
        assertEquals("backend B GET /", b.body.trim(), b.text);
        Reply none = get(trusted);
        assertEquals(400, none.status);
        assertEquals("in shared tenant mode send the tenant's token in SAP-CP-Connectivity-Service-Token\n", none.body);
    }

    @Test
    void multiTenantTrustedSocksTakesTheSubaccountFromMethod0x80() throws Exception {
        try (SocksIT.SocksClient client = new SocksIT.SocksClient(socksPort(trusted))) {
            assertEquals(0, client.sapConnect(issuer.token(LocalSystem.SUBACCOUNT), "", "app-tcp", 8080));
            String answer = client.exchangeHttp("GET / HTTP/1.1\r\nHost: app-tcp\r\nConnection: close\r\n\r\n");
            assertTrue(answer.contains("backend A GET /"), answer);
        }
        try (SocksIT.SocksClient client = new SocksIT.SocksClient(socksPort(trusted))) {
            // B's connector has no app-tcp mapping: B's connector answered.
            assertEquals(2, client.sapConnect(issuer.token(B), "", "app-tcp", 8080));
        }
        try (SocksIT.SocksClient client = new SocksIT.SocksClient(socksPort(trusted))) {
            // Without a token the tenant is unknown.
            assertEquals(5, client.connect("app-tcp", 8080));
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private record Reply(int status, String head, String body, String text) {}

    private static Reply get(LocalSystem.Node proxy, String... headers) throws IOException {
        if (headers.length > 0 && headers[0].startsWith("/")) {
            return request(proxy, headers[0], java.util.Arrays.copyOfRange(headers, 1, headers.length));
        }
        return request(proxy, "/", headers);
    }

    /** One request on its own connection, written out byte for byte (curl would add its own Proxy-Authorization). */
    private static Reply request(LocalSystem.Node proxy, String path, String... headers) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder("GET http://app:8080" + path + " HTTP/1.1\r\nHost: app:8080\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end + 2);
            int status = text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
            return new Reply(status, head, end < 0 ? "" : text.substring(end + 4), text);
        }
    }

    private static int status(LocalSystem.Node proxy, String header) {
        try {
            return get(proxy, header).status;
        } catch (IOException e) {
            return -1;
        }
    }

    private static int socksPort(LocalSystem.Node proxy) {
        // LocalSystem gives every proxy node its own SOCKS5 port; its log names it.
        String log = proxy.process().logText();
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("SOCKS5 proxy listening on [0-9.]+:([0-9]+)")
                .matcher(log);
        assertTrue(matcher.find(), proxy.process().tail());
        return Integer.parseInt(matcher.group(1));
    }

    private static org.jose4j.jwt.NumericDate minutes(int minutes) {
        org.jose4j.jwt.NumericDate date = org.jose4j.jwt.NumericDate.now();
        date.addSeconds(minutes * 60L);
        return date;
    }

    private static void awaitRegistered(LocalSystem.Node proxy, String key) {
        proxy.process()
                .await("a session for " + key + " is registered", LocalSystem.START, () -> proxy.admin("/admin/streams")
                        .contains("\"" + key + "\""));
    }
}
