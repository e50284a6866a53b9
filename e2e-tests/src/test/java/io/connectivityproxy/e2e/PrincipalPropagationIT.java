package io.connectivityproxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.security.auth.x500.X500Principal;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.connectivityproxy.cluster.CertificateAuthority;
import io.vertx.core.Vertx;

/**
 * SAP's principal propagation end to end: a real token issuer (JWKS over HTTPS), proxy-service,
 * tunnel-service and a connector whose principal propagation CA is generated on its first start,
 * an HTTPS backend that asks for client certificates and says whose it saw, and an HTTP backend
 * that says what {@code SSL_CLIENT_CERT} it got. A second connector speaks protocol version 2.
 * Every process logs at DEBUG, and the last test looks for the run's tokens in all their logs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrincipalPropagationIT {

    private static final String ROBOT = "sb-robot!t7";
    /** Every process logs everything it would log at DEBUG (Quarkus' lowest level built in). */
    private static final List<String> DEBUG = List.of("-Dquarkus.log.level=DEBUG");

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("principal-propagation");

    private static Vertx vertx;
    private static LocalSystem system;
    private static TokenIssuer issuer;
    private static TokenIssuer foreign;
    private static IdentityBackend https;
    private static IdentityBackend mtls;
    private static IdentityBackend http;
    private static IdentityBackend oldBackend;
    private static LocalSystem.Node tunnel;
    private static LocalSystem.Node proxy;
    private static LocalSystem.Node connector;
    private static LocalSystem.Node connectorV2;
    private static Path principalCa;
    /** Every token this run sent, for the log check at the end. */
    private static final Set<String> TOKENS = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        system = e2e.system();
        Files.createDirectories(system.dir);
        issuer = new TokenIssuer(vertx, system.dir);
        Path foreignDir = system.dir.resolve("foreign");
        Files.createDirectories(foreignDir);
        foreign = new TokenIssuer(vertx, foreignDir);
        CertificateAuthority backendCa = CertificateAuthority.create("backend test CA");
        backendCa
                .issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"))
                .write(system.dir, "backend");
        backendCa.ca().write(system.dir, "backend-ca");
        Map<String, String> debug = Map.of("quarkus.log.level", "DEBUG");
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", debug));
        proxy = system.proxy("proxy", debug);
        tunnel = tunnelStart.join();

        int httpsPort = LocalSystem.freePort();
        int mtlsPort = LocalSystem.freePort();
        int httpPort = LocalSystem.freePort();
        principalCa = system.dir.resolve("principal-ca/ca.pem");
        String yaml = system.connectorYaml(
                        tunnel.port(),
                        "",
                        1,
                        LocalSystem.mapping("erp-https", 443, httpsPort, "HTTPS") + "    principalPropagation: X509\n",
                        LocalSystem.mapping("erp-mtls", 443, mtlsPort, "HTTPS") + "    principalPropagation: X509\n",
                        LocalSystem.mapping("erp-http", 8080, httpPort, "HTTP") + "    principalPropagation: X509\n",
                        LocalSystem.mapping("plain-http", 8080, httpPort, "HTTP"))
                + "backendTls:\n  ca: " + system.dir.resolve("backend-ca.pem") + "\n"
                + "principalPropagation:\n"
                + "  trustedIssuers:\n"
                + "    - issuer: " + issuer.url() + "\n"
                + "      jwksUrl: " + issuer.url().replace("/oauth/token", "/token_keys") + "\n"
                + "      trustCa: " + issuer.ca + "\n"
                + "  clockTolerance: 30s\n"
                + "  subjectRules:\n"
                + "    - subject: CN=${name}\n"
                + "      userType: Business\n"
                + "    - subject: CN=${name}, OU=technical\n"
                + "      userType: Technical\n"
                + "  certificateValidityMinutes: 10\n"
                + "  ca:\n"
                + "    certificate: " + principalCa + "\n"
                + "    key: " + system.dir.resolve("principal-ca/ca-key.pem") + "\n"
                + "    generate: true\n";
        connector = system.connector("connector", yaml, true, DEBUG);
        assertTrue(Files.exists(principalCa), "the connector generated its principal propagation CA");
        // The backends trust the CA the connector generated on its first start.
        https = IdentityBackend.https(
                vertx,
                httpsPort,
                system.dir.resolve("backend.pem"),
                system.dir.resolve("backend-key.pem"),
                principalCa,
                io.vertx.core.http.ClientAuth.REQUEST);
        mtls = IdentityBackend.https(
                vertx,
                mtlsPort,
                system.dir.resolve("backend.pem"),
                system.dir.resolve("backend-key.pem"),
                principalCa,
                io.vertx.core.http.ClientAuth.REQUIRED);
        http = IdentityBackend.http(vertx, httpPort);

        int oldPort = LocalSystem.freePort();
        oldBackend = IdentityBackend.http(vertx, oldPort);
        String old = system.connectorYaml(
                        tunnel.port(), "old", 1, LocalSystem.mapping("erp-http", 8080, oldPort, "HTTP"))
                .replace("  idleTimeout: 5s\n", "  idleTimeout: 5s\n  protocolVersion: 2\n");
        connectorV2 = system.connector("connector-v2", old, true, DEBUG);
        awaitRegistered("(default)");
        awaitRegistered("old");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {issuer, foreign, https, mtls, http, oldBackend}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    // ---- users arrive as themselves ---------------------------------------------------------------

    @Test
    @Order(1)
    void aUserArrivesAtTheHttpsBackendAsHerself() throws Exception {
        Reply reply = request(
                "erp-https:443",
                "",
                "SAP-Connectivity-Authentication: Bearer " + userToken("alice"),
                "Authorization: Basic YmFja2VuZDpzZWNyZXQ=");
        assertEquals(200, reply.status, reply.text);
        assertTrue(reply.body.startsWith("subject=CN=alice\n"), reply.body);
        // The client's Authorization passes unchanged; the token's header never reaches the backend.
        assertTrue(reply.body.contains("authorization=Basic YmFja2VuZDpzZWNyZXQ=\n"), reply.body);
        assertFalse(reply.body.contains("sap_header="), reply.body);
    }

    @Test
    @Order(2)
    void twoUsersInParallelEachArriveAsThemselves() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String user = i % 2 == 0 ? "alice" : "bob";
                String token = userToken(user);
                results.add(pool.submit(() -> {
                    Reply reply = request("erp-https:443", "", "SAP-Connectivity-Authentication: Bearer " + token);
                    assertEquals(200, reply.status, reply.text);
                    return user + " -> " + reply.body.lines().findFirst().orElse("");
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                String user = i % 2 == 0 ? "alice" : "bob";
                assertEquals(user + " -> subject=CN=" + user, results.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(3)
    void withoutATokenTheHttpsBackendSeesNoClientCertificate() throws Exception {
        Reply reply = request("erp-https:443", "");
        assertEquals(200, reply.status, reply.text);
        assertTrue(reply.body.startsWith("subject=none\n"), reply.body);
    }

    @Test
    @Order(3)
    void aBackendThatDemandsClientCertificatesLetsOnlyPropagatedUsersIn() throws Exception {
        Reply alice = request("erp-mtls:443", "", "SAP-Connectivity-Authentication: Bearer " + userToken("alice"));
        assertEquals(200, alice.status, alice.text);
        assertTrue(alice.body.startsWith("subject=CN=alice\n"), alice.body);
        Reply nobody = request("erp-mtls:443", "");
        assertEquals(502, nobody.status, nobody.text);
        // TLS 1.3 refuses the missing certificate after the client's handshake: either failure is the backend's.
        assertTrue(nobody.body.startsWith("backend of erp-mtls:443 "), nobody.body);
        assertFalse(nobody.body.contains("subject="), nobody.body);
    }

    @Test
    @Order(4)
    void aTechnicalUserArrivesWithTheTechnicalRule() throws Exception {
        Reply reply =
                request("erp-https:443", "", "SAP-Connectivity-Technical-Authentication: Bearer " + technicalToken());
        assertEquals(200, reply.status, reply.text);
        assertTrue(reply.body.startsWith("subject=CN=" + ROBOT + ",OU=technical\n"), reply.body);
    }

    @Test
    @Order(5)
    void theHttpBackendGetsTheUsersCertificateInSslClientCert() throws Exception {
        // A client's own SSL_CLIENT_CERT (someone else's certificate) is dropped, not passed on.
        String spoofed = Base64.getEncoder().encodeToString(Files.readAllBytes(principalCa));
        Reply reply = request(
                "erp-http:8080",
                "",
                "SAP-Connectivity-Authentication: Bearer " + userToken("carol"),
                "SSL_CLIENT_CERT: " + spoofed,
                "ssl-client-cert: " + spoofed);
        assertEquals(200, reply.status, reply.text);
        assertTrue(reply.body.contains("ssl_client_cert_count=1\n"), reply.body);
        X509Certificate certificate = certificate(field(reply.body, "ssl_client_cert"));
        assertEquals("CN=carol", certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
        X509Certificate ca = (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(principalCa));
        certificate.verify(ca.getPublicKey());
        certificate.checkValidity();
        assertEquals(ca.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        assertFalse(reply.body.contains("sap_header="), reply.body);

        // One certificate per principal while it is valid: carol's next request carries the same one.
        Reply again = request("erp-http:8080", "", "SAP-Connectivity-Authentication: Bearer " + userToken("carol"));
        assertEquals(field(reply.body, "ssl_client_cert"), field(again.body, "ssl_client_cert"));
        Reply dave = request("erp-http:8080", "", "SAP-Connectivity-Authentication: Bearer " + userToken("dave"));
        assertNotEquals(field(reply.body, "ssl_client_cert"), field(dave.body, "ssl_client_cert"));
    }

    @Test
    @Order(6)
    void withoutATokenTheHttpBackendGetsAnEmptySslClientCert() throws Exception {
        Reply reply = request("erp-http:8080", "", "SSL_CLIENT_CERT: forged");
        assertEquals(200, reply.status, reply.text);
        assertTrue(reply.body.contains("ssl_client_cert_count=1\nssl_client_cert=\n"), reply.body);
    }

    @Test
    @Order(7)
    void anEntryWithoutPropagationPassesNeitherTheTokenNorAClientsCertificate() throws Exception {
        Reply reply = request(
                "plain-http:8080",
                "",
                "SAP-Connectivity-Authentication: Bearer " + userToken("alice"),
                "SSL_CLIENT_CERT: forged");
        assertEquals(200, reply.status, reply.text);
        assertTrue(reply.body.startsWith("ssl_client_cert_count=0\nssl_client_cert=(absent)\n"), reply.body);
        assertFalse(reply.body.contains("sap_header="), reply.body);
    }

    // ---- bad tokens never reach a backend ---------------------------------------------------------

    @Test
    @Order(8)
    void badTokensAreRefusedBeforeAnyBackendConnection() throws Exception {
        JwtClaims expired = userClaims("alice");
        expired.setExpirationTime(minutesFromNow(-5));
        expired.setIssuedAt(minutesFromNow(-15));
        String valid = userToken("alice");
        String[] parts = valid.split("\\.");
        JwtClaims mallory = userClaims("mallory");
        String tampered = parts[0] + "."
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(mallory.toJson().getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        JwtClaims namelessClaims = userClaims("x");
        namelessClaims.unsetClaim("user_name");
        namelessClaims.unsetClaim("email");
        namelessClaims.unsetClaim("sub");
        JwtClaims foreignClaims = userClaims("alice");
        foreignClaims.setIssuer(foreign.url());
        String nameless = remember(issuer.sign(namelessClaims, "ec-1"));
        Map<String, String> cases = Map.of(
                "the user's token has expired",
                remember(issuer.sign(expired, "rsa-1")),
                "the user's token: its issuer '" + foreign.url() + "' is not trusted",
                remember(foreign.sign(foreignClaims, "rsa-1")),
                "the user's token: its signature is invalid",
                remember(tampered),
                "the user's token: its algorithm 'none' is not accepted (RS256, ES256 and the like only)",
                remember(TokenIssuer.unsigned(userClaims("alice"))),
                "the user's token: its signature is invalid ",
                remember(issuer.forged("dev-subaccount")),
                "no subject rule applies to this business user (its token lacks the claims the rules name)",
                nameless);
        int httpsBefore = https.accepted.get();
        int httpBefore = http.accepted.get();
        for (Map.Entry<String, String> bad : cases.entrySet()) {
            for (String host : List.of("erp-https:443", "erp-http:8080")) {
                Reply reply = request(host, "", "SAP-Connectivity-Authentication: Bearer " + bad.getValue());
                assertEquals(403, reply.status, bad.getKey() + ": " + reply.text);
                assertEquals(
                        "Principal propagation to " + host + " refused: "
                                + bad.getKey().trim() + "\n",
                        reply.body);
            }
            if (!bad.getValue().equals(nameless)) {
                // (As a technical user that token has a name: its client_id.)
                Reply technical = request(
                        "erp-https:443", "", "SAP-Connectivity-Technical-Authentication: Bearer " + bad.getValue());
                assertEquals(403, technical.status, technical.text);
                assertTrue(
                        technical.body.startsWith(
                                "Principal propagation to erp-https:443 refused: the technical " + "user's token"),
                        technical.body);
            }
        }
        assertEquals(httpsBefore, https.accepted.get(), "the HTTPS backend accepted a connection");
        assertEquals(httpBefore, http.accepted.get(), "the HTTP backend accepted a connection");
        assertTrue(
                HttpProxyIT.metricValue(
                                connector.metrics(),
                                "cp_connector_stream_open_failures_total\\{reason=\"PRINCIPAL_REFUSED\"}")
                        >= cases.size() * 3 - 1,
                connector.metrics());
    }

    @Test
    @Order(9)
    void aMalformedHeaderIsA400AtTheProxy() throws Exception {
        Reply reply = request("erp-https:443", "", "SAP-Connectivity-Authentication: Basic YWxpY2U6cGFzcw==");
        assertEquals(400, reply.status, reply.text);
        assertEquals("SAP-Connectivity-Authentication must be 'Bearer <token>'\n", reply.body);
    }

    // ---- an old connector -------------------------------------------------------------------------

    @Test
    @Order(10)
    void aVersionTwoConnectorKeepsWorkingAndNeverGetsTokens() throws Exception {
        Reply plain = request("erp-http:8080", "old");
        assertEquals(200, plain.status, plain.text);
        assertTrue(plain.body.startsWith("ssl_client_cert_count=0\n"), plain.body);
        int before = oldBackend.accepted.get();
        Reply refused =
                request("erp-http:8080", "old", "SAP-Connectivity-Authentication: Bearer " + userToken("alice"));
        assertEquals(502, refused.status, refused.text);
        assertEquals(
                "principal propagation (SAP-Connectivity-Authentication, SAP-Connectivity-Technical-Authentication) "
                        + "needs tunnel protocol version 3; the connector for this location speaks version 2 (upgrade it)\n",
                refused.body);
        assertEquals(before, oldBackend.accepted.get());
        // The old connector never saw the OPEN: it would have closed its session over the unknown flag.
        assertFalse(
                connectorV2.process().logContains("protocol error"),
                connectorV2.process().tail());
        assertTrue(request("erp-http:8080", "old").status == 200);
        assertTrue(
                HttpProxyIT.metricValue(
                                tunnel.metrics(),
                                "cp_tunnel_stream_open_failures_total\\{reason=\"PRINCIPAL_PROPAGATION_UNSUPPORTED\"}")
                        >= 1,
                tunnel.metrics());
    }

    // ---- observability ----------------------------------------------------------------------------

    @Test
    @Order(11)
    void certificatesAreCountedAndTheCaIsNamedAtStart() {
        // alice, bob, carol, dave (business) and the robot (technical): five principals, five certificates.
        assertEquals(
                5.0,
                HttpProxyIT.metricValue(connector.metrics(), "cp_connector_principal_certificates_issued_total"),
                connector.metrics());
        assertTrue(
                connector.process().logContains("principal propagation: 1 trusted issuer(s)"),
                connector.process().tail());
    }

    @Test
    @Order(100)
    void noTokenInAnyLogLineMetricOrAdminEndpoint() throws IOException {
        // Tokens of the same claims signed in the same second are the same token: the set holds each once.
        assertTrue(TOKENS.size() > 10, "tokens sent: " + TOKENS.size());
        List<ManagedProcess> processes = system.processes();
        assertEquals(4, processes.size());
        for (ManagedProcess process : processes) {
            String log = process.logText();
            assertTrue(log.contains(" DEBUG "), process.name + " did not log at DEBUG");
            assertNoToken(process.name + "'s log " + process.log, log);
        }
        assertNoToken("proxy-service metrics", proxy.metrics());
        assertNoToken("tunnel-service metrics", tunnel.metrics());
        assertNoToken("connector metrics", connector.metrics());
        assertNoToken("/admin/streams", proxy.admin("/admin/streams"));
        assertNoToken("/admin/sessions of tunnel-service", tunnel.admin("/admin/sessions"));
        assertNoToken("/admin/sessions of the connector", connector.admin("/admin/sessions"));
    }

    /** Neither a whole token nor its payload or signature part (a log line could hold either alone). */
    private static void assertNoToken(String where, String text) {
        for (String token : TOKENS) {
            String[] parts = token.split("\\.");
            for (String part :
                    List.of(token, parts.length > 1 ? parts[1] : token, parts.length > 2 ? parts[2] : token)) {
                if (part.length() >= 16) {
                    assertFalse(text.contains(part), where + " holds token text");
                }
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static String remember(String token) {
        TOKENS.add(token);
        return token;
    }

    private static JwtClaims userClaims(String user) {
        JwtClaims claims = issuer.claims(LocalSystem.SUBACCOUNT);
        claims.setClaim("user_name", user);
        claims.setClaim("email", user + "@example.com");
        claims.setSubject("uuid-of-" + user);
        claims.setClaim("grant_type", "authorization_code");
        return claims;
    }

    private static String userToken(String user) throws Exception {
        return remember(issuer.sign(userClaims(user), "rsa-1"));
    }

    private static String technicalToken() throws Exception {
        JwtClaims claims = issuer.claims(LocalSystem.SUBACCOUNT);
        claims.setClaim("client_id", ROBOT);
        claims.setClaim("grant_type", "client_credentials");
        return remember(issuer.sign(claims, "ec-1"));
    }

    private static NumericDate minutesFromNow(int minutes) {
        NumericDate date = NumericDate.now();
        date.addSeconds(minutes * 60L);
        return date;
    }

    private static String field(String body, String name) {
        return body.lines()
                .filter(l -> l.startsWith(name + "="))
                .findFirst()
                .orElseThrow()
                .substring(name.length() + 1);
    }

    private static X509Certificate certificate(String base64) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
    }

    private record Reply(int status, String body, String text) {}

    /** One GET through the HTTP proxy on its own connection, headers exactly as given. */
    private static Reply request(String authority, String location, String... headers) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(30_000);
            StringBuilder request =
                    new StringBuilder("GET http://" + authority + "/ HTTP/1.1\r\nHost: " + authority + "\r\n");
            if (!location.isEmpty()) {
                request.append("SAP-Connectivity-SCC-Location_ID: ")
                        .append(location)
                        .append("\r\n");
            }
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
            int status = text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
            return new Reply(status, end < 0 ? "" : text.substring(end + 4), text);
        }
    }

    private static void awaitRegistered(String location) {
        String key = "\"" + LocalSystem.SUBACCOUNT + "/" + location + "\"";
        proxy.process()
                .await("a session for " + key + " is registered", LocalSystem.START, () -> proxy.admin("/admin/streams")
                        .contains(key));
    }
}
