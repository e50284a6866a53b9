package io.connectivityproxy.operator.reconciler;

import static io.connectivityproxy.operator.model.DependentNames.CA_SECRET;
import static io.connectivityproxy.operator.model.DependentNames.CLUSTER_CA_SECRET;
import static io.connectivityproxy.operator.model.DependentNames.CLUSTER_SERVICE;
import static io.connectivityproxy.operator.model.DependentNames.CLUSTER_TLS_SECRET;
import static io.connectivityproxy.operator.model.DependentNames.CONNECTOR_CA_SECRET;
import static io.connectivityproxy.operator.model.DependentNames.GATEWAY;
import static io.connectivityproxy.operator.model.DependentNames.GATEWAY_TLS_SECRET;
import static io.connectivityproxy.operator.model.DependentNames.HEALTHCHECK_VIRTUAL_SERVICE;
import static io.connectivityproxy.operator.model.DependentNames.INFO_CONFIG_MAP;
import static io.connectivityproxy.operator.model.DependentNames.LEGACY_TUNNEL_DEPLOYMENT;
import static io.connectivityproxy.operator.model.DependentNames.PROXY_AUTOSCALER;
import static io.connectivityproxy.operator.model.DependentNames.PROXY_DEPLOYMENT;
import static io.connectivityproxy.operator.model.DependentNames.PROXY_DISRUPTION_BUDGET;
import static io.connectivityproxy.operator.model.DependentNames.PROXY_NETWORK_POLICY;
import static io.connectivityproxy.operator.model.DependentNames.PROXY_SERVICE;
import static io.connectivityproxy.operator.model.DependentNames.SERVICE_BINDING;
import static io.connectivityproxy.operator.model.DependentNames.SERVICE_INSTANCE;
import static io.connectivityproxy.operator.model.DependentNames.TUNNEL_CLUSTER_ROLE;
import static io.connectivityproxy.operator.model.DependentNames.TUNNEL_CLUSTER_ROLE_BINDING;
import static io.connectivityproxy.operator.model.DependentNames.TUNNEL_DISRUPTION_BUDGET;
import static io.connectivityproxy.operator.model.DependentNames.TUNNEL_NETWORK_POLICY;
import static io.connectivityproxy.operator.model.DependentNames.TUNNEL_REPLICA_SERVICES;
import static io.connectivityproxy.operator.model.DependentNames.TUNNEL_SERVICE;
import static io.connectivityproxy.operator.model.DependentNames.TUNNEL_SERVICE_ACCOUNT;
import static io.connectivityproxy.operator.model.DependentNames.TUNNEL_STATEFUL_SET;
import static io.connectivityproxy.operator.model.DependentNames.VIRTUAL_SERVICE;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.State;
import io.connectivityproxy.operator.config.OperatorConfig;
import io.connectivityproxy.operator.dependent.ActivationConditions.GatewayTlsActive;
import io.connectivityproxy.operator.dependent.ActivationConditions.IngressActive;
import io.connectivityproxy.operator.dependent.ActivationConditions.ServiceKeyProvisioningActive;
import io.connectivityproxy.operator.dependent.ActivationConditions.WorkloadsActive;
import io.connectivityproxy.operator.dependent.CaSecretDependent;
import io.connectivityproxy.operator.dependent.ClusterCaSecretDependent;
import io.connectivityproxy.operator.dependent.ClusterServiceDependent;
import io.connectivityproxy.operator.dependent.ClusterTlsSecretDependent;
import io.connectivityproxy.operator.dependent.ConnectorCaSecretDependent;
import io.connectivityproxy.operator.dependent.GatewayDependent;
import io.connectivityproxy.operator.dependent.GatewayTlsSecretDependent;
import io.connectivityproxy.operator.dependent.HealthcheckVirtualServiceDependent;
import io.connectivityproxy.operator.dependent.HighAvailabilityConditions.ProxyAutoscaled;
import io.connectivityproxy.operator.dependent.HighAvailabilityConditions.Replicated;
import io.connectivityproxy.operator.dependent.InfoConfigMapDependent;
import io.connectivityproxy.operator.dependent.InstallationInputs;
import io.connectivityproxy.operator.dependent.LegacyTunnelDeploymentDependent;
import io.connectivityproxy.operator.dependent.ProxyAutoscalerDependent;
import io.connectivityproxy.operator.dependent.ProxyDeploymentDependent;
import io.connectivityproxy.operator.dependent.ProxyDisruptionBudgetDependent;
import io.connectivityproxy.operator.dependent.ProxyNetworkPolicyDependent;
import io.connectivityproxy.operator.dependent.ProxyServiceDependent;
import io.connectivityproxy.operator.dependent.ServiceBindingDependent;
import io.connectivityproxy.operator.dependent.ServiceInstanceDependent;
import io.connectivityproxy.operator.dependent.TunnelClusterRoleBindingDependent;
import io.connectivityproxy.operator.dependent.TunnelClusterRoleDependent;
import io.connectivityproxy.operator.dependent.TunnelDisruptionBudgetDependent;
import io.connectivityproxy.operator.dependent.TunnelNetworkPolicyDependent;
import io.connectivityproxy.operator.dependent.TunnelReplicaServicesDependent;
import io.connectivityproxy.operator.dependent.TunnelServiceAccountDependent;
import io.connectivityproxy.operator.dependent.TunnelServiceDependent;
import io.connectivityproxy.operator.dependent.TunnelStatefulSetDependent;
import io.connectivityproxy.operator.dependent.TunnelUpgradeConditions.ReplacementNotReady;
import io.connectivityproxy.operator.dependent.VirtualServiceDependent;
import io.connectivityproxy.operator.model.ClusterFacts;
import io.connectivityproxy.operator.model.ConfigResolver;
import io.connectivityproxy.operator.model.Observation;
import io.connectivityproxy.operator.model.ResolvedConfig;
import io.connectivityproxy.operator.model.SingleInstallation;
import io.connectivityproxy.operator.model.SpecValidator;
import io.connectivityproxy.operator.model.StatusCalculator;
import io.connectivityproxy.operator.model.StatusEvents;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.KubernetesResourceDeletedCondition;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowCleanupResult;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;

