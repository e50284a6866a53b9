package io.connectivityproxy.operator.model;

import java.util.Optional;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Inputs of the pure builders. */
final class Fixtures {

    static final String NS = "kyma-system";
    static final WorkloadImages IMAGES =
            new WorkloadImages("registry.example/proxy-service:1", "registry.example/tunnel-service:1", "IfNotPresent");

    private Fixtures() {}

    static ConnectivityProxy cr() {
        ConnectivityProxy cr = new ConnectivityProxy();
        cr.setMetadata(new ObjectMetaBuilder()
                .withName("connectivity-proxy")
                .withNamespace(NS)
                .withUid("uid-1")
                .withGeneration(3L)
                .withCreationTimestamp("2026-01-01T00:00:00Z")
                .build());
        cr.setSpec(new ConnectivityProxySpec());
        return cr;
    }

    /** The XSUAA tenant of the service key below. */
    static final String UAA_URL = "https://subdomain-1.authentication.eu10.hana.ondemand.com";

    static final String CLUSTER_TLS_HASH = "0123456789abcdef";

    static ClusterFacts facts() {
        return new ClusterFacts(
                true, true, Optional.of("c-1.kyma.example"), Optional.of(serviceKey()), RestartFingerprint.NONE);
    }

    /** What a connectivity service key carries, as far as the operator reads it. */
    static ServiceKey serviceKey() {
        return new ServiceKey(
                Optional.of("sub-1"),
                Optional.of("subdomain-1"),
                Optional.of(UAA_URL),
                Optional.of("authentication.eu10.hana.ondemand.com"));
    }

    static ResolvedConfig resolved(ConnectivityProxy cr) {
        return ConfigResolver.resolve(cr, facts());
    }
}
