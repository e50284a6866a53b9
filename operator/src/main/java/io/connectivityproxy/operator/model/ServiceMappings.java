package io.connectivityproxy.operator.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.connectivityproxy.operator.api.ProxyConfig;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.api.ServiceMappingSpec;
import io.connectivityproxy.operator.api.ServiceMappingStatus;
import io.connectivityproxy.operator.api.ServiceMappingType;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/**
 * Service channels: whether the installation accepts a ServiceMapping, and the status that says
 * so. tunnel-service watches the mappings itself; the operator is where they are validated, so
 * a mapping is served only when its {@code Accepted} condition is True. Pure.
 */
public final class ServiceMappings {

    /** The one condition type of a mapping's status. */
    public static final String ACCEPTED = "Accepted";

    public static final String SERVED = "Served";
    public static final String NO_INSTALLATION = "NoInstallation";
    public static final String SERVICE_CHANNELS_DISABLED = "ServiceChannelsDisabled";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String INVALID_TYPE = "InvalidType";
    public static final String INVALID_SERVICE_ID = "InvalidServiceId";
    public static final String INVALID_ADDRESS = "InvalidAddress";
    public static final String SUBACCOUNT_REQUIRED = "SubaccountRequired";
    public static final String INVALID_SUBACCOUNT = "InvalidSubaccount";
    public static final String INVALID_TENANT = "InvalidTenant";
    public static final String DUPLICATE = "Duplicate";
    public static final String EXTERNAL_HOST_UNKNOWN = "ExternalHostUnknown";

    /** How many mapping names a message lists before it says how many more there are. */
    public static final int NAMES_LISTED = 10;

    private static final Pattern ADDRESS = Pattern.compile(ServiceMappingSpec.INTERNAL_ADDRESS_PATTERN);
    private static final Pattern SERVICE_ID = Pattern.compile(ServiceMappingSpec.SERVICE_ID_PATTERN);
    private static final Pattern IDENTIFIER = Pattern.compile(ProxyConfig.IDENTIFIER_PATTERN);

    // Of mappings that claim the same channel the oldest is served, as SAP's admission check keeps the existing one.
    private static final Comparator<ServiceMapping> AGE = Comparator.comparing((ServiceMapping m) ->
                    Optional.ofNullable(m.getMetadata().getCreationTimestamp()).orElse(""))
            .thenComparing(m -> m.getMetadata().getName());

    /** One reason a mapping is not served: the condition reason, and a message naming the field. */
    public record Problem(String reason, String message) {}

    private ServiceMappings() {}

    /**
     * Why {@code mapping} cannot be served, most fundamental first; empty when it can.
     *
     * @param all every ServiceMapping in the cluster (may include {@code mapping} itself)
     * @param installation the installation's settings, empty when no ConnectivityProxy is installed
     */
    public static List<Problem> problems(
            ServiceMapping mapping, Collection<ServiceMapping> all, Optional<ServiceChannelSettings> installation) {
        List<Problem> problems = new ArrayList<>();
        if (installation.isEmpty()) {
            problems.add(new Problem(
                    NO_INSTALLATION,
                    "no ConnectivityProxy is installed to serve it (none exists, or its spec is invalid)"));
        } else if (!installation.get().enabled()) {
            problems.add(
                    new Problem(
                            SERVICE_CHANNELS_DISABLED,
                            "service channels are disabled in the ConnectivityProxy (spec.config.serviceChannels.enabled: false)"));
        }
        ServiceMappingSpec spec = mapping.getSpec();
        if (spec == null) {
            problems.add(new Problem(INVALID_SPEC, "spec: must be set"));
            return problems;
        }
        if (ServiceMappingType.fromValue(spec.getType()) == null) {
            problems.add(new Problem(INVALID_TYPE, "spec.type: must be TCP or RFC, was '" + spec.getType() + "'"));
        }
        if (spec.getServiceId() == null
                || !SERVICE_ID.matcher(spec.getServiceId()).matches()) {
            problems.add(new Problem(
                    INVALID_SERVICE_ID,
                    "spec.serviceId: must match " + ServiceMappingSpec.SERVICE_ID_PATTERN + ", was '"
                            + spec.getServiceId() + "'"));
        }
        if (spec.getInternalAddress() == null
                || !ADDRESS.matcher(spec.getInternalAddress()).matches()) {
            problems.add(new Problem(
                    INVALID_ADDRESS,
                    "spec.internalAddress: must be host:port with a port from 1 to 65535, was '"
                            + spec.getInternalAddress() + "'"));
        }
        boolean shared =
                installation.map(ServiceChannelSettings::sharedTenantMode).orElse(false);
        if (isBlank(spec.getSubaccountId())) {
            if (shared) {
                problems.add(
                        new Problem(
                                SUBACCOUNT_REQUIRED,
                                "spec.subaccountId: required, the ConnectivityProxy runs in shared tenant mode (spec.config.tenantMode: shared)"));
            }
        } else if (!IDENTIFIER.matcher(spec.getSubaccountId()).matches()) {
            problems.add(
                    new Problem(INVALID_SUBACCOUNT, "spec.subaccountId: must match " + ProxyConfig.IDENTIFIER_PATTERN));
        }
        if (!isBlank(spec.getTenantId())
                && !IDENTIFIER.matcher(spec.getTenantId()).matches()) {
            problems.add(new Problem(INVALID_TENANT, "spec.tenantId: must match " + ProxyConfig.IDENTIFIER_PATTERN));
        }
        List<ServiceMapping> others = sameChannel(mapping, all, installation);
        if (!others.isEmpty() && AGE.compare(others.get(0), mapping) < 0) {
            problems.add(new Problem(
                    DUPLICATE,
                    "spec.serviceId: " + channel(spec, installation) + " is also claimed by "
                            + "ServiceMapping " + names(others) + "; only the oldest of them, "
                            + others.get(0).getMetadata().getName()
                            + ", is served"));
        }
        if (problems.isEmpty() && installation.get().externalHost().isEmpty()) {
            problems.add(new Problem(
                    EXTERNAL_HOST_UNKNOWN,
                    "the ConnectivityProxy's external host is not known yet "
                            + "(spec.config.servers.businessDataTunnel.externalHost), so there is no endpoint"));
        }
        return problems;
    }

