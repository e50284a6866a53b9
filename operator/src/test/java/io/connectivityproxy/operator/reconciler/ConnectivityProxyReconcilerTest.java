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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jakarta.inject.Inject;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.api.State;
import io.connectivityproxy.operator.model.ConditionTypes;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.btp.ServiceBinding;
import io.connectivityproxy.operator.model.btp.ServiceInstance;
import io.connectivityproxy.operator.model.istio.Gateway;
import io.connectivityproxy.operator.model.istio.VirtualService;
import io.connectivityproxy.operator.tls.Pem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
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

    @Inject
    MeterRegistry meters;

    @KubernetesTestServer
    KubernetesServer server;

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
        client.resources(ServiceMapping.class).delete();
        cluster.allCps().forEach(cp -> client.resource(cp).delete());
        await().atMost(TIMEOUT).until(() -> cluster.allCps().isEmpty());
        client.secrets().inAnyNamespace().list().getItems().forEach(s -> client.resource(s)
                .delete());
        client.configMaps().inAnyNamespace().list().getItems().forEach(c -> client.resource(c)
                .delete());
    }

    @Test
    void defaultResourceInstallsEverythingAndIsReadyOnceTheWorkloadsAre() {
        client.resource(TestResources.defaultCr(NS, NAME)).create();

        // Auto-provisioned service key: the operator creates instance and binding, btp-operator the Secret.
        await().atMost(TIMEOUT).until(() -> get(ServiceBinding.class, NS, Names.SERVICE_BINDING) != null);
        ServiceInstance instance = get(ServiceInstance.class, NS, Names.SERVICE_INSTANCE);
        assertEquals("connectivity", instance.getSpec().serviceOfferingName());
        assertEquals("connectivity_proxy", instance.getSpec().servicePlanName());
        assertEquals(
                Names.SERVICE_KEY_SECRET,
                get(ServiceBinding.class, NS, Names.SERVICE_BINDING).getSpec().secretName());
        cluster.serviceKeySecret(NS, "0a1b2c3d-sub", "my-subdomain");

        await().atMost(TIMEOUT)
                .until(() ->
                        cluster.statefulSet(NS, Names.TUNNEL) != null && cluster.deployment(NS, Names.PROXY) != null);
        ConnectivityProxy cr = cluster.cp(NS, NAME);

        Service proxy = get(Service.class, NS, Names.PROXY);
        assertEquals(Map.of("http", 20003, "rfc-and-ldap", 20001, "socks5", 20004), ports(proxy));
        assertEquals(Map.of("http-tunnel", 8042), ports(get(Service.class, NS, Names.TUNNEL)));
        Service headless = get(Service.class, NS, Names.CLUSTER);
        assertEquals("None", headless.getSpec().getClusterIP());
        assertEquals(Map.of("tcp-hazelcast", 5701), ports(headless));

        ConfigMap info = get(ConfigMap.class, NS, Names.INFO_CONFIG_MAP);
        assertEquals(
                Map.of(
                        "onpremise_proxy_host", "connectivity-proxy.kyma-system.svc.cluster.local",
                        "onpremise_proxy_http_port", "20003",
                        "onpremise_proxy_port", "20003",
                        "onpremise_proxy_rfc_port", "20001",
                        "onpremise_proxy_ldap_port", "20001",
                        "onpremise_socks5_proxy_port", "20004"),
                info.getData());

        Gateway gateway = get(Gateway.class, NS, Names.GATEWAY);
        Gateway.Server server = gateway.getSpec().servers().get(0);
        assertEquals("MUTUAL", server.tls().mode());
        assertEquals(443, server.port().number());
        assertEquals(List.of("cp.c-1234.kyma.example.com"), server.hosts());
        assertEquals(Names.GATEWAY_TLS_SECRET, server.tls().credentialName());
        assertEquals(
                Map.of("istio", "ingressgateway"),
                gateway.getSpec().selector(),
                "the ingress gateway's pods, not every gateway");
        VirtualService route = get(VirtualService.class, NS, Names.GATEWAY);
        VirtualService.HttpRoute general =
                route.getSpec().http().get(route.getSpec().http().size() - 1);
        assertEquals(
                "connectivity-proxy-tunnel.kyma-system.svc.cluster.local",
                general.route().get(0).destination().host());
        assertEquals(8042, general.route().get(0).destination().port().number());
        // One replica is routed by its own path too, before the general route.
        VirtualService.HttpRoute replica = route.getSpec().http().get(0);
        assertEquals(
                "/tunnel/connectivity-proxy-tunnel-0",
                replica.match().get(0).uri().prefix());
        assertEquals("/tunnel", replica.rewrite().uri());
        assertEquals(
                "connectivity-proxy-tunnel-0.kyma-system.svc.cluster.local",
                replica.route().get(0).destination().host());
        Service replicaService = get(Service.class, NS, "connectivity-proxy-tunnel-0");
        assertEquals(
                Map.of("statefulset.kubernetes.io/pod-name", "connectivity-proxy-tunnel-0"),
                replicaService.getSpec().getSelector());
        assertEquals(Map.of("http-tunnel", 8042), ports(replicaService));

        Secret gatewayTls = get(Secret.class, INGRESS_NS, Names.GATEWAY_TLS_SECRET);
        assertEquals(
                List.of("ca.crt", "tls.crt", "tls.key"),
                gatewayTls.getData().keySet().stream().sorted().collect(Collectors.toList()));
        assertNotNull(get(Secret.class, NS, Names.CA_SECRET));
        assertNotNull(get(Secret.class, NS, Names.CONNECTOR_CA_SECRET));

        Deployment proxyDeployment = cluster.deployment(NS, Names.PROXY);
        Container proxyContainer = proxyDeployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertEquals("0a1b2c3d-sub", env(proxyContainer).get("PROXY_SUBACCOUNT"));
        assertEquals("dedicated", env(proxyContainer).get("PROXY_TENANT_MODE"));
        assertEquals(
                "connectivity-proxy-cluster.kyma-system.svc.cluster.local",
                env(proxyContainer).get("CLUSTER_KUBERNETES_SERVICE_DNS"));
        assertEquals(
                "status.podIP",
                proxyContainer.getEnv().stream()
                        .filter(e -> e.getName().equals("CLUSTER_HOST"))
                        .findFirst()
                        .orElseThrow()
                        .getValueFrom()
                        .getFieldRef()
                        .getFieldPath());
        assertEquals(
                "/q/health/ready",
                proxyContainer.getReadinessProbe().getHttpGet().getPath());
        Container tunnelContainer =
                cluster.template(NS, Names.TUNNEL).getSpec().getContainers().get(0);
        assertEquals("true", env(tunnelContainer).get("TUNNEL_TRUST_FORWARDED_CLIENT_CERT"));
        assertEquals("false", env(tunnelContainer).get("TUNNEL_TLS_ENABLED"));
        assertEquals(
                "wss://cp.c-1234.kyma.example.com:443/tunnel/$(POD_NAME)",
                env(tunnelContainer).get("TUNNEL_REPLICA_URL"));

        List<HasMetadata> owned = List.of(
                proxy,
                headless,
                info,
                gateway,
                route,
                instance,
                proxyDeployment,
                cluster.statefulSet(NS, Names.TUNNEL),
                replicaService,
                get(Secret.class, NS, Names.CA_SECRET));
        for (HasMetadata object : owned) {
            assertEquals(
                    Labels.OPERATOR,
                    object.getMetadata().getLabels().get(Labels.MANAGED_BY),
                    object.getMetadata().getName());
            assertEquals(
                    cr.getMetadata().getUid(),
                    object.getMetadata().getOwnerReferences().get(0).getUid(),
                    object.getKind() + " " + object.getMetadata().getName());
        }
        // Cross-namespace: no owner reference possible, labelled and removed by the finalizer instead.
        assertTrue(gatewayTls.getMetadata().getOwnerReferences().isEmpty());
        assertEquals(Labels.OPERATOR, gatewayTls.getMetadata().getLabels().get(Labels.MANAGED_BY));

        ConnectivityProxyStatus processing = cluster.awaitStatus(
                NS,
                NAME,
                s -> s.getState() == State.Processing
                        && "False"
                                .equals(condition(s, ConditionTypes.WORKLOADS_READY)
                                        .getStatus()));
        assertEquals(
                "WorkloadsNotReady",
                condition(processing, ConditionTypes.WORKLOADS_READY).getReason());

        cluster.rolledOut(NS, Names.PROXY);
        cluster.rolledOut(NS, Names.TUNNEL);
        ConnectivityProxyStatus ready = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Ready);
        for (String type : List.of(
                ConditionTypes.INSTALLED,
                ConditionTypes.TLS_READY,
                ConditionTypes.SERVICE_BINDING_READY,
                ConditionTypes.INGRESS_READY,
                ConditionTypes.WORKLOADS_READY)) {
            assertEquals(
                    "True",
                    condition(ready, type).getStatus(),
                    type + ": " + condition(ready, type).getMessage());
        }
        assertEquals(cluster.cp(NS, NAME).getMetadata().getGeneration(), ready.getObservedGeneration());
        assertEquals("cp.c-1234.kyma.example.com", ready.getExternalHost());
        assertTrue(eventReasons(NS).contains("StateReady"), "an Event records the transition to Ready");
    }

    @Test
    void aChangedPortIsFollowedEverywhereAndRollsTheWorkloadsWhileAnUnchangedSpecWritesNothing() throws Exception {
        installReady(NS, NAME);
        String proxyHash = hashOf(cluster.deployment(NS, Names.PROXY));
        String tunnelHash = hashOf(cluster.statefulSet(NS, Names.TUNNEL));

        client.resources(ConnectivityProxy.class).inNamespace(NS).withName(NAME).edit(cp -> {
            cp.getSpec().getConfig().getServers().getProxy().getHttp().setPort(21003);
            return cp;
        });
        await().atMost(TIMEOUT)
                .until(() -> ports(get(Service.class, NS, Names.PROXY)).get("http") == 21003);
        await().atMost(TIMEOUT).until(() -> "21003"
                .equals(get(ConfigMap.class, NS, Names.INFO_CONFIG_MAP)
                        .getData()
                        .get("onpremise_proxy_http_port")));
        assertEquals(
                "21003",
                get(ConfigMap.class, NS, Names.INFO_CONFIG_MAP).getData().get("onpremise_proxy_port"));
        await().atMost(TIMEOUT)
                .until(() -> !proxyHash.equals(hashOf(cluster.deployment(NS, Names.PROXY)))
                        && !tunnelHash.equals(hashOf(cluster.statefulSet(NS, Names.TUNNEL))));
        Container proxy = cluster.deployment(NS, Names.PROXY)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertEquals("21003", env(proxy).get("PROXY_HTTP_PORT"));
        assertTrue(
                proxy.getPorts().stream().anyMatch(p -> p.getContainerPort() == 21003 && "http".equals(p.getName())));
        assertFalse(proxy.getPorts().stream().anyMatch(p -> p.getContainerPort() == 20003));

        // The new pods come up; then an event that changes nothing must cause no write at all.
        cluster.rolledOut(NS, Names.PROXY);
        cluster.rolledOut(NS, Names.TUNNEL);
        cluster.awaitStatus(
                NS,
                NAME,
                s -> s.getState() == State.Ready
                        && s.getObservedGeneration()
                                .equals(cluster.cp(NS, NAME).getMetadata().getGeneration()));
        Thread.sleep(1500);
        drainRequests();
        touchUntilReconciled();
        Thread.sleep(1500);
        List<String> writes = writes();
        // The test's own edits are all PATCHes of the StatefulSet; the operator must add no write.
        String ownEdit = "PATCH /apis/apps/v1/namespaces/kyma-system/statefulsets/connectivity-proxy-tunnel";
        assertEquals(ownEdit, writes.get(0));
        assertEquals(
                List.of(),
                writes.stream().filter(w -> !w.equals(ownEdit)).collect(Collectors.toList()),
                "a reconcile of an unchanged installation writes nothing");
    }

    /**
     * Another client's edit of a managed object, which the operator must notice by reconciling. A
     * CI run once saw no reconcile within 30 s of one such edit against the mock API server (cause
     * not found; eleven runs here, one under extra CPU load, never did), so a new value is written
     * every 10 s, up to three times.
     */
    private void touchUntilReconciled() {
        double before = reconciliations();
        for (int attempt = 1; ; attempt++) {
            String value = "someone-else-" + attempt;
            client.apps().statefulSets().inNamespace(NS).withName(Names.TUNNEL).edit(d -> {
                d.getMetadata().getAnnotations().put("example.com/touched-by", value);
                return d;
            });
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> reconciliations() > before);
                return;
            } catch (ConditionTimeoutException e) {
                if (attempt == 3) {
                    throw new AssertionError(
                            "no reconcile after three edits of the StatefulSet; reconciliations started: " + before
                                    + " before, " + reconciliations() + " now",
                            e);
                }
            }
        }
    }

    @Test
    void theLogFormatOfTheResourceReachesBothDeploymentsAsQuarkusJsonLogging() {
        installReady(NS, NAME);
        for (String name : List.of(Names.PROXY, Names.TUNNEL)) {
            assertEquals(
                    "false",
                    env(container(name)).get("QUARKUS_LOG_CONSOLE_JSON_ENABLED"),
                    name + ": console text by default");
        }
        client.resources(ConnectivityProxy.class).inNamespace(NS).withName(NAME).edit(cp -> {
            cp.getSpec().getConfig().getLogging().setFormat("json");
            return cp;
        });
        for (String name : List.of(Names.PROXY, Names.TUNNEL)) {
            await().atMost(TIMEOUT)
                    .until(() -> "true".equals(env(container(name)).get("QUARKUS_LOG_CONSOLE_JSON_ENABLED")));
        }
    }

    @Test
    void theHealthcheckHostIsRoutedThroughTheGatewayWithoutClientCertificateToTheHealthcheckOnly() throws Exception {
        installReady(NS, NAME);
        String host = "healthcheck.cp.c-1234.kyma.example.com";
        Gateway gateway = get(Gateway.class, NS, Names.GATEWAY);
        Gateway.Server mutual = gateway.getSpec().servers().get(0);
        Gateway.Server healthcheck = gateway.getSpec().servers().get(1);
        assertEquals(List.of("cp.c-1234.kyma.example.com"), mutual.hosts());
        assertEquals("MUTUAL", mutual.tls().mode());
        assertEquals(List.of(host), healthcheck.hosts());
        assertEquals("SIMPLE", healthcheck.tls().mode());
        assertEquals(443, healthcheck.port().number());
        assertNotEquals(mutual.port().name(), healthcheck.port().name());

        VirtualService tunnelRoute = get(VirtualService.class, NS, Names.GATEWAY);
        assertEquals(
                List.of("cp.c-1234.kyma.example.com"),
                tunnelRoute.getSpec().hosts(),
                "the tunnel route is not on the healthcheck host");
        VirtualService route = get(VirtualService.class, NS, Names.HEALTHCHECK);
        assertEquals(List.of(host), route.getSpec().hosts());
        assertEquals(List.of(NS + "/" + Names.GATEWAY), route.getSpec().gateways());
        assertEquals(1, route.getSpec().http().size());
        assertEquals(
                "/healthcheck",
                route.getSpec().http().get(0).match().get(0).uri().exact());
        assertEquals(1, route.getSpec().http().get(0).match().size(), "one path, nothing else");
        assertEquals(
                "connectivity-proxy-tunnel.kyma-system.svc.cluster.local",
                route.getSpec().http().get(0).route().get(0).destination().host());
        assertEquals(
                8042,
                route.getSpec()
                        .http()
                        .get(0)
                        .route()
                        .get(0)
                        .destination()
                        .port()
                        .number());
        ConnectivityProxy cr = cluster.cp(NS, NAME);
        assertEquals(
                cr.getMetadata().getUid(),
                route.getMetadata().getOwnerReferences().get(0).getUid());

        X509Certificate served = Pem.certificate(new String(
                java.util.Base64.getDecoder()
                        .decode(get(Secret.class, INGRESS_NS, Names.GATEWAY_TLS_SECRET)
                                .getData()
                                .get("tls.crt")),
                java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(
                served.getSubjectAlternativeNames().stream().anyMatch(n -> host.equals(n.get(1))),
                "the gateway's certificate also names the healthcheck host");
        assertTrue(condition(cluster.cp(NS, NAME).getStatus(), ConditionTypes.INGRESS_READY)
                .getMessage()
                .contains("health check at https://" + host + "/healthcheck"));
    }

    @Test
    void aSecondResourceGoesToErrorAndTheFirstIsUntouched() throws Exception {
        installReady(NS, NAME);
        Thread.sleep(1000);
        Map<String, String> before = resourceVersions(NS);
        ConnectivityProxyStatus firstStatus = cluster.cp(NS, NAME).getStatus();

        client.resource(TestResources.defaultCr("second", "another-proxy")).create();
        ConnectivityProxyStatus second =
                cluster.awaitStatus("second", "another-proxy", s -> s.getState() == State.Error);
        String message = condition(second, ConditionTypes.INSTALLED).getMessage();
        assertTrue(message.contains(ConditionTypes.DUPLICATE_MESSAGE), message);
        assertEquals(
                "DuplicateInstance", condition(second, ConditionTypes.INSTALLED).getReason());

        Thread.sleep(1500);
        assertEquals(before, resourceVersions(NS), "nothing of the first installation changed");
        assertEquals(firstStatus, cluster.cp(NS, NAME).getStatus());
        assertTrue(client.apps()
                .deployments()
                .inNamespace("second")
                .list()
                .getItems()
                .isEmpty());
        assertTrue(client.apps()
                .statefulSets()
                .inNamespace("second")
                .list()
                .getItems()
                .isEmpty());
        assertTrue(client.services().inNamespace("second").list().getItems().isEmpty());

        // Removing the duplicate must not remove the installation's objects either.
        client.resources(ConnectivityProxy.class)
                .inNamespace("second")
                .withName("another-proxy")
                .delete();
        await().atMost(TIMEOUT).until(() -> cluster.cp("second", "another-proxy") == null);
        assertEquals(before, resourceVersions(NS));
    }

    @Test
    void withoutTheBindingSecretItIsProcessingAndNamesItThenReadyWithTheSubaccountFromIt() {
        String ns = "binding-test";
        client.resource(TestResources.defaultCr(ns, NAME)).create();
        ConnectivityProxyStatus waiting = cluster.awaitStatus(
                ns,
                NAME,
                s -> s.getState() == State.Processing
                        && "ServiceKeySecretMissing"
                                .equals(condition(s, ConditionTypes.SERVICE_BINDING_READY)
                                        .getReason()));
        assertEquals(
                "False",
                condition(waiting, ConditionTypes.SERVICE_BINDING_READY).getStatus());
        assertTrue(condition(waiting, ConditionTypes.SERVICE_BINDING_READY)
                .getMessage()
                .contains(Names.SERVICE_KEY_SECRET));
        assertEquals(
                "WaitingForSubaccount",
                condition(waiting, ConditionTypes.WORKLOADS_READY).getReason());
        assertNull(cluster.deployment(ns, Names.PROXY), "no workloads without the subaccount");

        cluster.serviceKeySecret(ns, "sub-from-secret", "sub-domain");
        await().atMost(TIMEOUT)
                .until(() ->
                        cluster.deployment(ns, Names.PROXY) != null && cluster.statefulSet(ns, Names.TUNNEL) != null);
        cluster.rolledOut(ns, Names.PROXY);
        cluster.rolledOut(ns, Names.TUNNEL);
        ConnectivityProxyStatus ready = cluster.awaitStatus(ns, NAME, s -> s.getState() == State.Ready);
        assertTrue(condition(ready, ConditionTypes.SERVICE_BINDING_READY)
                .getMessage()
                .contains("sub-from-secret"));
        Container tunnel =
                cluster.template(ns, Names.TUNNEL).getSpec().getContainers().get(0);
        assertEquals("sub-from-secret", env(tunnel).get("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT"));
        Container proxy = cluster.deployment(ns, Names.PROXY)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertEquals("sub-from-secret", env(proxy).get("PROXY_SUBACCOUNT"));
    }

    @Test
    void withoutIstioAConditionSaysTheIstioModuleIsMissing() {
        cluster.uninstallIstio();
        String ns = "no-istio";
        client.resource(TestResources.defaultCr(ns, NAME)).create();
        cluster.serviceKeySecret(ns, "sub-1", "sub-domain");
        ConnectivityProxyStatus status = cluster.awaitStatus(
                ns,
                NAME,
                s -> s.getState() == State.Warning
                        && s.getConditions().stream().anyMatch(c -> ConditionTypes.INGRESS_READY.equals(c.getType())));
        assertEquals("False", condition(status, ConditionTypes.INGRESS_READY).getStatus());
        assertEquals(
                "IstioMissing", condition(status, ConditionTypes.INGRESS_READY).getReason());
        assertTrue(condition(status, ConditionTypes.INGRESS_READY).getMessage().contains("istio module is missing"));
        assertNull(get(Gateway.class, ns, Names.GATEWAY));
        // Everything that does not need Istio is installed all the same.
        await().atMost(TIMEOUT).until(() -> cluster.deployment(ns, Names.PROXY) != null);
        assertTrue(eventReasons(ns).contains("IstioMissing"), "an Event names the missing module");
    }

    @Test
    void aLabelledSecretChangeRollsTheWorkloadsAndAWronglyLabelledOneDoesNot() throws Exception {
        installReady(NS, NAME);
        String hash = hashOf(cluster.deployment(NS, Names.PROXY));

        labelledSecret("elsewhere", "other-proxy.other-namespace", "v1");
        labelledSecret("elsewhere", "other-proxy.other-namespace", "v2");
        Thread.sleep(3000);
        assertEquals(
                hash,
                hashOf(cluster.deployment(NS, Names.PROXY)),
                "a Secret labelled for another installation is ignored");
        assertEquals(hash, hashOf(cluster.statefulSet(NS, Names.TUNNEL)));

        labelledSecret("app-config", "", "v1");
        await().atMost(TIMEOUT).until(() -> !hash.equals(hashOf(cluster.deployment(NS, Names.PROXY))));
        String afterCreate = hashOf(cluster.deployment(NS, Names.PROXY));
        assertEquals(afterCreate, hashOf(cluster.statefulSet(NS, Names.TUNNEL)));

        labelledSecret("app-config", "", "v2");
        await().atMost(TIMEOUT).until(() -> !afterCreate.equals(hashOf(cluster.deployment(NS, Names.PROXY))));
        String afterChange = hashOf(cluster.deployment(NS, Names.PROXY));

        client.configMaps()
                .inNamespace("apps")
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("named")
                        .withNamespace("apps")
                        .addToLabels(Names.RESTART_LABEL, NAME + "." + NS)
                        .endMetadata()
                        .addToData("k", "v")
                        .build())
                .create();
        await().atMost(TIMEOUT).until(() -> !afterChange.equals(hashOf(cluster.statefulSet(NS, Names.TUNNEL))));
    }

    @Test
    void deletingRemovesEverythingCreatedAndThenTheFinalizer() {
        installReady(NS, NAME);
        ConnectivityProxy cr = cluster.cp(NS, NAME);
        assertTrue(cr.getMetadata().getFinalizers().size() == 1, "a finalizer guards the cleanup");
        List<HasMetadata> created = new ArrayList<>();
        created.addAll(
                managed(client.apps().deployments().inAnyNamespace().list().getItems()));
        created.addAll(
                managed(client.apps().statefulSets().inAnyNamespace().list().getItems()));
        created.addAll(managed(client.services().inAnyNamespace().list().getItems()));
        created.addAll(managed(client.configMaps().inAnyNamespace().list().getItems()));
        created.addAll(managed(client.secrets().inAnyNamespace().list().getItems()));
        created.addAll(client.resources(Gateway.class).inAnyNamespace().list().getItems());
        created.addAll(
                client.resources(VirtualService.class).inAnyNamespace().list().getItems());
        created.addAll(
                client.resources(ServiceInstance.class).inAnyNamespace().list().getItems());
        created.addAll(
                client.resources(ServiceBinding.class).inAnyNamespace().list().getItems());
        created.addAll(managed(client.serviceAccounts().inAnyNamespace().list().getItems()));
        created.addAll(managed(
                client.network().v1().networkPolicies().inAnyNamespace().list().getItems()));
        // Cluster-scoped: no owner reference is possible, the finalizer removes them.
        created.addAll(managed(client.rbac().clusterRoles().list().getItems()));
        created.addAll(managed(client.rbac().clusterRoleBindings().list().getItems()));
        assertEquals(
                22,
                created.size(),
                created.stream()
                        .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                        .collect(Collectors.toList())
                        .toString());

        client.resource(cr).delete();
        await().atMost(TIMEOUT).until(() -> cluster.cp(NS, NAME) == null);
        for (HasMetadata object : created) {
            assertNull(
                    client.resource(object).get(),
                    object.getKind() + " " + object.getMetadata().getNamespace() + "/"
                            + object.getMetadata().getName() + " is gone");
        }
        assertTrue(eventReasons(NS).contains("Deleted"));
    }

    @Test
    void invalidSpecsThatReachTheOperatorEndInErrorNamingTheField() {
        assertInvalid(
                cr -> cr.getSpec().getConfig().getServers().getProxy().getHttp().setPort(0),
                "spec.config.servers.proxy.http.port");
        assertInvalid(cr -> cr.getSpec().getConfig().setSubaccountId("not a subaccount!"), "spec.config.subaccountId");
        assertInvalid(cr -> cr.getSpec().getConfig().setTenantMode("multi"), "spec.config.tenantMode");
        assertInvalid(cr -> cr.getSpec().getConfig().getLogging().setFormat("xml"), "spec.config.logging.format");
    }

    @Test
    void sapsAdmissionRulesEndInErrorWithSapsMessages() {
        assertInvalid(
                cr -> cr.getSpec()
                        .getConfig()
                        .getServers()
                        .getProxy()
                        .getSocks5()
                        .setEnableProxyAuthorization(true),
                "spec.config.servers.proxy.authorization.oauth.allowedClientId: "
                        + "Allowed client id is required if proxy authorization is enabled");
        assertInvalid(
                cr -> cr.getSpec().getConfig().setSubaccountId(""),
                "spec.config.subaccountId: SubaccountId is required if tenant mode is dedicated");
    }

    @Test
    void theClusterPortsAreClosedToStrangersAndTheTunnelPortToAllButTheGateway() {
        installReady(NS, NAME);
        ConnectivityProxy cr = cluster.cp(NS, NAME);
        NetworkPolicy proxy = client.network()
                .v1()
                .networkPolicies()
                .inNamespace(NS)
                .withName(Names.PROXY)
                .get();
        NetworkPolicy tunnel = client.network()
                .v1()
                .networkPolicies()
                .inNamespace(NS)
                .withName(Names.TUNNEL)
                .get();
        for (NetworkPolicy policy : List.of(proxy, tunnel)) {
            assertEquals(
                    cr.getMetadata().getUid(),
                    policy.getMetadata().getOwnerReferences().get(0).getUid());
            assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
            NetworkPolicyIngressRule members = policy.getSpec().getIngress().get(0);
            assertEquals(List.of(5701, 5710), ports(members));
            assertEquals(1, members.getFrom().size());
            assertNull(members.getFrom().get(0).getNamespaceSelector(), "this namespace only");
            assertEquals(
                    Map.of("app.kubernetes.io/name", "connectivity-proxy"),
                    members.getFrom().get(0).getPodSelector().getMatchLabels());
            assertEquals(
                    List.of("proxy-service", "tunnel-service"),
                    members.getFrom()
                            .get(0)
                            .getPodSelector()
                            .getMatchExpressions()
                            .get(0)
                            .getValues());
        }
        assertEquals(
                Map.of("app.kubernetes.io/name", "connectivity-proxy", "app.kubernetes.io/component", "proxy-service"),
                proxy.getSpec().getPodSelector().getMatchLabels());
        assertEquals(
                List.of(20003, 20001, 20004), ports(proxy.getSpec().getIngress().get(1)));
        assertNotNull(proxy.getSpec().getIngress().get(1).getFrom().get(0).getNamespaceSelector(), "any namespace");
        assertEquals(List.of(8081), ports(proxy.getSpec().getIngress().get(2)));

        assertEquals(
                Map.of("app.kubernetes.io/name", "connectivity-proxy", "app.kubernetes.io/component", "tunnel-service"),
                tunnel.getSpec().getPodSelector().getMatchLabels());
        NetworkPolicyIngressRule gateway = tunnel.getSpec().getIngress().get(1);
        assertEquals(List.of(8042), ports(gateway));
        assertEquals(
                Map.of("kubernetes.io/metadata.name", INGRESS_NS),
                gateway.getFrom().get(0).getNamespaceSelector().getMatchLabels());
        assertEquals(
                Map.of("istio", "ingressgateway"),
                gateway.getFrom().get(0).getPodSelector().getMatchLabels());
        assertEquals(List.of(8082), ports(tunnel.getSpec().getIngress().get(2)));

        // A disabled listener's port closes.
        client.resources(ConnectivityProxy.class).inNamespace(NS).withName(NAME).edit(cp -> {
            cp.getSpec().getConfig().getServers().getProxy().getSocks5().setEnabled(false);
            return cp;
        });
        await().atMost(TIMEOUT).until(() -> ports(client.network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(NS)
                        .withName(Names.PROXY)
                        .get()
                        .getSpec()
                        .getIngress()
                        .get(1))
                .equals(List.of(20003, 20001)));
    }

    @Test
    void bothWorkloadsGetTheClusterMemberCertificateOfTheirOwnCaAndFollowItsRenewal() throws Exception {
        installReady(NS, NAME);
        Secret memberSecret = get(Secret.class, NS, Names.CLUSTER_TLS_SECRET);
        X509Certificate clusterCa = Pem.certificate(decoded(get(Secret.class, NS, Names.CLUSTER_CA_SECRET), "tls.crt"));
        X509Certificate member = Pem.certificate(decoded(memberSecret, "tls.crt"));
        member.verify(clusterCa.getPublicKey());
        assertEquals(clusterCa, Pem.certificate(decoded(memberSecret, "ca.crt")));
        assertEquals(
                "CN=connectivity-proxy-cluster,O=connectivity-proxy",
                member.getSubjectX500Principal().getName());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"), member.getExtendedKeyUsage());
        assertTrue(decoded(memberSecret, "tls.key").startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
        assertNotNull(Pem.privateKey(decoded(memberSecret, "tls.key")));
        for (String other : List.of(Names.CA_SECRET, Names.CONNECTOR_CA_SECRET)) {
            X509Certificate otherCa = Pem.certificate(decoded(get(Secret.class, NS, other), "tls.crt"));
            assertNotEquals(otherCa, clusterCa, other + " is not the cluster CA");
            assertThrows(
                    java.security.SignatureException.class,
                    () -> member.verify(otherCa.getPublicKey()),
                    "no other CA vouches for a member");
        }

        String hash = null;
        for (String name : List.of(Names.PROXY, Names.TUNNEL)) {
            PodTemplateSpec template = cluster.template(NS, name);
            Container container = template.getSpec().getContainers().get(0);
            assertEquals(
                    "/etc/connectivity-proxy/cluster-tls/tls.crt",
                    env(container).get("CLUSTER_TLS_CERTIFICATE"),
                    name);
            assertEquals(
                    "/etc/connectivity-proxy/cluster-tls/tls.key",
                    env(container).get("CLUSTER_TLS_KEY"),
                    name);
            assertEquals(
                    "/etc/connectivity-proxy/cluster-tls/ca.crt", env(container).get("CLUSTER_TLS_CA"), name);
            assertEquals("5710", env(container).get("CLUSTER_EVENT_BUS_PORT"), name);
            String volume = container.getVolumeMounts().stream()
                    .filter(m -> "/etc/connectivity-proxy/cluster-tls".equals(m.getMountPath()))
                    .findFirst()
                    .orElseThrow()
                    .getName();
            assertEquals(
                    Names.CLUSTER_TLS_SECRET,
                    template.getSpec().getVolumes().stream()
                            .filter(v -> v.getName().equals(volume))
                            .findFirst()
                            .orElseThrow()
                            .getSecret()
                            .getSecretName(),
                    name);
            hash = template.getMetadata().getAnnotations().get(Names.CLUSTER_TLS_HASH_ANNOTATION);
            assertNotNull(hash, name);
        }
        assertEquals(hash, hashOfClusterTls(cluster.template(NS, Names.PROXY)));

        // A new cluster CA (the old one deleted) means a new member certificate, and both workloads roll to it.
        String before = hash;
        client.secrets().inNamespace(NS).withName(Names.CLUSTER_CA_SECRET).delete();
        await().atMost(TIMEOUT).until(() -> {
            Secret ca = get(Secret.class, NS, Names.CLUSTER_CA_SECRET);
            return ca != null && !Pem.certificate(decoded(ca, "tls.crt")).equals(clusterCa);
        });
        await().atMost(TIMEOUT)
                .until(() -> !before.equals(hashOfClusterTls(cluster.template(NS, Names.PROXY)))
                        && !before.equals(hashOfClusterTls(cluster.template(NS, Names.TUNNEL))));
        X509Certificate newCa = Pem.certificate(decoded(get(Secret.class, NS, Names.CLUSTER_CA_SECRET), "tls.crt"));
        Pem.certificate(decoded(get(Secret.class, NS, Names.CLUSTER_TLS_SECRET), "tls.crt"))
                .verify(newCa.getPublicKey());
    }

    @Test
    void nonTrustedAndSharedModesReachProxyServiceWithTheIssuerOfTheServiceKey() {
        ConnectivityProxy cr = TestResources.defaultCr(NS, NAME);
        var proxy = cr.getSpec().getConfig().getServers().getProxy();
        proxy.getHttp().setEnableProxyAuthorization(true);
        proxy.getSocks5().setEnableProxyAuthorization(true);
        proxy.getAuthorization().getOauth().setAllowedClientId("sb-clone-123!b1|connectivity!b17");
        cluster.installReady(cr);

        Map<String, String> env = env(cluster.deployment(NS, Names.PROXY)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0));
        assertEquals("dedicated", env.get("PROXY_TENANT_MODE"));
        assertEquals("0a1b2c3d-sub", env.get("PROXY_SUBACCOUNT"));
        assertEquals("true", env.get("PROXY_HTTP_AUTHORIZATION_ENABLED"));
        assertEquals("false", env.get("PROXY_RFC_AND_LDAP_AUTHORIZATION_ENABLED"));
        assertEquals("true", env.get("PROXY_SOCKS5_AUTHORIZATION_ENABLED"));
        assertEquals("sb-clone-123!b1|connectivity!b17", env.get("PROXY_AUTHORIZATION_ALLOWED_CLIENT_ID"));
        assertEquals(Cluster.UAA_URL + "/oauth/token", env.get("PROXY_AUTHORIZATION_ISSUERS"));
        assertEquals(Cluster.UAA_URL + "/token_keys", env.get("PROXY_AUTHORIZATION_JWKS_URL"));
        Condition authorization = condition(cluster.cp(NS, NAME).getStatus(), ConditionTypes.PROXY_AUTHORIZATION);
        assertEquals("Configured", authorization.getReason());
        assertTrue(
                authorization.getMessage().contains("a token is required on http, socks5"), authorization.getMessage());

        client.resources(ConnectivityProxy.class).inNamespace(NS).withName(NAME).edit(cp -> {
            cp.getSpec().getConfig().setTenantMode("shared");
            return cp;
        });
        await().atMost(TIMEOUT).until(() -> "shared"
                .equals(env(cluster.deployment(NS, Names.PROXY)
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0))
                        .get("PROXY_TENANT_MODE")));
        Map<String, String> shared = env(cluster.deployment(NS, Names.PROXY)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0));
        assertFalse(shared.containsKey("PROXY_SUBACCOUNT"), "in shared mode the subaccount comes from each token");
        assertEquals(Cluster.UAA_URL + "/oauth/token", shared.get("PROXY_AUTHORIZATION_ISSUERS"));
        await().atMost(TIMEOUT).until(() -> "shared"
                .equals(env(cluster.template(NS, Names.TUNNEL)
                                .getSpec()
                                .getContainers()
                                .get(0))
                        .get("TUNNEL_SERVICE_CHANNELS_TENANT_MODE")));
    }

    private static List<Integer> ports(NetworkPolicyIngressRule rule) {
        return rule.getPorts().stream().map(p -> p.getPort().getIntVal()).collect(Collectors.toList());
    }

    private static String hashOfClusterTls(PodTemplateSpec template) {
        return template.getMetadata().getAnnotations().get(Names.CLUSTER_TLS_HASH_ANNOTATION);
    }

    private static String decoded(Secret secret, String key) {
        return new String(
                java.util.Base64.getDecoder().decode(secret.getData().get(key)),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    private void assertInvalid(java.util.function.Consumer<ConnectivityProxy> breakIt, String field) {
        String ns = "invalid";
        ConnectivityProxy cr = TestResources.defaultCr(ns, NAME);
        breakIt.accept(cr);
        client.resource(cr).create();
        ConnectivityProxyStatus status = cluster.awaitStatus(ns, NAME, s -> s.getState() == State.Error);
        assertEquals("InvalidSpec", condition(status, ConditionTypes.INSTALLED).getReason());
        assertTrue(
                condition(status, ConditionTypes.INSTALLED).getMessage().contains(field),
                condition(status, ConditionTypes.INSTALLED).getMessage());
        assertTrue(
                client.services().inNamespace(ns).list().getItems().isEmpty(),
                "nothing is installed from an invalid spec");
        client.resources(ConnectivityProxy.class).inNamespace(ns).withName(NAME).delete();
        await().atMost(TIMEOUT).until(() -> cluster.cp(ns, NAME) == null);
    }

    private void installReady(String namespace, String name) {
        cluster.installReady(TestResources.defaultCr(namespace, name));
    }

    private void labelledSecret(String name, String target, String value) {
        client.secrets()
                .inNamespace("apps")
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace("apps")
                        .addToLabels(Names.RESTART_LABEL, target)
                        .endMetadata()
                        .addToData("password", Cluster.b64(value))
                        .build())
                .createOr(existing -> existing.update());
    }

    private static <T extends HasMetadata> List<T> managed(List<T> items) {
        return items.stream()
                .filter(i -> i.getMetadata().getLabels() != null
                        && Labels.OPERATOR.equals(i.getMetadata().getLabels().get(Labels.MANAGED_BY)))
                .collect(Collectors.toList());
    }

    private Map<String, String> resourceVersions(String namespace) {
        Map<String, String> versions = new java.util.TreeMap<>();
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
        all.addAll(client.apps().statefulSets().inNamespace(namespace).list().getItems());
        all.addAll(client.services().inNamespace(namespace).list().getItems());
        all.addAll(client.configMaps().inNamespace(namespace).list().getItems());
        all.addAll(client.network()
                .v1()
                .networkPolicies()
                .inNamespace(namespace)
                .list()
                .getItems());
        all.addAll(client.secrets().inAnyNamespace().list().getItems());
        all.addAll(client.resources(Gateway.class).inAnyNamespace().list().getItems());
        all.addAll(
                client.resources(VirtualService.class).inAnyNamespace().list().getItems());
        all.addAll(
                client.resources(ServiceInstance.class).inAnyNamespace().list().getItems());
        all.addAll(
                client.resources(ServiceBinding.class).inAnyNamespace().list().getItems());
        all.forEach(o -> versions.put(
                o.getKind() + "/" + o.getMetadata().getNamespace() + "/"
                        + o.getMetadata().getName(),
                o.getMetadata().getResourceVersion()));
        return versions;
    }

    /** JOSDK's per-resource reconciliation counter, as the operator's /q/metrics exposes it. */
    private double reconciliations() {
        return meters
                .find("operator.sdk.reconciliations.started")
                .tag("name", NAME)
                .tag("namespace", NS)
                .counters()
                .stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private void drainRequests() throws InterruptedException {
        while (server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS) != null) {
            // discard what happened before the measured window
        }
    }

    private List<String> writes() throws InterruptedException {
        List<String> writes = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (!"GET".equals(request.getMethod())) {
                writes.add(request.getMethod() + " " + request.getPath());
            }
        }
        return writes;
    }

    private List<String> eventReasons(String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> NAME.equals(e.getInvolvedObject().getName()))
                .map(io.fabric8.kubernetes.api.model.Event::getReason)
                .collect(Collectors.toList());
    }

    private <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
        return client.resources(type).inNamespace(namespace).withName(name).get();
    }

    private Container container(String workload) {
        return cluster.template(NS, workload).getSpec().getContainers().get(0);
    }

    static Map<String, Integer> ports(Service service) {
        return service.getSpec().getPorts().stream()
                .collect(Collectors.toMap(ServicePort::getName, ServicePort::getPort));
    }

    static Map<String, String> env(Container container) {
        return container.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }
}
