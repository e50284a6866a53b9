package io.connectivityproxy.operator.dependent;

import java.time.Clock;
import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.config.OperatorConfig;
import io.connectivityproxy.operator.model.DependentNames;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TlsSecrets;
import io.connectivityproxy.operator.tls.CertificateIssuer;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * Secret {@code connectivity-proxy-cluster-tls}: the certificate and key both workloads present on
 * the event bus, and the cluster CA they trust. Depends on the cluster CA Secret; reissued when
 * that CA changes or the certificate nears its end.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ClusterTlsSecretDependent extends OwnedDependent<Secret> {

    @Inject
    CertificateIssuer issuer;

    @Inject
    OperatorConfig config;

    @Inject
    Clock clock;

    public ClusterTlsSecretDependent() {
        super(Secret.class, Names.CLUSTER_TLS_SECRET);
    }

    @Override
    protected Secret desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        var clusterCa = TlsSecrets.readKeyAndCertificate(
                ManagedSecrets.get(primary, context, DependentNames.CLUSTER_CA_SECRET, Names.CLUSTER_CA_SECRET));
        return TlsSecrets.clusterMemberSecret(
                primary,
                clusterCa,
                getSecondaryResource(primary, context),
                issuer,
                config.serverCertificateValidity(),
                clock.instant());
    }
}
