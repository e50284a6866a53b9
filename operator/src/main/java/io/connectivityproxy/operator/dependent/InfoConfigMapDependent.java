package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.InfoConfigMap;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** ConfigMap {@code connectivity-proxy-info} (SAP's keys). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class InfoConfigMapDependent extends OwnedDependent<ConfigMap> {

    public InfoConfigMapDependent() {
        super(ConfigMap.class, Names.INFO_CONFIG_MAP);
    }

    @Override
    protected ConfigMap desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return InfoConfigMap.desired(primary);
    }
}
