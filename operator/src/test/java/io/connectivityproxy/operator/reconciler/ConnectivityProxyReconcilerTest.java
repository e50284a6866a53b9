package io.connectivityproxy.operator.reconciler;

import static io.connectivityproxy.operator.reconciler.Cluster.TIMEOUT;
import static io.connectivityproxy.operator.reconciler.Cluster.condition;
import static io.connectivityproxy.operator.reconciler.Cluster.hashOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.State;
import io.connectivityproxy.operator.model.ConditionTypes;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.btp.ServiceBinding;
import io.connectivityproxy.operator.model.btp.ServiceInstance;
import io.connectivityproxy.operator.model.istio.Gateway;
import io.connectivityproxy.operator.model.istio.VirtualService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The operator against the fabric8 mock API server in CRUD mode: the "must be shown"
 * list, end to end through the real reconciler, dependents and informers.
 */
@WithKubernetesTestServer(crud = true)
@QuarkusTest
class ConnectivityProxyReconcilerTest {

    static final String NS = "kyma-system";
    static final String NAME = "connectivity-proxy";
    static final String INGRESS_NS = "istio-system";

    @Inject
    KubernetesClient client;

    Cluster cluster;

    @BeforeEach
    void modules() {
        cluster = new Cluster(client);
        cluster.installIstio();
        cluster.installBtpOperator();
        cluster.shootInfo("c-1234.kyma.example.com");
    }

    @AfterEach
    void removeInstallations() {
        cluster.allCps().forEach(cp -> client.resource(cp).delete());
        await().atMost(TIMEOUT).until(() -> cluster.allCps().isEmpty());
        client.secrets().inAnyNamespace().list().getItems().forEach(s -> client.resource(s).delete());
        client.configMaps().inAnyNamespace().list().getItems().forEach(c -> client.resource(c).delete());
    }

