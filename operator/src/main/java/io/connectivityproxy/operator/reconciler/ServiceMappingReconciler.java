package io.connectivityproxy.operator.reconciler;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.api.ServiceMappingStatus;
import io.connectivityproxy.operator.model.ServiceMappings;
import io.connectivityproxy.operator.model.SingleInstallation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Accepts or rejects each ServiceMapping against the installation (tenant mode, service channels)
 * and writes its status; the installation's ConfigMap carries the accepted ones to tunnel-service.
 */
@ControllerConfiguration(name = ServiceMappingReconciler.NAME,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = java.util.concurrent.TimeUnit.MINUTES))
public class ServiceMappingReconciler implements Reconciler<ServiceMapping> {

    public static final String NAME = "servicemapping";

    @Inject
    KubernetesClient client;
    @Inject
    Clock clock;

    @Override
    public UpdateControl<ServiceMapping> reconcile(ServiceMapping mapping, Context<ServiceMapping> context) {
        List<ConnectivityProxy> all = client.resources(ConnectivityProxy.class).inAnyNamespace().list().getItems();
        Optional<ConnectivityProxy> installation = all.stream()
                .filter(cp -> SingleInstallation.otherActive(cp, all).isEmpty())
                .findFirst();
        ServiceMappingStatus status = ServiceMappings.status(mapping, ServiceMappings.problems(mapping.getSpec(), installation),
                clock.instant());
        if (status.equals(mapping.getStatus())) {
            return UpdateControl.noUpdate();
        }
        mapping.setStatus(status);
        return UpdateControl.patchStatus(mapping);
    }
}
