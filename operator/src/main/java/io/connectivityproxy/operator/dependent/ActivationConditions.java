package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Activation conditions of the optional dependents. An inactive dependent is neither created nor
 * deleted and has no informer, which is what a missing Istio or btp-operator CRD requires.
 */
public final class ActivationConditions {

    private ActivationConditions() {}

    /** Istio is installed and the external host is known. */
    public static class IngressActive implements Condition<Object, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<Object, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return InstallationInputs.from(context).ingressActive();
        }
    }

    /** The gateway certificate is to be generated. */
    public static class GatewayTlsActive implements Condition<Object, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<Object, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return InstallationInputs.from(context).gatewayTlsActive();
        }
    }

    /** The service key is to be provisioned through btp-operator. */
    public static class ServiceKeyProvisioningActive implements Condition<Object, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<Object, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return InstallationInputs.from(context).serviceKeyProvisioningActive();
        }
    }

    /** The workloads can be rendered. */
    public static class WorkloadsActive implements Condition<Object, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<Object, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return InstallationInputs.from(context).workloadsActive();
        }
    }
}
