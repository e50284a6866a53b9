package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.HighAvailability;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** HorizontalPodAutoscaler {@code connectivity-proxy}: proxy-service, while autoscaling.horizontal is enabled. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ProxyAutoscalerDependent extends OwnedDependent<HorizontalPodAutoscaler> {

    public ProxyAutoscalerDependent() {
        super(HorizontalPodAutoscaler.class, Names.PROXY);
    }

    @Override
    protected HorizontalPodAutoscaler desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return HighAvailability.proxyAutoscaler(primary);
    }
}
