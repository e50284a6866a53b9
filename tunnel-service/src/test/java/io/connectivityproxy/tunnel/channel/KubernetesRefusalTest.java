package io.connectivityproxy.tunnel.channel;

import static io.connectivityproxy.tunnel.channel.KubernetesSourceTest.serviceMapping;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.TargetProtocol;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/**
 * An API server that refuses ServiceMappings (RBAC missing) until it stops refusing: the refusal
 * is reported clearly once, and the mappings arrive without a restart once access is granted.
 */
class KubernetesRefusalTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    // What the API server answers a service account without the ClusterRole.
    private static final String FORBIDDEN = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"servicemappings.connectivityproxy.sap.com is forbidden: User \\"system:serviceaccount:\
            kyma-system:connectivity-proxy-tunnel\\" cannot list resource \\"servicemappings\\" in API group \\"\
            connectivityproxy.sap.com\\" at the cluster scope",
             "reason":"Forbidden","code":403}
            """;

    private final AtomicBoolean forbidden = new AtomicBoolean(true);
    private final AtomicInteger refusals = new AtomicInteger();
    private KubernetesMockServer server;
    private KubernetesClient client;
    private Vertx vertx;
    private ServiceChannels channels;

    @BeforeEach
    void setUp() {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
        Dispatcher rbac = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (forbidden.get() && request.getPath().contains("servicemappings")) {
                    refusals.incrementAndGet();
                    return new MockResponse()
                            .setResponseCode(403)
                            .setHeader("Content-Type", "application/json")
                            .setBody(FORBIDDEN);
                }
                return crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), rbac, false);
        server.init();
        client = server.createClient();
        vertx = Vertx.vertx();
        channels = new ServiceChannels(
                vertx,
                Settings.channels(Map.of(
                        "tunnel.service-channels.kubernetes", "true",
                        "tunnel.service-channels.default-subaccount", "sub-a")),
                () -> client,
                new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        channels.stop();
        client.close();
        server.destroy();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aRefusalIsReportedAndAccessGrantedLaterIsPickedUp() {
        try (LogCapture log = LogCapture.of(KubernetesSource.class)) {
            channels.start();
            await().atMost(PATIENCE).until(() -> channels.problems().stream().anyMatch(p -> p.contains("403")));
            String problem = channels.problems().get(0);
            assertTrue(
                    problem.startsWith("the Kubernetes API refused to list and watch "
                            + "servicemappings.connectivityproxy.sap.com (HTTP 403 Forbidden): grant this pod's service "
                            + "account get, list and watch on it"),
                    problem);
            assertTrue(problem.endsWith("; no service mappings are in force"), problem);
            assertEquals(List.of(), channels.mappings());

            // The informer retries; each retry is refused the same way and logged only once.
            await().atMost(PATIENCE).until(() -> refusals.get() >= 3);
            assertEquals(
                    1,
                    log.count(Level.SEVERE, "HTTP 403 Forbidden"),
                    log.lines().toString());

            // Access granted (as a ClusterRole would): the mapping arrives, the problem goes.
            forbidden.set(false);
            client.genericKubernetesResources(KubernetesSource.SERVICE_MAPPINGS)
                    .resource(serviceMapping(
                            "erp-ssh", Map.of("type", "TCP", "serviceId", "erp-ssh", "internalAddress", "ssh:22")))
                    .create();
            await().atMost(PATIENCE)
                    .until(() ->
                            channels.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh") instanceof Resolution.Found);
            assertEquals(List.of(), channels.problems());
            assertEquals(
                    1,
                    log.count(Level.SEVERE, "HTTP 403 Forbidden"),
                    log.lines().toString());
        }
    }

    @Test
    void stoppingBeforeTheFirstListSucceededLogsNothingMore() {
        try (LogCapture log = LogCapture.of(KubernetesSource.class)) {
            channels.start();
            await().atMost(PATIENCE).until(() -> log.count(Level.SEVERE, "") == 1);
            channels.stop();
            int before = refusals.get();
            // The informer must not retry after stop: wait as long as two retries would take.
            await().during(Duration.ofSeconds(3)).atMost(PATIENCE).until(() -> refusals.get() == before);
            assertEquals(1, log.count(Level.SEVERE, ""), log.lines().toString());
        }
    }

    @Test
    void describesTheUsualRefusals() {
        assertTrue(KubernetesSource.describe(new io.fabric8.kubernetes.client.KubernetesClientException("x", 404, null))
                .contains("install the ServiceMapping CRD"));
        assertTrue(KubernetesSource.describe(new io.fabric8.kubernetes.client.KubernetesClientException("x", 401, null))
                .contains("HTTP 401 Unauthorized"));
        String other = KubernetesSource.describe(new java.util.concurrent.CompletionException(
                new java.io.IOException("connection refused\nsecond line")));
        assertEquals(
                "cannot follow servicemappings.connectivityproxy.sap.com through the Kubernetes API: "
                        + "IOException: connection refused?second line",
                other);
    }
}
