package io.connectivityproxy.tunnel.channel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.protocol.TargetProtocol;

/**
 * Turns ServiceMapping resources, from a file or from the Kubernetes API, into the usable
 * {@link ServiceMappingEntry entries} and one problem line per thing that is wrong. A resource
 * with any problem is skipped whole, never half-used. Pure: the same input gives the same
 * output, and nothing here reads files or talks to a server.
 *
 * <p>Besides ServiceMapping resources it takes a {@code kind: List} with {@code items}, as
 * {@code kubectl apply -f} does.
 */
final class ServiceMappingReader {

    static final String API_VERSION = "connectivityproxy.sap.com/v1";
    static final String KIND = "ServiceMapping";
    /** {@code spec.serviceId} as the CRD allows it. */
    static final Pattern SERVICE_ID = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9._]*");

    private static final String YAML_HINT = " (YAML reads unquoted on, off, yes, no, true and false as booleans and "
            + "digits as numbers: quote the value)";

    /** One resource as read, and where it was found (for problems about a resource without a name). */
    record Resource(String where, JsonNode node) {}

    /** The outcome of reading: entries sorted by name, and the problems in the order found. */
    record MappingSet(List<ServiceMappingEntry> entries, List<String> problems) {

        static final MappingSet EMPTY = new MappingSet(List.of(), List.of());

        MappingSet {
            entries = List.copyOf(entries);
            problems = List.copyOf(problems);
        }
    }

    private record Candidate(ServiceMappingEntry entry, String where) {}

    private final TenantMode tenantMode;
    private final Optional<String> defaultSubaccount;

    ServiceMappingReader(TenantMode tenantMode, Optional<String> defaultSubaccount) {
        this.tenantMode = tenantMode;
        this.defaultSubaccount = defaultSubaccount;
    }

    MappingSet read(List<Resource> resources) {
        List<String> problems = new ArrayList<>();
        Map<String, List<Candidate>> byName = new LinkedHashMap<>();
        for (Resource resource : flatten(resources, problems)) {
            ServiceMappingEntry entry = entry(resource, problems);
            if (entry != null) {
                byName.computeIfAbsent(entry.name(), n -> new ArrayList<>())
                        .add(new Candidate(entry, resource.where()));
            }
        }
        List<ServiceMappingEntry> entries = new ArrayList<>();
        for (List<Candidate> sameName : byName.values()) {
            if (sameName.size() == 1) {
                entries.add(sameName.get(0).entry());
            } else {
                problems.add("ServiceMapping "
                        + Untrusted.text(sameName.get(0).entry().name()) + ": defined "
                        + sameName.size() + " times ("
                        + sameName.stream().map(Candidate::where).collect(Collectors.joining(", "))
                        + "); all of them are skipped");
            }
        }
        entries.sort(Comparator.comparing(ServiceMappingEntry::name));
        Map<Catalogue.Key, List<ServiceMappingEntry>> byService = entries.stream()
                .collect(Collectors.groupingBy(Catalogue.Key::of, LinkedHashMap::new, Collectors.toList()));
        byService.forEach((key, same) -> {
            if (same.size() > 1) {
                problems.add("ServiceMappings "
                        + same.stream().map(e -> Untrusted.text(e.name())).collect(Collectors.joining(", "))
                        + ": all map " + key.type() + " service "
                        + Untrusted.quoted(key.serviceId()) + " of subaccount " + Untrusted.text(key.subaccountId())
                        + "; its opens are refused as ambiguous until only one does");
            }
        });
        return new MappingSet(entries, problems);
    }

    /** The resources, those inside Lists in their place, without empty YAML documents. */
    private static List<Resource> flatten(List<Resource> resources, List<String> problems) {
        List<Resource> flat = new ArrayList<>();
        for (Resource resource : resources) {
            JsonNode node = resource.node();
            if (node == null || node.isNull() || node.isMissingNode()) {
                continue;
            }
            if (node.isObject() && "List".equals(node.path("kind").textValue())) {
                JsonNode items = node.get("items");
                if (items != null && items.isArray()) {
                    for (int i = 0; i < items.size(); i++) {
                        flat.add(new Resource("item " + (i + 1) + " of the List in " + resource.where(), items.get(i)));
                    }
                } else if (items != null && !items.isNull()) {
                    problems.add(resource.where() + ": the items of a kind List must be a list; skipped");
                }
            } else {
                flat.add(resource);
            }
        }
        return flat;
    }

    /** The entry, or null after adding one problem per defect. */
    private ServiceMappingEntry entry(Resource resource, List<String> problems) {
        JsonNode node = resource.node();
        if (!node.isObject()) {
            problems.add(resource.where() + ": not a resource (an object with apiVersion, kind, metadata and spec), "
                    + "was " + shown(node) + "; skipped");
            return null;
        }
        String apiVersion = node.path("apiVersion").textValue();
        String kind = node.path("kind").textValue();
        String name = node.path("metadata").path("name").textValue();
        if (!KIND.equals(kind) || !API_VERSION.equals(apiVersion)) {
            problems.add(resource.where() + (name == null ? "" : " (" + Untrusted.text(name) + ")") + ": kind "
                    + Untrusted.quoted(kind) + " of apiVersion " + Untrusted.quoted(apiVersion) + " is not a "
                    + KIND + " of " + API_VERSION + "; skipped");
            return null;
        }
        List<String> defects = new ArrayList<>();
        if (name == null || name.isEmpty()) {
            defects.add("metadata.name: must be set");
        }
        JsonNode spec = node.get("spec");
        ServiceMappingEntry entry = null;
        if (spec == null || !spec.isObject()) {
            defects.add("spec: must be set, with type, serviceId and internalAddress");
        } else {
            entry = spec(name, spec, defects);
        }
        if (!defects.isEmpty()) {
            String subject = name == null || name.isEmpty()
                    ? KIND + " in " + resource.where()
                    : KIND + " " + Untrusted.text(name);
            defects.forEach(defect -> problems.add(subject + ": " + defect));
            return null;
        }
        String duplicate = operatorDuplicate(node);
        if (duplicate != null) {
            problems.add(KIND + " " + Untrusted.text(name) + ": not served: the operator serves an older mapping of "
                    + "the same type, subaccount and service id (" + Untrusted.text(duplicate) + ")");
            return null;
        }
        return entry;
    }

    /**
     * The message of the operator's {@code Accepted=False, reason Duplicate} condition, or null. Of
     * mappings that share type, subaccount and service id the operator serves the oldest and
     * rejects the others; honouring that verdict keeps both components choosing the same one.
     * Every other status is ignored: this reader checks the spec itself.
     */
    private static String operatorDuplicate(JsonNode node) {
        for (JsonNode condition : node.path("status").path("conditions")) {
            if ("Accepted".equals(condition.path("type").textValue())
                    && "False".equals(condition.path("status").textValue())
                    && "Duplicate".equals(condition.path("reason").textValue())) {
                String message = condition.path("message").textValue();
                return message == null ? "" : message;
            }
        }
        return null;
    }

    private ServiceMappingEntry spec(String name, JsonNode spec, List<String> defects) {
        TargetProtocol type = null;
        String typeText = text(spec, "type", defects);
        if (typeText != null) {
            if ("TCP".equals(typeText) || "RFC".equals(typeText)) {
                type = TargetProtocol.valueOf(typeText);
            } else {
                defects.add("spec.type: must be TCP or RFC, was " + Untrusted.quoted(typeText));
            }
        } else if (!spec.hasNonNull("type")) {
            defects.add("spec.type: must be set to TCP or RFC");
        }

        String serviceId = text(spec, "serviceId", defects);
        if (serviceId != null && !SERVICE_ID.matcher(serviceId).matches()) {
            defects.add(
                    serviceId.isEmpty()
                            ? "spec.serviceId: must be set"
                            : "spec.serviceId: must start with a letter or digit and hold only letters, digits, '-', '.' "
                                    + "and '_', was " + Untrusted.quoted(serviceId));
        } else if (serviceId == null && !spec.hasNonNull("serviceId")) {
            defects.add("spec.serviceId: must be set");
        }

        InternalAddress address = null;
        String addressText = text(spec, "internalAddress", defects);
        if (addressText != null) {
            try {
                address = InternalAddress.parse(addressText);
            } catch (IllegalArgumentException e) {
                defects.add("spec.internalAddress: " + e.getMessage() + ", was " + Untrusted.quoted(addressText));
            }
        } else if (!spec.hasNonNull("internalAddress")) {
            defects.add("spec.internalAddress: must be set to host:port");
        }

        List<String> locationIds = locationIds(spec.get("locationIds"), defects);
        String subaccountId = subaccountId(spec, defects);
        String tenantId = text(spec, "tenantId", defects);
        if (tenantId != null && (tenantId.isEmpty() || !Ids.valid(tenantId))) {
            defects.add("spec.tenantId: must be a tenant id (letters, digits, '.', '_', '~', '-', 1 to 128), was "
                    + Untrusted.quoted(tenantId));
        }

        if (!defects.isEmpty() || name == null || name.isEmpty()) {
            return null;
        }
        return new ServiceMappingEntry(
                name, type, serviceId, address.host(), address.port(), locationIds, subaccountId, tenantId);
    }

    private static List<String> locationIds(JsonNode value, List<String> defects) {
        if (value == null || value.isNull()) {
            return List.of("");
        }
        if (!value.isArray()) {
            defects.add("spec.locationIds: must be a list of location ids, was " + shown(value) + hint(value));
            return List.of();
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode id = value.get(i);
            if (id.isTextual() && Ids.valid(id.textValue())) {
                ids.add(id.textValue());
            } else {
                defects.add("spec.locationIds[" + i + "]: must be a location id (letters, digits, '.', '_', '~', "
                        + "'-', at most 128; \"\" is the default location), was " + shown(id) + hint(id));
            }
        }
        return ids.isEmpty() ? List.of("") : List.copyOf(ids);
    }

    private String subaccountId(JsonNode spec, List<String> defects) {
        String subaccountId = text(spec, "subaccountId", defects);
        if (subaccountId != null) {
            if (subaccountId.isEmpty() || !Ids.valid(subaccountId)) {
                defects.add("spec.subaccountId: must be a subaccount id (letters, digits, '.', '_', '~', '-', 1 to "
                        + "128), was " + Untrusted.quoted(subaccountId));
            }
            return subaccountId;
        }
        if (spec.hasNonNull("subaccountId")) {
            return null;
        }
        if (tenantMode == TenantMode.SHARED) {
            defects.add("spec.subaccountId: must be set in shared tenant mode");
            return null;
        }
        if (defaultSubaccount.isEmpty()) {
            defects.add("spec.subaccountId: must be set, since tunnel.service-channels.default-subaccount is not "
                    + "configured");
            return null;
        }
        return defaultSubaccount.get();
    }

    /** The text of {@code field}; null when absent, or when it is not a string (a defect then says so). */
    private static String text(JsonNode object, String field, List<String> defects) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            defects.add("spec." + field + ": must be a string, was " + shown(value) + hint(value));
            return null;
        }
        return value.textValue();
    }

    private static String shown(JsonNode value) {
        return value.isTextual() ? Untrusted.quoted(value.textValue()) : Untrusted.text(value.toString());
    }

    private static String hint(JsonNode value) {
        return value.isBoolean() || value.isNumber() ? YAML_HINT : "";
    }
}
