package io.connectivityproxy.operator.model;

import java.util.List;

/**
 * Service channels as the installation's status reports them.
 *
 * @param enabled {@code spec.config.serviceChannels.enabled}
 * @param mappings names of every ServiceMapping in the cluster
 */
public record ServiceChannelObservation(boolean enabled, List<String> mappings) {

    /** For a resource that installs nothing: its status does not report on service channels. */
    public static final ServiceChannelObservation NOT_OBSERVED = new ServiceChannelObservation(true, List.of());
}
