package io.connectivityproxy.operator.dependent;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.config.OperatorConfig;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TlsSecrets;
import io.connectivityproxy.operator.tls.CertificateIssuer;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Secret {@code connectivity-proxy-connector-ca}: the CA whose certificates connectors authenticate with. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ConnectorCaSecretDependent extends CreateOnlyDependent<Secret> {

    @Inject
    CertificateIssuer issuer;

    @Inject
    OperatorConfig config;

    public ConnectorCaSecretDependent() {
        super(Secret.class, Names.CONNECTOR_CA_SECRET);
    }

    @Override
    protected Secret desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return TlsSecrets.caSecret(
                primary,
                Names.CONNECTOR_CA_SECRET,
                issuer.certificateAuthority("connectivity-proxy connector CA", config.caValidity()));
    }
}
