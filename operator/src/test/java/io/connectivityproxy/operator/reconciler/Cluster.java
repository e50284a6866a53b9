package io.connectivityproxy.operator.reconciler;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.State;
import io.connectivityproxy.operator.model.Names;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** What the tests do to the mock cluster: what other modules, controllers and users would do. */
final class Cluster {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KubernetesClient client;

    Cluster(KubernetesClient client) {
        this.client = client;
    }

    /** The istio module's CRDs, as far as the operator looks at them. */
    void installIstio() {
        crd("networking.istio.io", "gateways", "Gateway");
        crd("networking.istio.io", "virtualservices", "VirtualService");
    }

    void uninstallIstio() {
        deleteCrd(Names.ISTIO_GATEWAY_CRD);
        deleteCrd(Names.ISTIO_VIRTUAL_SERVICE_CRD);
    }

    /** The btp-operator module's CRDs. */
    void installBtpOperator() {
        crd("services.cloud.sap.com", "serviceinstances", "ServiceInstance");
        crd("services.cloud.sap.com", "servicebindings", "ServiceBinding");
    }

    void uninstallBtpOperator() {
        deleteCrd(Names.BTP_SERVICE_INSTANCE_CRD);
        deleteCrd(Names.BTP_SERVICE_BINDING_CRD);
    }

