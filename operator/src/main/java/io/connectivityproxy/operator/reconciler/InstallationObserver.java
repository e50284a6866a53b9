package io.connectivityproxy.operator.reconciler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.dependent.InstallationInputs;
import io.connectivityproxy.operator.model.DependentNames;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Observation;
import io.connectivityproxy.operator.model.WorkloadObservation;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;

/** Turns the workflow's result and the dependents' caches into an {@link Observation}. Reads caches only. */
final class InstallationObserver {

    private InstallationObserver() {}

    static Observation observe(
            ConnectivityProxy cr,
            Context<ConnectivityProxy> context,
            InstallationInputs inputs,
            WorkflowReconcileResult result) {
        Map<String, String> failed = new LinkedHashMap<>();
        result.getErroredDependents().forEach((dependent, error) -> failed.put(dependent.name(), rootMessage(error)));

        Map<String, Boolean> present = new LinkedHashMap<>();
        for (String name : List.of(
                DependentNames.CA_SECRET,
                DependentNames.CONNECTOR_CA_SECRET,
                DependentNames.CLUSTER_CA_SECRET,
                DependentNames.CLUSTER_TLS_SECRET,
                DependentNames.INFO_CONFIG_MAP,
                DependentNames.PROXY_SERVICE,
                DependentNames.TUNNEL_SERVICE,
                DependentNames.CLUSTER_SERVICE,
                DependentNames.PROXY_NETWORK_POLICY,
                DependentNames.TUNNEL_NETWORK_POLICY)) {
            present.put(name, secondary(cr, context, result, name).isPresent());
        }
        if (inputs.gatewayTlsActive()) {
            present.put(
                    DependentNames.GATEWAY_TLS_SECRET,
                    secondary(cr, context, result, DependentNames.GATEWAY_TLS_SECRET)
                            .isPresent());
        }
        if (inputs.ingressActive()) {
            present.put(
                    DependentNames.GATEWAY,
                    secondary(cr, context, result, DependentNames.GATEWAY).isPresent());
            present.put(
                    DependentNames.VIRTUAL_SERVICE,
                    secondary(cr, context, result, DependentNames.VIRTUAL_SERVICE)
                            .isPresent());
            present.put(
                    DependentNames.HEALTHCHECK_VIRTUAL_SERVICE,
                    secondary(cr, context, result, DependentNames.HEALTHCHECK_VIRTUAL_SERVICE)
                            .isPresent());
        }
        WorkloadObservation proxy = WorkloadObservation.absent(Labels.PROXY_SERVICE);
        WorkloadObservation tunnel = WorkloadObservation.absent(Labels.TUNNEL_SERVICE);
        if (inputs.workloadsActive()) {
            proxy = workload(Labels.PROXY_SERVICE, secondary(cr, context, result, DependentNames.PROXY_DEPLOYMENT));
            tunnel =
                    workload(Labels.TUNNEL_SERVICE, secondary(cr, context, result, DependentNames.TUNNEL_STATEFUL_SET));
        }
        return new Observation(
                generation(cr),
                Optional.empty(),
                List.of(),
                inputs.facts(),
                inputs.resolved(),
                failed,
                present,
                proxy,
                tunnel,
                ServiceMappingWatch.observe(cr, context));
    }

    static long generation(ConnectivityProxy cr) {
        return cr.getMetadata().getGeneration() == null ? 0L : cr.getMetadata().getGeneration();
    }

    private static WorkloadObservation workload(String component, Optional<?> secondary) {
        if (secondary.isEmpty()) {
            return WorkloadObservation.absent(component);
        }
        return secondary.get() instanceof StatefulSet statefulSet
                ? WorkloadObservation.of(component, statefulSet)
                : WorkloadObservation.of(component, (Deployment) secondary.get());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Optional<?> secondary(
            ConnectivityProxy cr, Context<ConnectivityProxy> context, WorkflowReconcileResult result, String name) {
        Optional<DependentResource> dependent = result.getDependentResourceByName(name);
        if (dependent.isEmpty()) {
            return Optional.empty();
        }
        try {
            return dependent.get().getSecondaryResource(cr, context);
        } catch (RuntimeException e) {
            // A dependent whose informer is not running (inactive) has nothing to show.
            return Optional.empty();
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
