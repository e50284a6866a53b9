package io.connectivityproxy.tunnel.channel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/**
 * The Kubernetes source against the fabric8 mock API server in CRUD mode, with the project's
 * real CRD: ServiceMappings added, changed and deleted through the API, and resolve() following.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesSourceTest {

    static final Path CRD = Path.of("..", "deploy", "crds", "servicemappings.connectivityproxy.sap.com.yaml");
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    static KubernetesClient client;

    private Vertx vertx;
    private ServiceChannels channels;

    @BeforeAll
    static void installCrd() throws Exception {
        try (var in = Files.newInputStream(CRD)) {
            client.apiextensions().v1().customResourceDefinitions().load(in).create();
        }
    }

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        channels = new ServiceChannels(
                vertx,
                Settings.channels(Map.of(
                        "tunnel.service-channels.kubernetes", "true",
                        "tunnel.service-channels.tenant-mode", "dedicated",
                        "tunnel.service-channels.default-subaccount", "sub-a")),
                () -> client,
                new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        channels.stop();
        mappings().delete();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                    GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
            mappings() {
        return client.genericKubernetesResources(KubernetesSource.SERVICE_MAPPINGS);
    }

    static GenericKubernetesResource serviceMapping(String name, Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("connectivityproxy.sap.com/v1")
                .withKind("ServiceMapping")
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    private String foundHost(String serviceId) {
        return channels.resolve("sub-a", "", TargetProtocol.TCP, serviceId) instanceof Resolution.Found found
                ? found.mapping().internalHost()
                : null;
    }

    @Test
    void theContextMatchesTheCrd() throws Exception {
        CustomResourceDefinition crd;
        try (var in = Files.newInputStream(CRD)) {
            crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        }
        assertEquals(crd.getSpec().getGroup(), KubernetesSource.SERVICE_MAPPINGS.getGroup());
        assertEquals(crd.getSpec().getNames().getPlural(), KubernetesSource.SERVICE_MAPPINGS.getPlural());
        assertEquals(crd.getSpec().getNames().getKind(), KubernetesSource.SERVICE_MAPPINGS.getKind());
        assertEquals("Cluster", crd.getSpec().getScope());
        assertEquals(false, KubernetesSource.SERVICE_MAPPINGS.isNamespaceScoped());
        assertTrue(
                crd.getSpec().getVersions().stream().anyMatch(v -> v.getName().equals("v1") && v.getServed()));
    }

    @Test
    void addUpdateDelete() {
        mappings()
                .resource(serviceMapping(
                        "erp-ssh",
                        Map.of(
                                "type",
                                "TCP",
                                "serviceId",
                                "erp-ssh",
                                "internalAddress",
                                "ssh.tools.svc.cluster.local:22")))
                .create();
        channels.start();
        await().atMost(PATIENCE).until(() -> "ssh.tools.svc.cluster.local".equals(foundHost("erp-ssh")));
        assertEquals(List.of(), channels.problems());

        mappings()
                .resource(serviceMapping(
                        "db",
                        Map.of(
                                "type",
                                "TCP",
                                "serviceId",
                                "db",
                                "internalAddress",
                                "db.data.svc.cluster.local:5432",
                                "locationIds",
                                List.of("loc1"))))
                .create();
        await().atMost(PATIENCE).until(() -> channels.mappings().size() == 2);
        assertEquals(
                Reason.LOCATION_NOT_ALLOWED,
                ((Resolution.Refused) channels.resolve("sub-a", "", TargetProtocol.TCP, "db")).reason());
        assertInstanceOf(Resolution.Found.class, channels.resolve("sub-a", "loc1", TargetProtocol.TCP, "db"));

        mappings().withName("erp-ssh").edit(r -> {
            r.setAdditionalProperty(
                    "spec",
                    Map.of(
                            "type",
                            "TCP",
                            "serviceId",
                            "erp-ssh",
                            "internalAddress",
                            "ssh2.tools.svc.cluster.local:2222"));
            return r;
        });
        await().atMost(PATIENCE).until(() -> "ssh2.tools.svc.cluster.local".equals(foundHost("erp-ssh")));
        assertEquals(
                2222,
                ((Resolution.Found) channels.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh"))
                        .mapping()
                        .internalPort());

        mappings().withName("erp-ssh").delete();
        await().atMost(PATIENCE).until(() -> foundHost("erp-ssh") == null);
        assertEquals(
                new Resolution.Refused(
                        Reason.UNKNOWN_SERVICE, "no service mapping for TCP service 'erp-ssh' in subaccount sub-a"),
                channels.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh"));
        assertEquals(
                List.of("db"),
                channels.mappings().stream().map(ServiceMappingEntry::name).toList());
    }

    @Test
    void anInvalidResourceIsSkippedAndListed() {
        channels.start();
        await().atMost(PATIENCE).until(() -> channels.problems().isEmpty());
        // The mock server does not validate against the CRD's schema; the reader does.
        Map<String, Object> spec = new HashMap<>(Map.of("type", "TCP", "serviceId", "bad", "internalAddress", "foo"));
        mappings().resource(serviceMapping("bad", spec)).create();
        await().atMost(PATIENCE).until(() -> !channels.problems().isEmpty());
        assertEquals(
                List.of("ServiceMapping bad: spec.internalAddress: must be host:port; the port is missing, "
                        + "was 'foo'"),
                channels.problems());
        assertEquals(List.of(), channels.mappings());
        assertEquals(
                Reason.UNKNOWN_SERVICE,
                ((Resolution.Refused) channels.resolve("sub-a", "", TargetProtocol.TCP, "bad")).reason());
    }

    @Test
    void anotherSubaccountsMappingStaysInvisible() {
        mappings()
                .resource(serviceMapping(
                        "b-db",
                        Map.of(
                                "type",
                                "TCP",
                                "serviceId",
                                "db",
                                "internalAddress",
                                "db.b.svc:5432",
                                "subaccountId",
                                "sub-b")))
                .create();
        channels.start();
        await().atMost(PATIENCE).until(() -> channels.mappings().size() == 1);
        assertEquals(
                new Resolution.Refused(
                        Reason.UNKNOWN_SERVICE, "no service mapping for TCP service 'db' in subaccount sub-a"),
                channels.resolve("sub-a", "", TargetProtocol.TCP, "db"));
        assertInstanceOf(Resolution.Found.class, channels.resolve("sub-b", "", TargetProtocol.TCP, "db"));
    }
}
