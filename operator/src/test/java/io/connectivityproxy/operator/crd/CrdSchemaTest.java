package io.connectivityproxy.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The committed CRDs' OpenAPI schemas, applied as the API server would (structural schema
 * keywords: type, properties, required, minimum, maximum, pattern, enum): invalid resources are
 * rejected with the offending field named, the default resources are accepted.
 */
class CrdSchemaTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonSchema schemaOf(String crd) throws IOException {
        JsonNode definition =
                YAML.readTree(CrdFilesTest.COMMITTED.resolve(crd + ".yaml").toFile());
        JsonNode openApi = definition.at("/spec/versions/0/schema/openAPIV3Schema");
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
    }

    static Set<String> violations(JsonSchema schema, JsonNode resource) {
        return schema.validate(resource).stream()
                .map(ValidationMessage::getMessage)
                .collect(Collectors.toSet());
    }

    static ObjectNode defaultCr() throws IOException {
        return (ObjectNode)
                YAML.readTree(Path.of("..", "deploy", "default-cr.yaml").toFile());
    }

    @Test
    void theDefaultResourceIsValid() throws IOException {
        assertEquals(Set.of(), violations(schemaOf("connectivityproxies.connectivityproxy.sap.com"), defaultCr()));
    }

    @Test
    void aMinimalResourceIsValid() throws IOException {
        JsonNode minimal = YAML.readTree("apiVersion: connectivityproxy.sap.com/v1\nkind: ConnectivityProxy\n"
                + "metadata: {name: cp}\nspec: {}\n");
        assertEquals(Set.of(), violations(schemaOf("connectivityproxies.connectivityproxy.sap.com"), minimal));
    }

    @Test
    void portZeroIsRejected() throws IOException {
        ObjectNode cr = defaultCr();
        ((ObjectNode) cr.at("/spec/config/servers/proxy/http")).put("port", 0);
        assertRejected(cr, "$.spec.config.servers.proxy.http.port");
        ((ObjectNode) cr.at("/spec/config/servers/proxy/http")).put("port", 65536);
        assertRejected(cr, "$.spec.config.servers.proxy.http.port");
    }

    @Test
    void aBadSubaccountIdIsRejected() throws IOException {
        ObjectNode cr = defaultCr();
        ((ObjectNode) cr.at("/spec/config")).put("subaccountId", "not a subaccount!");
        assertRejected(cr, "$.spec.config.subaccountId");
    }

    @Test
    void anUnknownTenantModeIsRejected() throws IOException {
        ObjectNode cr = defaultCr();
        ((ObjectNode) cr.at("/spec/config")).put("tenantMode", "multi");
        assertRejected(cr, "$.spec.config.tenantMode");
    }

    @Test
    void otherEnumsAndBoundsAreEnforced() throws IOException {
        ObjectNode cr = defaultCr();
        ((ObjectNode) cr.at("/spec/ingress")).put("className", "nginx");
        ((ObjectNode) cr.at("/spec/config")).put("highAvailabilityMode", "on");
        ((ObjectNode) cr.at("/spec/deployment")).put("replicaCount", 0);
        Set<String> violations = violations(schemaOf("connectivityproxies.connectivityproxy.sap.com"), cr);
        for (String field : List.of(
                "$.spec.ingress.className", "$.spec.config.highAvailabilityMode", "$.spec.deployment.replicaCount")) {
            assertTrue(violations.stream().anyMatch(v -> v.startsWith(field)), field + " in " + violations);
        }
    }

    @Test
    void autoscalingBoundsAreEnforced() throws IOException {
        ObjectNode cr = defaultCr();
        ObjectNode horizontal = (ObjectNode) cr.at("/spec/deployment/autoscaling/horizontal");
        horizontal.put("enabled", true).put("maxReplicaCount", 5);
        ((ObjectNode) horizontal.get("metrics")).put("memoryAverageUtilization", 75);
        assertEquals(Set.of(), violations(schemaOf("connectivityproxies.connectivityproxy.sap.com"), cr));

        horizontal.put("maxReplicaCount", 0);
        ((ObjectNode) horizontal.get("metrics"))
                .put("cpuAverageUtilization", 101)
                .put("memoryAverageUtilization", 0);
        Set<String> violations = violations(schemaOf("connectivityproxies.connectivityproxy.sap.com"), cr);
        for (String field : List.of(
                "$.spec.deployment.autoscaling.horizontal.maxReplicaCount",
                "$.spec.deployment.autoscaling.horizontal.metrics.cpuAverageUtilization",
                "$.spec.deployment.autoscaling.horizontal.metrics.memoryAverageUtilization")) {
            assertTrue(violations.stream().anyMatch(v -> v.startsWith(field)), field + " in " + violations);
        }
    }

    @Test
    void serviceMappingsNeedTypeServiceIdAndAnAddressWithAPort() throws IOException {
        JsonSchema schema = schemaOf("servicemappings.connectivityproxy.sap.com");
        JsonNode valid =
                YAML.readTree("apiVersion: connectivityproxy.sap.com/v1\nkind: ServiceMapping\nmetadata: {name: sm}\n"
                        + "spec: {type: TCP, serviceId: erp-ssh, internalAddress: 'ssh.tools.svc.cluster.local:22', locationIds: [loc1],"
                        + " subaccountId: sub-1, tenantId: 0a1b2c3d-tenant}\n");
        assertEquals(Set.of(), violations(schema, valid));
        ((ObjectNode) valid.get("spec")).put("tenantId", "not a tenant!");
        assertTrue(
                violations(schema, valid).stream().anyMatch(v -> v.startsWith("$.spec.tenantId")),
                violations(schema, valid).toString());

        JsonNode invalid =
                YAML.readTree("apiVersion: connectivityproxy.sap.com/v1\nkind: ServiceMapping\nmetadata: {name: sm}\n"
                        + "spec: {type: HTTP, internalAddress: 'no-port'}\n");
        Set<String> violations = violations(schema, invalid);
        for (String field : List.of("$.spec.type", "serviceId", "$.spec.internalAddress")) {
            assertTrue(violations.stream().anyMatch(v -> v.contains(field)), field + " in " + violations);
        }
    }

    private static void assertRejected(JsonNode cr, String field) throws IOException {
        Set<String> violations = violations(schemaOf("connectivityproxies.connectivityproxy.sap.com"), cr);
        assertTrue(violations.stream().anyMatch(v -> v.startsWith(field)), field + " in " + violations);
    }
}
