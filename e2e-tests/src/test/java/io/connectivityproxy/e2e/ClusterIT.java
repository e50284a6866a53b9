package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.vertx.core.Vertx;

/** Several proxy-service replicas in one cluster: any of them reaches the connector's session. */
class ClusterIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("cluster");

    static Vertx vertx;
    static LocalSystem system;
    static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backend = new TestBackend(vertx, "A");
        system = e2e.system();
    }

    @Test
    void requestsThroughEitherProxyNodeSucceedAndSurviveTheOtherOnesDeath() throws Exception {
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        LocalSystem.Node proxy1 = system.proxy("proxy-1");
        LocalSystem.Node proxy2 = system.proxy("proxy-2");
        LocalSystem.Node tunnel = tunnelStart.join();
        system.connector(
                "connector",
                system.connectorYaml(tunnel.port(), "", 2, mapping("app", 8080, backend.port(), "HTTP")),
                true);
        system.awaitRegistered(proxy1, "", 2);
        system.awaitRegistered(proxy2, "", 2);
        Path client = system.dir.resolve("client");
        for (LocalSystem.Node proxy : new LocalSystem.Node[] {proxy1, proxy2}) {
            for (int i = 0; i < 5; i++) {
                Curl.Result result = Curl.run(client, "-x", "http://127.0.0.1:" + proxy.port(), "http://app:8080/" + i);
                assertEquals(200, result.status(), result.stderr());
                assertEquals("backend A GET /" + i + "\n", result.text());
            }
        }
        String members = proxy2.admin("/admin/streams");
        assertEquals(3, members.split("\\[127.0.0.1\\]", -1).length - 1, members);

        proxy1.process().kill();
        long size = 10L * 1024 * 1024;
        Curl.Result result =
                Curl.run(client, "-x", "http://127.0.0.1:" + proxy2.port(), "http://app:8080/bytes/" + size);
        assertEquals(200, result.status());
        long[] length = new long[1];
        try (var in = java.nio.file.Files.newInputStream(result.body())) {
            assertEquals(Payload.sha256(size), Payload.sha256(in, length));
        }
        assertTrue(tunnel.process().alive());
    }
}
