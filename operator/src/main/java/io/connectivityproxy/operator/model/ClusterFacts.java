package io.connectivityproxy.operator.model;

import java.util.Optional;

/**
 * What the reconciler observed in the cluster before computing the desired state: the inputs
 * that do not come from the ConnectivityProxy itself.
 *
 * @param istioInstalled the Istio Gateway and VirtualService CRDs exist
 * @param btpOperatorInstalled the btp-operator ServiceInstance and ServiceBinding CRDs exist
 * @param clusterDomain {@code kube-system/shoot-info} key {@code domain}, if present
 * @param serviceKey the service key Secret's values, if the Secret exists
 * @param restartFingerprint digest of the restart-labelled Secrets and ConfigMaps of this installation
 */
public record ClusterFacts(
        boolean istioInstalled,
        boolean btpOperatorInstalled,
        Optional<String> clusterDomain,
        Optional<ServiceKey> serviceKey,
        String restartFingerprint) {}
