package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.ClusterFacts;
import io.connectivityproxy.operator.model.ResolvedConfig;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * What the reconciler found out before running the workflow, handed to the dependents and their
 * conditions through the workflow context. During cleanup every dependent whose resource type
 * exists is active, so that nothing the operator created is left behind.
 */
public record InstallationInputs(ClusterFacts facts, ResolvedConfig resolved, boolean cleanup) {

    private static final String KEY = InstallationInputs.class.getName();

    public void putInto(Context<ConnectivityProxy> context) {
        context.managedWorkflowAndDependentResourceContext().put(KEY, this);
    }

    public static InstallationInputs from(Context<ConnectivityProxy> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(KEY, InstallationInputs.class);
    }

    /** Gateway and VirtualService: need Istio and, to be rendered, the external host. */
    public boolean ingressActive() {
        return facts.istioInstalled() && (cleanup || resolved.externalHost().isPresent());
    }

    /** The generated gateway certificate: as the ingress, and only when the TLS secret is auto-provisioned. */
    public boolean gatewayTlsActive() {
        return ingressActive() && (cleanup || resolved.generateGatewayTls());
    }

    /** ServiceInstance and ServiceBinding: need btp-operator, and only when the service key is auto-provisioned. */
    public boolean serviceKeyProvisioningActive() {
        return facts.btpOperatorInstalled() && (cleanup || resolved.provisionServiceKey());
    }

    /** The workloads (Deployment and StatefulSet): need the subaccount (dedicated mode). */
    public boolean workloadsActive() {
        return cleanup || resolved.workloadsRenderable();
    }
}
