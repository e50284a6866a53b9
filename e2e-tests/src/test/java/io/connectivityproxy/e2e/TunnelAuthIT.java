package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.connectivityproxy.cluster.CertificateAuthority;
import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.Reason;
import io.vertx.core.Vertx;

/**
 * Who may open a tunnel: connectors with a certificate of the installation's CA (mutual TLS),
 * or — behind a gateway — whoever the trusted X-Forwarded-Client-Cert header names. Refusals
 * are audited; malformed frames close only the offending session.
 */
class TunnelAuthIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("tunnel-auth");

    static Vertx vertx;
    static LocalSystem system;
    static LocalSystem.Node tunnel;
    static LocalSystem.Node gatewayTunnel;
    static LocalSystem.Node proxy;
    static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backend = new TestBackend(vertx, "A");
        system = e2e.system();
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        var gatewayStart = system.inBackground(() -> system.tunnel(
                "gateway-tunnel", Map.of("tunnel.tls.enabled", "false", "tunnel.trust-forwarded-client-cert", "true")));
        proxy = system.proxy("proxy", Map.of("proxy.open-timeout", "2s"));
        tunnel = tunnelStart.join();
        gatewayTunnel = gatewayStart.join();
        system.connector(
                "connector",
                system.connectorYaml(tunnel.port(), "", 1, mapping("app", 8080, backend.port(), "HTTP")),
                true);
        system.awaitRegistered(proxy, "", 1);
    }

    @Test
    void aConnectorWithACertificateFromAnotherCaIsRejectedAndAudited() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("some other CA");
        Path dir = system.dir.resolve("foreign");
        other.issueClient("dev-subaccount").write(dir, "foreign");
        LocalSystem.Node foreign = system.connector(
                "foreign-connector",
                system.connectorYaml(
                        tunnel.port(),
                        "foreign",
                        1,
                        dir.resolve("foreign.pem"),
                        dir.resolve("foreign-key.pem"),
                        mapping("app", 8080, backend.port(), "HTTP")),
                false);
        tunnel.process()
                .await("the handshake is rejected in the audit log", Duration.ofSeconds(60), () -> tunnel.process()
                        .logText()
                        .lines()
                        .anyMatch(line -> line.contains("handshake rejected")
                                && line.contains("not signed by the connector CA")));
        assertTrue(
                tunnel.process()
                        .logText()
                        .lines()
                        .anyMatch(line -> line.startsWith("[AUDIT-EVENT] {")
                                && line.contains("\"message\":\"tunnel handshake failure\"")),
                "SAP's audit event is there too, in the same form as with JSON logs");
        foreign.process()
                .await(
                        "the connector reports the refusal and backs off",
                        Duration.ofSeconds(60),
                        () -> foreign.process().logContains("reconnecting in"));
        assertEquals(503, ManagedProcess.status(foreign.health()));
        Curl.Result result = Curl.run(
                system.dir.resolve("client"),
                "-x",
                "http://127.0.0.1:" + proxy.port(),
                "-H",
                "SAP-Connectivity-SCC-Location_ID: foreign",
                "http://app:8080/");
        assertEquals(503, result.status());
        assertTrue(HttpProxyIT.metricValue(tunnel.metrics(), "cp_tunnel_handshakes_rejected_total") >= 1);
        foreign.process().close();
    }

    @Test
    void withoutAClientCertificateTheUpgradeIsRefused() throws Exception {
        try (WsClient client = WsClient.anonymousTls(vertx, system.certs.resolve("ca.pem"))) {
            assertEquals(401, client.connect(tunnel.port()));
        }
        tunnel.process().await("the refusal is audited", Duration.ofSeconds(20), () -> tunnel.process()
                .logContains("reason=a client certificate is required"));
    }

    @Test
    void behindAGatewayTheForwardedClientCertificateNamesTheSubaccount() throws Exception {
        try (WsClient client = WsClient.plain(vertx)) {
            assertEquals(401, client.connect(gatewayTunnel.port()));
        }
        try (WsClient client = WsClient.plain(vertx)) {
            int status = client.connect(
                    gatewayTunnel.port(),
                    "X-Forwarded-Client-Cert",
                    "By=spiffe://cluster.local/ns/kyma-system/sa/gw;Hash=abc;Subject=\"CN=dev-subaccount,O=Example\";URI=");
            assertEquals(101, status);
            handshake(client, "gateway-connector", "via-gateway");
            system.awaitRegistered(proxy, "via-gateway", 1);
            assertTrue(
                    gatewayTunnel.process().logText().contains("handshake accepted peer="),
                    gatewayTunnel.process().tail());
            assertTrue(gatewayTunnel.process().logContains("connector=gateway-connector location=via-gateway"));
        }
        system.awaitRegistered(proxy, "via-gateway", 0);
    }

    @Test
    void theMutualTlsEndpointIgnoresAForwardedClientCertificate() throws Exception {
        try (WsClient client = WsClient.anonymousTls(vertx, system.certs.resolve("ca.pem"))) {
            assertEquals(
                    401, client.connect(tunnel.port(), "X-Forwarded-Client-Cert", "Subject=\"CN=dev-subaccount\""));
        }
    }

    @Test
    void aConnectorThatNeverAnswersAnOpenGives504() throws Exception {
        Path certs = system.certs;
        try (WsClient silent = WsClient.tls(
                vertx, certs.resolve("connector.pem"), certs.resolve("connector-key.pem"), certs.resolve("ca.pem"))) {
            assertEquals(101, silent.connect(tunnel.port()));
            handshake(silent, "silent-connector", "silent");
            system.awaitRegistered(proxy, "silent", 1);
            Curl.Result result = Curl.run(
                    system.dir.resolve("client"),
                    "-x",
                    "http://127.0.0.1:" + proxy.port(),
                    "-H",
                    "SAP-Connectivity-SCC-Location_ID: silent",
                    "http://app:8080/");
            assertEquals(504, result.status());
            assertEquals("The connector did not answer within 2 s\n", result.text());
            Frame.Open open = assertInstanceOf(Frame.Open.class, silent.next());
            assertEquals("app", open.host());
            Frame.Rst reset = assertInstanceOf(Frame.Rst.class, silent.next());
            assertEquals(Reason.TIMEOUT, reset.reason());
            assertEquals(open.streamId(), reset.streamId());
            assertEquals(
                    1.0,
                    HttpProxyIT.metricValue(
                            proxy.metrics(),
                            "connectivity_tunnel_opening_timeout_count_total\\{tunnel_id=\"account:///dev-subaccount\"\\}"));
        }
    }

    @Test
    void malformedFramesCloseOnlyThatSessionWithAReason() throws Exception {
        Path certs = system.certs;
        try (WsClient client = WsClient.tls(
                vertx, certs.resolve("connector.pem"), certs.resolve("connector-key.pem"), certs.resolve("ca.pem"))) {
            assertEquals(101, client.connect(tunnel.port()));
            client.send(new Frame.Hello(99, "bad-version", ""));
            Frame.GoAway away = assertInstanceOf(Frame.GoAway.class, client.next());
            assertEquals(Reason.PROTOCOL_ERROR, away.reason());
            assertTrue(away.message().contains("protocol version 99 is not supported"), away.message());
            client.closed.get(20, TimeUnit.SECONDS);
        }
        try (WsClient client = WsClient.tls(
                vertx, certs.resolve("connector.pem"), certs.resolve("connector-key.pem"), certs.resolve("ca.pem"))) {
            assertEquals(101, client.connect(tunnel.port()));
            handshake(client, "fuzzer", "fuzz");
            client.sendRaw(new byte[] {0x13, 0, 0, 0, 0, 7, 0, 0, 0, 99, 1, 2});
            Frame.GoAway away = assertInstanceOf(Frame.GoAway.class, client.next());
            assertEquals(Reason.PROTOCOL_ERROR, away.reason());
            assertTrue(away.message().contains("payload length 99 does not match"), away.message());
            client.closed.get(20, TimeUnit.SECONDS);
        }
        try (WsClient client = WsClient.tls(
                vertx, certs.resolve("connector.pem"), certs.resolve("connector-key.pem"), certs.resolve("ca.pem"))) {
            assertEquals(101, client.connect(tunnel.port()));
            client.sendText("hello?");
            Frame.GoAway away = assertInstanceOf(Frame.GoAway.class, client.next());
            assertTrue(away.message().contains("text messages"), away.message());
        }
        // The real connector's session was never touched.
        Curl.Result result =
                Curl.run(system.dir.resolve("client"), "-x", "http://127.0.0.1:" + proxy.port(), "http://app:8080/");
        assertEquals(200, result.status(), result.stderr());
        assertTrue(tunnel.process().logContains("protocol error: payload length 99"));
    }

    /** Says HELLO at this version; HELLO_OK and then REPLICAS (version 4; none announce a URL here) follow. */
    private static void handshake(WsClient client, String connectorId, String location) throws Exception {
        client.send(new Frame.Hello(FrameCodec.VERSION, connectorId, location));
        assertInstanceOf(Frame.HelloOk.class, client.next());
        assertEquals(
                List.of(), assertInstanceOf(Frame.Replicas.class, client.next()).replicas());
    }
}