    @Test
    void defaultResourceInstallsEverythingAndIsReadyOnceTheWorkloadsAre() {
        client.resource(TestResources.defaultCr(NS, NAME)).create();

        // Auto-provisioned service key: the operator creates instance and binding, btp-operator the Secret.
        await().atMost(TIMEOUT).until(() -> get(ServiceBinding.class, NS, Names.SERVICE_BINDING) != null);
        ServiceInstance instance = get(ServiceInstance.class, NS, Names.SERVICE_INSTANCE);
        assertEquals("connectivity", instance.getSpec().serviceOfferingName());
        assertEquals("connectivity_proxy", instance.getSpec().servicePlanName());
        assertEquals(Names.SERVICE_KEY_SECRET, get(ServiceBinding.class, NS, Names.SERVICE_BINDING).getSpec().secretName());
        cluster.serviceKeySecret(NS, "0a1b2c3d-sub", "my-subdomain");

        await().atMost(TIMEOUT).until(() -> cluster.deployment(NS, Names.TUNNEL) != null && cluster.deployment(NS, Names.PROXY) != null);
        ConnectivityProxy cr = cluster.cp(NS, NAME);

        Service proxy = get(Service.class, NS, Names.PROXY);
        assertEquals(Map.of("http", 20003, "rfc-and-ldap", 20001, "socks5", 20004), ports(proxy));
        assertEquals(Map.of("http-tunnel", 8042), ports(get(Service.class, NS, Names.TUNNEL)));
        Service headless = get(Service.class, NS, Names.CLUSTER);
        assertEquals("None", headless.getSpec().getClusterIP());
        assertEquals(Map.of("tcp-hazelcast", 5701), ports(headless));

        ConfigMap info = get(ConfigMap.class, NS, Names.INFO_CONFIG_MAP);
        assertEquals(Map.of(
                "onpremise_proxy_host", "connectivity-proxy.kyma-system.svc.cluster.local",
                "onpremise_proxy_http_port", "20003",
                "onpremise_proxy_port", "20003",
                "onpremise_proxy_rfc_port", "20001",
                "onpremise_proxy_ldap_port", "20001",
                "onpremise_socks5_proxy_port", "20004"), info.getData());

        Gateway gateway = get(Gateway.class, NS, Names.GATEWAY);
        Gateway.Server server = gateway.getSpec().servers().get(0);
        assertEquals("MUTUAL", server.tls().mode());
        assertEquals(443, server.port().number());
        assertEquals(List.of("cp.c-1234.kyma.example.com"), server.hosts());
        assertEquals(Names.GATEWAY_TLS_SECRET, server.tls().credentialName());
        VirtualService route = get(VirtualService.class, NS, Names.GATEWAY);
        assertEquals("connectivity-proxy-tunnel.kyma-system.svc.cluster.local",
                route.getSpec().http().get(0).route().get(0).destination().host());
        assertEquals(8042, route.getSpec().http().get(0).route().get(0).destination().port().number());

        Secret gatewayTls = get(Secret.class, INGRESS_NS, Names.GATEWAY_TLS_SECRET);
        assertEquals(List.of("ca.crt", "tls.crt", "tls.key"), gatewayTls.getData().keySet().stream().sorted().collect(Collectors.toList()));
        assertNotNull(get(Secret.class, NS, Names.CA_SECRET));
        assertNotNull(get(Secret.class, NS, Names.CONNECTOR_CA_SECRET));

        Deployment proxyDeployment = cluster.deployment(NS, Names.PROXY);
        Container proxyContainer = proxyDeployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("0a1b2c3d-sub", env(proxyContainer).get("CLUSTER_SUBACCOUNT_ID"));
        assertEquals("connectivity-proxy-cluster.kyma-system.svc.cluster.local", env(proxyContainer).get("CLUSTER_KUBERNETES_SERVICE_DNS"));
        assertEquals("status.podIP", proxyContainer.getEnv().stream().filter(e -> e.getName().equals("CLUSTER_HOST")).findFirst()
                .orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        assertEquals("/q/health/ready", proxyContainer.getReadinessProbe().getHttpGet().getPath());
        Container tunnelContainer = cluster.deployment(NS, Names.TUNNEL).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("true", env(tunnelContainer).get("TUNNEL_TRUST_FORWARDED_CLIENT_CERT"));
        assertEquals("false", env(tunnelContainer).get("TUNNEL_TLS_ENABLED"));

        List<HasMetadata> owned = List.of(proxy, headless, info, gateway, route, instance, proxyDeployment,
                get(Secret.class, NS, Names.CA_SECRET));
        for (HasMetadata object : owned) {
            assertEquals(Labels.OPERATOR, object.getMetadata().getLabels().get(Labels.MANAGED_BY), object.getMetadata().getName());
            assertEquals(cr.getMetadata().getUid(), object.getMetadata().getOwnerReferences().get(0).getUid(),
                    object.getKind() + " " + object.getMetadata().getName());
        }
        // Cross-namespace: no owner reference possible, labelled and removed by the finalizer instead.
        assertTrue(gatewayTls.getMetadata().getOwnerReferences().isEmpty());
        assertEquals(Labels.OPERATOR, gatewayTls.getMetadata().getLabels().get(Labels.MANAGED_BY));

        ConnectivityProxyStatus processing = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Processing
                && "False".equals(condition(s, ConditionTypes.WORKLOADS_READY).getStatus()));
        assertEquals("WorkloadsNotReady", condition(processing, ConditionTypes.WORKLOADS_READY).getReason());

        cluster.rolledOut(NS, Names.PROXY);
        cluster.rolledOut(NS, Names.TUNNEL);
        ConnectivityProxyStatus ready = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Ready);
        for (String type : List.of(ConditionTypes.INSTALLED, ConditionTypes.TLS_READY, ConditionTypes.SERVICE_BINDING_READY,
                ConditionTypes.INGRESS_READY, ConditionTypes.WORKLOADS_READY)) {
            assertEquals("True", condition(ready, type).getStatus(), type + ": " + condition(ready, type).getMessage());
        }
        assertEquals(cluster.cp(NS, NAME).getMetadata().getGeneration(), ready.getObservedGeneration());
        assertEquals("cp.c-1234.kyma.example.com", ready.getExternalHost());
        assertTrue(eventReasons(NS).contains("StateReady"), "an Event records the transition to Ready");
    }

    private List<String> eventReasons(String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> NAME.equals(e.getInvolvedObject().getName()))
                .map(io.fabric8.kubernetes.api.model.Event::getReason).collect(Collectors.toList());
    }

    private <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
        return client.resources(type).inNamespace(namespace).withName(name).get();
    }

    static Map<String, Integer> ports(Service service) {
        return service.getSpec().getPorts().stream().collect(Collectors.toMap(ServicePort::getName, ServicePort::getPort));
    }

    static Map<String, String> env(Container container) {
        return container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }
}
