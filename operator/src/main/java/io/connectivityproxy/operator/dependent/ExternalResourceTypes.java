package io.connectivityproxy.operator.dependent;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.connectivityproxy.operator.model.btp.ServiceBinding;
import io.connectivityproxy.operator.model.btp.ServiceInstance;
import io.connectivityproxy.operator.model.istio.Gateway;
import io.connectivityproxy.operator.model.istio.VirtualService;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Teaches the client's deserializer the Istio and btp-operator kinds, which otherwise come back
 * as GenericKubernetesResource. The dependents of those kinds inject this bean, so registration
 * happens before their informers start.
 *
 * <p>The native executable needs them registered for reflection too, with their nested spec
 * records: the spec sits behind ExternalResource's type parameter, so Quarkus does not find those
 * records from the resource classes, and Jackson could not build one from a watch event. The
 * registration lives here because the model stays free of Quarkus (ArchitectureTest).
 */
@Singleton
@RegisterForReflection(
        targets = {Gateway.class, VirtualService.class, ServiceInstance.class, ServiceBinding.class},
        ignoreNested = false)
public class ExternalResourceTypes {

    @Inject
    KubernetesClient client;

    @PostConstruct
    void register() {
        client.getKubernetesSerialization().registerKubernetesResource(Gateway.class);
        client.getKubernetesSerialization().registerKubernetesResource(VirtualService.class);
        client.getKubernetesSerialization().registerKubernetesResource(ServiceInstance.class);
        client.getKubernetesSerialization().registerKubernetesResource(ServiceBinding.class);
    }
}
