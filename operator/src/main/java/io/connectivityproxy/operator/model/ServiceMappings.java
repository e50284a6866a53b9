package io.connectivityproxy.operator.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ProxyConfig;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.api.ServiceMappingSpec;
import io.connectivityproxy.operator.api.ServiceMappingStatus;
import io.connectivityproxy.operator.api.ServiceMappingType;
import io.connectivityproxy.operator.api.TenantMode;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/**
 * Service channels: which ServiceMappings the installation accepts, their status, and the
 * ConfigMap {@code connectivity-proxy-service-mappings} that hands the accepted ones to
 * tunnel-service (mounted as a file, so tunnel-service needs no API access). Pure.
 */
public final class ServiceMappings {

    public static final String CONFIG_MAP = "connectivity-proxy-service-mappings";
    public static final String FILE = "service-mappings.json";
    public static final String MOUNT = "/etc/connectivity-proxy/service-mappings";
    public static final String ACCEPTED = "Accepted";

    private static final Pattern ADDRESS = Pattern.compile(ServiceMappingSpec.INTERNAL_ADDRESS_PATTERN);
    private static final Pattern IDENTIFIER = Pattern.compile(ProxyConfig.IDENTIFIER_PATTERN);
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** One accepted mapping as tunnel-service reads it. */
    public record Entry(String name, String type, String serviceId, String internalAddress, List<String> locationIds,
            String subaccountId) {
    }

    private ServiceMappings() {
    }

    /**
     * Why {@code mapping} cannot be served by {@code installation}, field by field; empty when it can.
     * Without an installation, or with service channels off, nothing is accepted.
     */
    public static List<String> problems(ServiceMappingSpec spec, Optional<ConnectivityProxy> installation) {
        List<String> problems = new ArrayList<>();
        if (installation.isEmpty()) {
            problems.add("no ConnectivityProxy is installed");
            return problems;
        }
        ProxyConfig config = installation.get().getSpec().getConfig();
        if (!config.getServiceChannels().isEnabled()) {
            problems.add("service channels are disabled in the ConnectivityProxy (spec.config.serviceChannels.enabled)");
        }
        if (spec == null) {
            problems.add("spec: must be set");
            return problems;
        }
        if (ServiceMappingType.fromValue(spec.getType()) == null) {
            problems.add("spec.type: must be one of TCP, RFC, was '" + spec.getType() + "'");
        }
        if (spec.getServiceId() == null || spec.getServiceId().isBlank()) {
            problems.add("spec.serviceId: must be set");
        }
        if (spec.getInternalAddress() == null || !ADDRESS.matcher(spec.getInternalAddress()).matches()) {
            problems.add("spec.internalAddress: must be host:port, was '" + spec.getInternalAddress() + "'");
        }
        boolean shared = TenantMode.fromValue(config.getTenantMode()) == TenantMode.SHARED;
        if (shared && (spec.getSubaccountId() == null || spec.getSubaccountId().isBlank())) {
            problems.add("spec.subaccountId: required in shared tenant mode");
        } else if (spec.getSubaccountId() != null && !IDENTIFIER.matcher(spec.getSubaccountId()).matches()) {
            problems.add("spec.subaccountId: must match " + ProxyConfig.IDENTIFIER_PATTERN);
        }
        return problems;
    }

    /** The status a mapping gets; the transition time moves only when acceptance changes. */
    public static ServiceMappingStatus status(ServiceMapping mapping, List<String> problems, Instant now) {
        boolean accepted = problems.isEmpty();
        String status = accepted ? "True" : "False";
        String since = Optional.ofNullable(mapping.getStatus()).map(ServiceMappingStatus::getConditions).orElse(List.of())
                .stream().filter(c -> ACCEPTED.equals(c.getType()) && status.equals(c.getStatus()))
                .map(c -> c.getLastTransitionTime()).filter(Objects::nonNull).findFirst().orElse(now.toString());
        long generation = Optional.ofNullable(mapping.getMetadata().getGeneration()).orElse(0L);
        ServiceMappingStatus result = new ServiceMappingStatus();
        result.setEndpoint(accepted ? mapping.getSpec().getInternalAddress() : null);
        result.setObservedGeneration(generation);
        result.setConditions(List.of(new ConditionBuilder()
                .withType(ACCEPTED)
                .withStatus(status)
                .withReason(accepted ? "Served" : "Invalid")
                .withMessage(accepted ? "tunnel-service connects service channel " + mapping.getSpec().getServiceId() + " to "
                        + mapping.getSpec().getInternalAddress() : String.join("; ", problems))
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build()));
        return result;
    }

    /** The accepted mappings, sorted by name, as the ConfigMap tunnel-service mounts. */
    public static ConfigMap configMap(ConnectivityProxy cr, List<ServiceMapping> mappings) {
        List<Entry> entries = mappings.stream()
                .filter(m -> problems(m.getSpec(), Optional.of(cr)).isEmpty())
                .sorted(Comparator.comparing(m -> m.getMetadata().getName()))
                .map(m -> new Entry(m.getMetadata().getName(), m.getSpec().getType(), m.getSpec().getServiceId(),
                        m.getSpec().getInternalAddress(), List.copyOf(Optional.ofNullable(m.getSpec().getLocationIds()).orElse(List.of())),
                        m.getSpec().getSubaccountId()))
                .collect(Collectors.toList());
        Map<String, String> data = new LinkedHashMap<>();
        try {
            data.put(FILE, JSON.writeValueAsString(entries));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write service mappings", e);
        }
        return ObjectMetas.withContentHash(new ConfigMapBuilder()
                .withMetadata(ObjectMetas.owned(cr, CONFIG_MAP, Labels.TUNNEL_SERVICE))
                .withData(data)
                .build());
    }
}