/**
 * Reconciles the one ConnectivityProxy into an installation (design.md section 6). The objects are
 * the workflow's dependents, each with a pure desired(); this class decides whether the workflow
 * may run at all (one installation per cluster, a valid spec), gathers the cluster facts it
 * needs, and computes the status and Events from what the workflow left.
 */
@Workflow(
        explicitInvocation = true,
        handleExceptionsInReconciler = true,
        dependents = {
            @Dependent(name = CA_SECRET, type = CaSecretDependent.class),
            @Dependent(name = CONNECTOR_CA_SECRET, type = ConnectorCaSecretDependent.class),
            @Dependent(
                    name = GATEWAY_TLS_SECRET,
                    type = GatewayTlsSecretDependent.class,
                    dependsOn = {CA_SECRET, CONNECTOR_CA_SECRET},
                    activationCondition = GatewayTlsActive.class),
            @Dependent(name = CLUSTER_CA_SECRET, type = ClusterCaSecretDependent.class),
            @Dependent(
                    name = CLUSTER_TLS_SECRET,
                    type = ClusterTlsSecretDependent.class,
                    dependsOn = CLUSTER_CA_SECRET),
            @Dependent(name = INFO_CONFIG_MAP, type = InfoConfigMapDependent.class),
            @Dependent(name = PROXY_SERVICE, type = ProxyServiceDependent.class),
            @Dependent(name = TUNNEL_SERVICE, type = TunnelServiceDependent.class),
            @Dependent(name = CLUSTER_SERVICE, type = ClusterServiceDependent.class),
            @Dependent(name = PROXY_NETWORK_POLICY, type = ProxyNetworkPolicyDependent.class),
            @Dependent(name = TUNNEL_NETWORK_POLICY, type = TunnelNetworkPolicyDependent.class),
            @Dependent(
                    name = PROXY_DEPLOYMENT,
                    type = ProxyDeploymentDependent.class,
                    dependsOn = CLUSTER_TLS_SECRET,
                    activationCondition = WorkloadsActive.class),
            @Dependent(name = TUNNEL_SERVICE_ACCOUNT, type = TunnelServiceAccountDependent.class),
            @Dependent(name = TUNNEL_CLUSTER_ROLE, type = TunnelClusterRoleDependent.class),
            @Dependent(
                    name = TUNNEL_CLUSTER_ROLE_BINDING,
                    type = TunnelClusterRoleBindingDependent.class,
                    dependsOn = {TUNNEL_SERVICE_ACCOUNT, TUNNEL_CLUSTER_ROLE}),
            @Dependent(
                    name = TUNNEL_STATEFUL_SET,
                    type = TunnelStatefulSetDependent.class,
                    dependsOn = {CLUSTER_TLS_SECRET, TUNNEL_CLUSTER_ROLE_BINDING},
                    activationCondition = WorkloadsActive.class),
            @Dependent(name = TUNNEL_REPLICA_SERVICES, type = TunnelReplicaServicesDependent.class),
            // An older operator's tunnel Deployment: deleted once the StatefulSet that replaces it is ready.
            @Dependent(
                    name = LEGACY_TUNNEL_DEPLOYMENT,
                    type = LegacyTunnelDeploymentDependent.class,
                    reconcilePrecondition = ReplacementNotReady.class),
            @Dependent(name = GATEWAY, type = GatewayDependent.class, activationCondition = IngressActive.class),
            @Dependent(
                    name = VIRTUAL_SERVICE,
                    type = VirtualServiceDependent.class,
                    activationCondition = IngressActive.class),
            @Dependent(
                    name = HEALTHCHECK_VIRTUAL_SERVICE,
                    type = HealthcheckVirtualServiceDependent.class,
                    activationCondition = IngressActive.class),
            @Dependent(
                    name = SERVICE_INSTANCE,
                    type = ServiceInstanceDependent.class,
                    activationCondition = ServiceKeyProvisioningActive.class,
                    deletePostcondition = KubernetesResourceDeletedCondition.class),
            @Dependent(
                    name = SERVICE_BINDING,
                    type = ServiceBindingDependent.class,
                    dependsOn = SERVICE_INSTANCE,
                    activationCondition = ServiceKeyProvisioningActive.class,
                    deletePostcondition = KubernetesResourceDeletedCondition.class),
            // High availability: deleted again when the precondition no longer holds.
            @Dependent(
                    name = PROXY_DISRUPTION_BUDGET,
                    type = ProxyDisruptionBudgetDependent.class,
                    reconcilePrecondition = Replicated.class),
            @Dependent(
                    name = TUNNEL_DISRUPTION_BUDGET,
                    type = TunnelDisruptionBudgetDependent.class,
                    reconcilePrecondition = Replicated.class),
            @Dependent(
                    name = PROXY_AUTOSCALER,
                    type = ProxyAutoscalerDependent.class,
                    reconcilePrecondition = ProxyAutoscaled.class),
        })
