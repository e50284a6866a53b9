package io.connectivityproxy.operator.dependent;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.connectivityproxy.operator.model.btp.ServiceBinding;
import io.connectivityproxy.operator.model.btp.ServiceInstance;
import io.connectivityproxy.operator.model.istio.Gateway;
import io.connectivityproxy.operator.model.istio.VirtualService;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Teaches the client's deserializer the Istio and btp-operator kinds, which otherwise come back
 * as GenericKubernetesResource. The dependents of those kinds inject this bean, so registration
 * happens before their informers start.
 */
@Singleton
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
