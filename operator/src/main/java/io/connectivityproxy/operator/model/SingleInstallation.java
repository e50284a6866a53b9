package io.connectivityproxy.operator.model;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

import io.connectivityproxy.operator.api.ConnectivityProxy;

/**
 * Only one ConnectivityProxy per cluster is installed: the oldest (creation time, then
 * namespace/name for ties). It stays the installation until it is gone, even while it is being
 * deleted, so that a second one never starts installing over a half-removed first one.
 */
public final class SingleInstallation {

    private static final Comparator<ConnectivityProxy> AGE = Comparator.comparing((ConnectivityProxy cp) ->
                    Optional.ofNullable(cp.getMetadata().getCreationTimestamp()).orElse(""))
            .thenComparing(cp -> cp.getMetadata().getNamespace())
            .thenComparing(cp -> cp.getMetadata().getName());

    private SingleInstallation() {}

    /** The installation {@code candidate} must give way to, as namespace/name, or empty when it is the installation. */
    public static Optional<String> otherActive(ConnectivityProxy candidate, Collection<ConnectivityProxy> all) {
        return all.stream()
                .filter(cp -> !sameResource(cp, candidate))
                .filter(cp -> AGE.compare(cp, candidate) < 0)
                .min(AGE)
                .map(cp ->
                        cp.getMetadata().getNamespace() + "/" + cp.getMetadata().getName());
    }

    private static boolean sameResource(ConnectivityProxy a, ConnectivityProxy b) {
        return a.getMetadata().getNamespace().equals(b.getMetadata().getNamespace())
                && a.getMetadata().getName().equals(b.getMetadata().getName());
    }
}