@ControllerConfiguration(name = ConnectivityProxyReconciler.NAME)
public class ConnectivityProxyReconciler implements Reconciler<ConnectivityProxy>, Cleaner<ConnectivityProxy> {

    public static final String NAME = "connectivityproxy";
    private static final Logger LOG = Logger.getLogger(ConnectivityProxyReconciler.class);

    @Inject
    ClusterInspector inspector;

    @Inject
    EventRecorder events;

    @Inject
    OperatorConfig config;

    @Inject
    Clock clock;

    @Override
    public List<EventSource<?, ConnectivityProxy>> prepareEventSources(EventSourceContext<ConnectivityProxy> context) {
        List<EventSource<?, ConnectivityProxy>> sources = new java.util.ArrayList<>(RestartWatch.eventSources(context));
        sources.add(ServiceMappingWatch.eventSource(context));
        return sources;
    }

    @Override
    public UpdateControl<ConnectivityProxy> reconcile(ConnectivityProxy cr, Context<ConnectivityProxy> context) {
        long generation = InstallationObserver.generation(cr);
        Optional<String> active = SingleInstallation.otherActive(
                cr, context.getPrimaryCache().list().collect(Collectors.toList()));
        if (active.isPresent()) {
            return publish(cr, Observation.duplicate(generation, active.get()));
        }
        List<String> violations = SpecValidator.validate(cr.getSpec());
        if (!violations.isEmpty()) {
            return publish(cr, Observation.invalid(generation, violations));
        }
        InstallationInputs inputs = inputs(cr, context);
        inputs.putInto(context);
        WorkflowReconcileResult result =
                context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        result.getErroredDependents()
                .forEach((dependent, error) -> LOG.warnf(
                        error,
                        "%s/%s: dependent %s failed",
                        cr.getMetadata().getNamespace(),
                        cr.getMetadata().getName(),
                        dependent.name()));
        return publish(cr, InstallationObserver.observe(cr, context, inputs, result));
    }

