package io.connectivityproxy.operator.model;

import java.util.Optional;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Inputs of the pure builders. */
final class Fixtures {

    static final String NS = "kyma-system";
    static final WorkloadImages IMAGES = new WorkloadImages("registry.example/proxy-service:1", "registry.example/tunnel-service:1",
            "IfNotPresent");

    private Fixtures() {
    }

    static ConnectivityProxy cr() {
        ConnectivityProxy cr = new ConnectivityProxy();
        cr.setMetadata(new ObjectMetaBuilder().withName("connectivity-proxy").withNamespace(NS).withUid("uid-1")
                .withGeneration(3L).withCreationTimestamp("2026-01-01T00:00:00Z").build());
        cr.setSpec(new ConnectivityProxySpec());
        return cr;
    }

    static ClusterFacts facts() {
        return new ClusterFacts(true, true, Optional.of("c-1.kyma.example"),
                Optional.of(new ServiceKey(Optional.of("sub-1"), Optional.of("subdomain-1"))), RestartFingerprint.NONE);
    }

    static ResolvedConfig resolved(ConnectivityProxy cr) {
        return ConfigResolver.resolve(cr, facts());
    }
}
