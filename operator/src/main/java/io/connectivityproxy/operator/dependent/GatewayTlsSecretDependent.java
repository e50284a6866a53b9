package io.connectivityproxy.operator.dependent;

import java.time.Clock;
import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.config.OperatorConfig;
import io.connectivityproxy.operator.model.DependentNames;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.ResolvedConfig;
import io.connectivityproxy.operator.model.TlsSecrets;
import io.connectivityproxy.operator.tls.CertificateIssuer;
import io.connectivityproxy.operator.tls.KeyAndCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The gateway's server certificate, in the ingress namespace (Istio reads credentialName there).
 * Depends on both CA Secrets, which the workflow creates first.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class GatewayTlsSecretDependent extends OwnedDependent<Secret> {

    @Inject
    CertificateIssuer issuer;

    @Inject
    OperatorConfig config;

    @Inject
    Clock clock;

    public GatewayTlsSecretDependent() {
        super(Secret.class, Names.GATEWAY_TLS_SECRET);
    }

    @Override
    protected String namespaceOf(ConnectivityProxy primary) {
        return config.ingressNamespace();
    }

    @Override
    protected Secret desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        ResolvedConfig resolved = InstallationInputs.from(context).resolved();
        KeyAndCertificate ca = TlsSecrets.readKeyAndCertificate(
                ManagedSecrets.get(primary, context, DependentNames.CA_SECRET, Names.CA_SECRET));
        KeyAndCertificate connectorCa = TlsSecrets.readKeyAndCertificate(
                ManagedSecrets.get(primary, context, DependentNames.CONNECTOR_CA_SECRET, Names.CONNECTOR_CA_SECRET));
        return TlsSecrets.gatewaySecret(
                primary,
                config.ingressNamespace(),
                Names.GATEWAY_TLS_SECRET,
                resolved.externalHost().orElseThrow(),
                ca,
                connectorCa.certificate(),
                getSecondaryResource(primary, context),
                issuer,
                config.serverCertificateValidity(),
                clock.instant());
    }
}