    /** Kyma's shoot-info ConfigMap with the cluster domain. */
    void shootInfo(String domain) {
        client.configMaps()
                .inNamespace(Names.SHOOT_INFO_NAMESPACE)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(Names.SHOOT_INFO_CONFIG_MAP)
                        .withNamespace(Names.SHOOT_INFO_NAMESPACE)
                        .endMetadata()
                        .withData(Map.of(Names.SHOOT_INFO_DOMAIN_KEY, domain))
                        .build())
                .createOr(existing -> existing.update());
    }

    /** The XSUAA tenant of the service key btp-operator writes here. */
    static final String UAA_URL = "https://my-subdomain.authentication.eu10.hana.ondemand.com";

    /** What btp-operator writes once the ServiceBinding is bound: the connectivity service key, one key per property. */
    void serviceKeySecret(String namespace, String subaccountId, String subdomain) {
        client.secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.SERVICE_KEY_SECRET)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withData(Map.of(
                                "subaccount_id",
                                b64(subaccountId),
                                "subaccount_subdomain",
                                b64(subdomain),
                                "clientid",
                                b64("sb-client"),
                                "clientsecret",
                                b64("not-a-real-secret"),
                                "url",
                                b64(UAA_URL),
                                "uaadomain",
                                b64("authentication.eu10.hana.ondemand.com")))
                        .build())
                .createOr(existing -> existing.update());
    }

    /**
     * What the workload's controller reports once all pods of the current template are ready: the
     * StatefulSet controller for tunnel-service, the Deployment controller otherwise.
     */
    void rolledOut(String namespace, String name) {
        if (Names.TUNNEL.equals(name)) {
            tunnelReady(namespace, null);
            return;
        }
        await().atMost(TIMEOUT).until(() -> deployment(namespace, name) != null);
        client.apps().deployments().inNamespace(namespace).withName(name).editStatus(d -> {
            int replicas = d.getSpec().getReplicas();
            d.setStatus(new DeploymentStatusBuilder()
                    .withObservedGeneration(d.getMetadata().getGeneration())
                    .withReplicas(replicas)
                    .withReadyReplicas(replicas)
                    .withUpdatedReplicas(replicas)
                    .withAvailableReplicas(replicas)
                    .build());
            return d;
        });
    }

    /**
     * What the StatefulSet controller reports when {@code ready} pods (null: all) of the tunnel
     * StatefulSet's current template are ready.
     */
    void tunnelReady(String namespace, Integer ready) {
        await().atMost(TIMEOUT).until(() -> statefulSet(namespace, Names.TUNNEL) != null);
        client.apps()
                .statefulSets()
                .inNamespace(namespace)
                .withName(Names.TUNNEL)
                .editStatus(s -> {
                    int replicas = s.getSpec().getReplicas();
                    int count = ready == null ? replicas : ready;
                    s.setStatus(new StatefulSetStatusBuilder()
                            .withObservedGeneration(s.getMetadata().getGeneration())
                            .withReplicas(replicas)
                            .withReadyReplicas(count)
                            .withCurrentReplicas(replicas)
                            .withUpdatedReplicas(replicas)
                            .withAvailableReplicas(count)
                            .build());
                    return s;
                });
    }

    /** Creates {@code cr}, plays btp-operator and the workload controllers, and waits until it is Ready. */
    void installReady(ConnectivityProxy cr) {
        String namespace = cr.getMetadata().getNamespace();
        client.resource(cr).create();
        serviceKeySecret(namespace, "0a1b2c3d-sub", "my-subdomain");
        await().atMost(TIMEOUT)
                .until(() ->
                        deployment(namespace, Names.PROXY) != null && statefulSet(namespace, Names.TUNNEL) != null);
        rolledOut(namespace, Names.PROXY);
        rolledOut(namespace, Names.TUNNEL);
        awaitStatus(namespace, cr.getMetadata().getName(), s -> s.getState() == State.Ready);
    }

    Deployment deployment(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    StatefulSet statefulSet(String namespace, String name) {
        return client.apps()
                .statefulSets()
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** The pod template of proxy-service's Deployment or tunnel-service's StatefulSet; null while there is none. */
    PodTemplateSpec template(String namespace, String name) {
        if (Names.TUNNEL.equals(name)) {
            StatefulSet statefulSet = statefulSet(namespace, name);
            return statefulSet == null ? null : statefulSet.getSpec().getTemplate();
        }
        Deployment deployment = deployment(namespace, name);
        return deployment == null ? null : deployment.getSpec().getTemplate();
    }

    /** The resource once the API server has it (with its uid). */
    ConnectivityProxy awaitCp(String namespace, String name) {
        await().atMost(TIMEOUT).until(() -> cp(namespace, name) != null);
        return cp(namespace, name);
    }

    ConnectivityProxy cp(String namespace, String name) {
        return client.resources(ConnectivityProxy.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    ConnectivityProxyStatus awaitStatus(
            String namespace, String name, java.util.function.Predicate<ConnectivityProxyStatus> test) {
        await().atMost(TIMEOUT).until(() -> {
            ConnectivityProxy cp = cp(namespace, name);
            return cp != null
                    && cp.getStatus() != null
                    && cp.getStatus().getState() != null
                    && test.test(cp.getStatus());
        });
        return cp(namespace, name).getStatus();
    }

    static Condition condition(ConnectivityProxyStatus status, String type) {
        return status.getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + status.getConditions()));
    }

    static String hashOf(Deployment deployment) {
        return hashOf(deployment.getSpec().getTemplate());
    }

    static String hashOf(StatefulSet statefulSet) {
        return hashOf(statefulSet.getSpec().getTemplate());
    }

    static String hashOf(PodTemplateSpec template) {
        return template.getMetadata().getAnnotations().get(Names.CONFIG_HASH_ANNOTATION);
    }

    List<ConnectivityProxy> allCps() {
        return client.resources(ConnectivityProxy.class).inAnyNamespace().list().getItems();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private void crd(String group, String plural, String kind) {
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .resource(new CustomResourceDefinitionBuilder()
                        .withNewMetadata()
                        .withName(plural + "." + group)
                        .endMetadata()
                        .withNewSpec()
                        .withGroup(group)
                        .withScope("Namespaced")
                        .withNewNames()
                        .withPlural(plural)
                        .withKind(kind)
                        .withSingular(kind.toLowerCase())
                        .endNames()
                        .addNewVersion()
                        .withName("v1")
                        .withServed(true)
                        .withStorage(true)
                        .withNewSchema()
                        .withNewOpenAPIV3Schema()
                        .withType("object")
                        .withXKubernetesPreserveUnknownFields(true)
                        .endOpenAPIV3Schema()
                        .endSchema()
                        .endVersion()
                        .endSpec()
                        .build())
                .createOr(existing -> existing.update());
    }

    private void deleteCrd(String name) {
        client.apiextensions().v1().customResourceDefinitions().withName(name).delete();
    }
}
