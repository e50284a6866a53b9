package io.connectivityproxy.tunnel.channel;

import java.util.List;
import java.util.Objects;

import io.connectivityproxy.protocol.TargetProtocol;

/**
 * One usable ServiceMapping: a connector of {@code subaccountId} at one of {@code locationIds}
 * that opens a {@code type} stream for {@code serviceId} is connected to
 * {@code internalHost:internalPort}. Never show the internal address to a connector.
 *
 * @param name         {@code metadata.name} of the resource
 * @param internalHost a DNS name, an IPv4 address or an IPv6 address without brackets
 * @param locationIds  the locations the mapping is open to, never empty: {@code ""} is the default
 *                     location, and a mapping without {@code spec.locationIds} has exactly {@code [""]}
 * @param subaccountId the mapping's subaccount (in dedicated mode the installation's when the resource names none)
 * @param tenantId     {@code spec.tenantId}, or null
 */
public record ServiceMappingEntry(
        String name,
        TargetProtocol type,
        String serviceId,
        String internalHost,
        int internalPort,
        List<String> locationIds,
        String subaccountId,
        String tenantId) {

    public ServiceMappingEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(internalHost, "internalHost");
        Objects.requireNonNull(subaccountId, "subaccountId");
        locationIds = locationIds.isEmpty() ? List.of("") : List.copyOf(locationIds);
    }

    /** True when a session at {@code locationId} ({@code ""}: the default location) may use this mapping. */
    public boolean openTo(String locationId) {
        return locationIds.contains(locationId == null ? "" : locationId);
    }

    /** {@code host:port}, IPv6 in brackets: for the admin view and logs, never for a connector. */
    public String internalAddress() {
        return new InternalAddress(internalHost, internalPort).text();
    }
}
