package io.connectivityproxy.operator.reconciler;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.ServiceKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Reads the cluster facts the installation depends on but does not own. Every read is a plain GET. */
@ApplicationScoped
public class ClusterInspector {

    @Inject
    KubernetesClient client;

    public boolean istioInstalled() {
        return crdExists(Names.ISTIO_GATEWAY_CRD) && crdExists(Names.ISTIO_VIRTUAL_SERVICE_CRD);
    }

    public boolean btpOperatorInstalled() {
        return crdExists(Names.BTP_SERVICE_INSTANCE_CRD) && crdExists(Names.BTP_SERVICE_BINDING_CRD);
    }

    /** Kyma's cluster domain from {@code kube-system/shoot-info}. */
    public Optional<String> clusterDomain() {
        ConfigMap shootInfo = client.configMaps()
                .inNamespace(Names.SHOOT_INFO_NAMESPACE)
                .withName(Names.SHOOT_INFO_CONFIG_MAP)
                .get();
        return Optional.ofNullable(shootInfo)
                .map(ConfigMap::getData)
                .map(data -> data.get(Names.SHOOT_INFO_DOMAIN_KEY))
                .filter(domain -> !domain.isBlank());
    }

    /** The service key Secret's values, if the Secret exists. */
    public Optional<ServiceKey> serviceKey(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, String> decoded = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData()
                    .forEach((k, v) ->
                            decoded.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            decoded.putAll(secret.getStringData());
        }
        return Optional.of(ServiceKey.fromSecretData(decoded));
    }

    private boolean crdExists(String name) {
        return client.resources(CustomResourceDefinition.class).withName(name).get() != null;
    }
}
