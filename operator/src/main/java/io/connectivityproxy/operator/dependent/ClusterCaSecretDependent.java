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

/**
 * Secret {@code connectivity-proxy-cluster-ca}: the CA of the cluster members' certificate. Its
 * own CA, not the connector CA (whose key administrators use to sign connector certificates) nor
 * the gateway's: a certificate it signs means "member of this installation's cluster" and nothing else.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ClusterCaSecretDependent extends CreateOnlyDependent<Secret> {

    @Inject
    CertificateIssuer issuer;

    @Inject
    OperatorConfig config;

    public ClusterCaSecretDependent() {
        super(Secret.class, Names.CLUSTER_CA_SECRET);
    }

    @Override
    protected Secret desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return TlsSecrets.caSecret(
                primary,
                Names.CLUSTER_CA_SECRET,
                issuer.certificateAuthority("connectivity-proxy cluster CA", config.caValidity()));
    }
}