    /**
     * The status {@code mapping} gets: one {@code Accepted} condition, and the endpoint when it is
     * accepted. The transition time moves only when acceptance changes.
     */
    public static ServiceMappingStatus status(
            ServiceMapping mapping,
            Collection<ServiceMapping> all,
            Optional<ServiceChannelSettings> installation,
            Instant now) {
        List<Problem> problems = problems(mapping, all, installation);
        boolean accepted = problems.isEmpty();
        String status = accepted ? "True" : "False";
        String since =
                Optional.ofNullable(mapping.getStatus())
                        .map(ServiceMappingStatus::getConditions)
                        .orElse(List.of())
                        .stream()
                        .filter(c -> ACCEPTED.equals(c.getType()) && status.equals(c.getStatus()))
                        .map(c -> c.getLastTransitionTime())
                        .filter(Objects::nonNull)
                        .findFirst()
                        .orElse(now.toString());
        long generation =
                Optional.ofNullable(mapping.getMetadata().getGeneration()).orElse(0L);
        String endpoint = accepted ? endpoint(mapping.getSpec(), installation.get()) : null;
        String message;
        if (accepted) {
            message = "connectors reach it at " + endpoint + "; tunnel-service connects it to "
                    + mapping.getSpec().getInternalAddress();
            List<ServiceMapping> younger = sameChannel(mapping, all, installation);
            if (!younger.isEmpty()) {
                message += "; ServiceMapping " + names(younger)
                        + " claim the same type, subaccount and serviceId and are not" + " served, this one is older";
            }
        } else {
            message = problems.stream().map(Problem::message).collect(Collectors.joining("; "));
        }
        ServiceMappingStatus result = new ServiceMappingStatus();
        result.setEndpoint(endpoint);
        result.setObservedGeneration(generation);
        result.setConditions(List.of(new ConditionBuilder()
                .withType(ACCEPTED)
                .withStatus(status)
                .withReason(accepted ? SERVED : problems.get(0).reason())
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build()));
        return result;
    }

    /** {@code <tcp|rfc>://<external host>:<external port>/<serviceId>}: what on-premise admins configure in the connector. */
    public static String endpoint(ServiceMappingSpec spec, ServiceChannelSettings installation) {
        return ServiceMappingType.fromValue(spec.getType()).scheme() + "://"
                + installation.externalHost().orElseThrow() + ":" + installation.externalPort() + "/"
                + spec.getServiceId();
    }

    /** Sorted names, at most {@link #NAMES_LISTED} of them, then how many more there are. */
    public static String listed(Collection<String> names) {
        List<String> sorted = names.stream().sorted().collect(Collectors.toList());
        String shown = String.join(", ", sorted.subList(0, Math.min(NAMES_LISTED, sorted.size())));
        return sorted.size() > NAMES_LISTED ? shown + " and " + (sorted.size() - NAMES_LISTED) + " more" : shown;
    }

    /** The other mappings that claim the same channel (type, subaccount as defaulted, serviceId), oldest first. */
    private static List<ServiceMapping> sameChannel(
            ServiceMapping mapping, Collection<ServiceMapping> all, Optional<ServiceChannelSettings> installation) {
        if (mapping.getSpec() == null) {
            return List.of();
        }
        String key = key(mapping.getSpec(), installation);
        return all.stream()
                .filter(other -> !other.getMetadata()
                        .getName()
                        .equals(mapping.getMetadata().getName()))
                .filter(other -> other.getSpec() != null && key.equals(key(other.getSpec(), installation)))
                .sorted(AGE)
                .collect(Collectors.toList());
    }

    private static String key(ServiceMappingSpec spec, Optional<ServiceChannelSettings> installation) {
        return spec.getType() + "\n" + subaccount(spec, installation).orElse("") + "\n" + spec.getServiceId();
    }

    /** The mapping's subaccount, or in dedicated mode the installation's; empty when neither is known. */
    private static Optional<String> subaccount(ServiceMappingSpec spec, Optional<ServiceChannelSettings> installation) {
        if (!isBlank(spec.getSubaccountId())) {
            return Optional.of(spec.getSubaccountId());
        }
        return installation.flatMap(ServiceChannelSettings::defaultSubaccount);
    }

    private static String channel(ServiceMappingSpec spec, Optional<ServiceChannelSettings> installation) {
        return "type " + spec.getType() + ", subaccount "
                + subaccount(spec, installation).orElse("(the installation's)") + " and serviceId "
                + spec.getServiceId();
    }

    private static String names(List<ServiceMapping> mappings) {
        return listed(mappings.stream().map(m -> m.getMetadata().getName()).collect(Collectors.toList()));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