    @Override
    public DeleteControl cleanup(ConnectivityProxy cr, Context<ConnectivityProxy> context) {
        if (SingleInstallation.otherActive(cr, context.getPrimaryCache().list().collect(Collectors.toList()))
                .isPresent()) {
            // A duplicate never installed anything; cleaning up would delete the installation's objects.
            return DeleteControl.defaultDelete();
        }
        markDeleting(cr, context);
        ClusterFacts facts = new ClusterFacts(
                inspector.istioInstalled(), inspector.btpOperatorInstalled(), Optional.empty(), Optional.empty(), "");
        new InstallationInputs(facts, null, true).putInto(context);
        WorkflowCleanupResult result =
                context.managedWorkflowAndDependentResourceContext().cleanupManageWorkflow();
        if (result.erroredDependentsExist() || !result.allPostConditionsMet()) {
            // btp-operator keeps its resources until BTP confirms; wait for them rather than orphan them.
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(config.retryInterval());
        }
        events.record(cr, "Normal", "Deleted", "everything the operator created for this installation is removed");
        return DeleteControl.defaultDelete();
    }

    private InstallationInputs inputs(ConnectivityProxy cr, Context<ConnectivityProxy> context) {
        String namespace = cr.getMetadata().getNamespace();
        String serviceKeySecret = ConfigResolver.serviceKeySecretName(cr.getSpec());
        ClusterFacts facts = new ClusterFacts(
                inspector.istioInstalled(),
                inspector.btpOperatorInstalled(),
                inspector.clusterDomain(),
                inspector.serviceKey(namespace, serviceKeySecret),
                RestartWatch.fingerprint(cr, context));
        ResolvedConfig resolved = ConfigResolver.resolve(cr, facts);
        return new InstallationInputs(facts, resolved, false);
    }

    /** Writes status and Events only when something changed, so a quiet cluster sees no writes. */
    private UpdateControl<ConnectivityProxy> publish(ConnectivityProxy cr, Observation observation) {
        ConnectivityProxyStatus before = cr.getStatus();
        ConnectivityProxyStatus after = StatusCalculator.compute(
                observation, before == null ? List.of() : before.getConditions(), clock.instant());
        UpdateControl<ConnectivityProxy> control;
        if (after.equals(before)) {
            control = UpdateControl.noUpdate();
        } else {
            StatusEvents.between(before, after).forEach(e -> events.record(cr, e.type(), e.reason(), e.message()));
            cr.setStatus(after);
            control = UpdateControl.patchStatus(cr);
        }
        // Missing modules, secrets and pods are looked at again; a Ready installation waits for events.
        return after.getState() == State.Ready ? control : control.rescheduleAfter(config.retryInterval());
    }

    private void markDeleting(ConnectivityProxy cr, Context<ConnectivityProxy> context) {
        if (cr.getStatus() != null && cr.getStatus().getState() == State.Deleting) {
            return;
        }
        events.record(cr, "Normal", "Deleting", "removing everything the operator created for this installation");
        try {
            context.getClient()
                    .resources(ConnectivityProxy.class)
                    .inNamespace(cr.getMetadata().getNamespace())
                    .withName(cr.getMetadata().getName())
                    .editStatus(current -> {
                        if (current.getStatus() == null) {
                            current.setStatus(new ConnectivityProxyStatus());
                        }
                        current.getStatus().setState(State.Deleting);
                        return current;
                    });
        } catch (KubernetesClientException e) {
            // The state is informational; the cleanup itself must go on.
            LOG.debugf("could not mark %s as Deleting: %s", cr.getMetadata().getName(), e.getMessage());
        }
    }
}
