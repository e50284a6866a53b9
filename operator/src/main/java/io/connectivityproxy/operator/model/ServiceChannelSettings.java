package io.connectivityproxy.operator.model;

import java.util.Optional;

import io.connectivityproxy.operator.api.ConnectivityProxy;

/**
 * What the installation decides about service channels: whether they are served, how a
 * mapping's subaccount defaults, and where connectors reach them. tunnel-service gets these
 * values as environment variables ({@link Workloads}); ServiceMapping validation and endpoints
 * use the same ones ({@link ServiceMappings}). Pure.
 *
 * @param enabled {@code spec.config.serviceChannels.enabled}
 * @param sharedTenantMode each mapping must name its subaccount
 * @param defaultSubaccount the subaccount of a mapping without one (dedicated mode, once resolved)
 * @param externalHost the public tunnel host connectors dial, once resolved
 * @param externalPort the port they dial on it
 */
public record ServiceChannelSettings(
        boolean enabled,
        boolean sharedTenantMode,
        Optional<String> defaultSubaccount,
        Optional<String> externalHost,
        int externalPort) {

    public static ServiceChannelSettings of(ConnectivityProxy cr, ResolvedConfig resolved) {
        boolean shared = resolved.sharedTenantMode();
        return new ServiceChannelSettings(
                cr.getSpec().getConfig().getServiceChannels().isEnabled(),
                shared,
                shared ? Optional.empty() : resolved.subaccountId(),
                resolved.externalHost(),
                resolved.externalPort());
    }
}
