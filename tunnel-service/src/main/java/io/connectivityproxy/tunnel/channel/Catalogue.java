package io.connectivityproxy.tunnel.channel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.tunnel.channel.ServiceMappingReader.MappingSet;

/**
 * The service mappings in force at one moment, indexed by subaccount, type and service id.
 * Immutable, so {@link ServiceChannels} swaps whole catalogues and readers never lock. Pure.
 */
final class Catalogue {

    /** What makes a mapping unique across the installation. */
    record Key(String subaccountId, TargetProtocol type, String serviceId) {
        static Key of(ServiceMappingEntry entry) {
            return new Key(entry.subaccountId(), entry.type(), entry.serviceId());
        }
    }

    static final Catalogue DISABLED = new Catalogue(false, MappingSet.EMPTY, List.of());
    static final Catalogue EMPTY = new Catalogue(true, MappingSet.EMPTY, List.of());

    // How many mapping names an ambiguity message lists; the rest are counted.
    private static final int NAMES_SHOWN = 3;

    private final boolean enabled;
    private final List<ServiceMappingEntry> entries;
    private final List<String> problems;
    private final Map<Key, List<ServiceMappingEntry>> index = new HashMap<>();

    private Catalogue(boolean enabled, MappingSet set, List<String> sourceProblems) {
        this.enabled = enabled;
        this.entries = set.entries();
        List<String> all = new ArrayList<>(sourceProblems);
        all.addAll(set.problems());
        this.problems = List.copyOf(all);
        for (ServiceMappingEntry entry : entries) {
            index.computeIfAbsent(Key.of(entry), k -> new ArrayList<>(1)).add(entry);
        }
    }

    /** An enabled catalogue of {@code set}; {@code sourceProblems} (file or API trouble) come first in problems. */
    static Catalogue of(MappingSet set, List<String> sourceProblems) {
        return new Catalogue(true, set, sourceProblems);
    }

    boolean enabled() {
        return enabled;
    }

    List<ServiceMappingEntry> entries() {
        return entries;
    }

    List<String> problems() {
        return problems;
    }

    /** See {@link ServiceChannels#resolve}. */
    Resolution resolve(String subaccount, String locationId, TargetProtocol type, String serviceId) {
        if (!enabled) {
            return refused(Reason.SERVICE_CHANNELS_DISABLED, "service channels are disabled on this installation");
        }
        if (type != TargetProtocol.TCP && type != TargetProtocol.RFC) {
            return refused(
                    Reason.PROTOCOL_NOT_ALLOWED,
                    "service channels carry TCP or RFC, not " + (type == null ? "(none)" : type.name()));
        }
        // Only the session's own subaccount is looked at: another tenant's mapping reads as unknown.
        List<ServiceMappingEntry> found = index.getOrDefault(new Key(subaccount, type, serviceId), List.of());
        if (found.isEmpty()) {
            return refused(
                    Reason.UNKNOWN_SERVICE,
                    "no service mapping for " + type + " service " + Untrusted.quoted(serviceId) + " in subaccount "
                            + Untrusted.text(subaccount));
        }
        if (found.size() > 1) {
            String names = found.stream()
                    .limit(NAMES_SHOWN)
                    .map(e -> Untrusted.text(e.name()))
                    .collect(Collectors.joining(", "));
            String more = found.size() > NAMES_SHOWN ? " and " + (found.size() - NAMES_SHOWN) + " more" : "";
            return refused(
                    Reason.UNKNOWN_SERVICE,
                    "service id " + Untrusted.quoted(serviceId) + " is ambiguous: "
                            + found.size() + " " + type + " service mappings of subaccount "
                            + Untrusted.text(subaccount)
                            + " have it (" + names + more + ")");
        }
        ServiceMappingEntry mapping = found.get(0);
        if (!mapping.openTo(locationId)) {
            return refused(
                    Reason.LOCATION_NOT_ALLOWED,
                    "service " + Untrusted.quoted(serviceId) + " is not open to location "
                            + Untrusted.location(locationId));
        }
        return new Resolution.Found(mapping);
    }

    private static Resolution refused(Reason reason, String message) {
        // Every part went through Untrusted, so the message is ASCII: one byte a character.
        return new Resolution.Refused(
                reason,
                message.length() < ServiceChannels.MAX_MESSAGE_BYTES
                        ? message
                        : message.substring(0, ServiceChannels.MAX_MESSAGE_BYTES - 4) + "...");
    }
}
