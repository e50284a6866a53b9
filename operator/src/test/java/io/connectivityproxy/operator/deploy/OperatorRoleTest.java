package io.connectivityproxy.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxySpec;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TunnelServiceRbac;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

/**
 * deploy/operator/cluster-role.yaml against what the operator does: Kubernetes lets it grant
 * tunnel-service only permissions it holds itself (RBAC escalation prevention), and it must be
 * able to manage the RBAC objects it creates, but no others.
 */
class OperatorRoleTest {

    static final Path ROLE = Path.of("..", "deploy", "operator", "cluster-role.yaml");

    @Test
    void theOperatorHoldsEverythingItGrantsTunnelService() throws IOException {
        List<PolicyRule> operator = operatorRules();
        ConnectivityProxy cr = new ConnectivityProxy();
        cr.setMetadata(new ObjectMetaBuilder()
                .withName("connectivity-proxy")
                .withNamespace("kyma-system")
                .build());
        cr.setSpec(new ConnectivityProxySpec());
        for (PolicyRule granted : TunnelServiceRbac.clusterRole(cr).getRules()) {
            for (String group : granted.getApiGroups()) {
                for (String resource : granted.getResources()) {
                    for (String verb : granted.getVerbs()) {
                        assertTrue(allows(operator, group, resource, verb, null), verb + " " + group + "/" + resource);
                    }
                }
            }
        }
    }

    @Test
    void itManagesTunnelServicesServiceAccountAndItsOwnClusterRoleAndBindingOnly() throws IOException {
        List<PolicyRule> operator = operatorRules();
        // Informers list and watch everything of a kind (by label), and create cannot be limited by name.
        for (String verb : List.of("get", "list", "watch", "create")) {
            assertTrue(allows(operator, "", "serviceaccounts", verb, null), verb + " serviceaccounts");
            assertTrue(
                    allows(operator, "rbac.authorization.k8s.io", "clusterroles", verb, null), verb + " clusterroles");
            assertTrue(
                    allows(operator, "rbac.authorization.k8s.io", "clusterrolebindings", verb, null),
                    verb + " clusterrolebindings");
        }
        for (String verb : List.of("update", "patch", "delete")) {
            assertTrue(
                    allows(operator, "", "serviceaccounts", verb, Names.TUNNEL_SERVICE_ACCOUNT),
                    verb + " serviceaccounts");
        }
        for (String resource : List.of("clusterroles", "clusterrolebindings")) {
            for (String verb : List.of("update", "patch", "delete")) {
                assertTrue(
                        allows(operator, "rbac.authorization.k8s.io", resource, verb, Names.TUNNEL_CLUSTER_ROLE),
                        verb + " " + resource);
            }
            for (String verb : List.of("update", "patch", "delete")) {
                assertFalse(
                        allows(operator, "rbac.authorization.k8s.io", resource, verb, "cluster-admin"),
                        verb + " " + resource + " of others");
            }
            for (String verb : List.of("bind", "escalate", "*")) {
                assertFalse(
                        allows(operator, "rbac.authorization.k8s.io", resource, verb, Names.TUNNEL_CLUSTER_ROLE), verb);
            }
        }
    }

    @Test
    void itManagesTheNetworkPoliciesOfTheInstallation() throws IOException {
        List<PolicyRule> operator = operatorRules();
        // Informers list and watch; the dependents create, update (CRUD without server-side apply) and the finalizer
        // deletes.
        for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete")) {
            assertTrue(allows(operator, "networking.k8s.io", "networkpolicies", verb, null), verb + " networkpolicies");
        }
        assertFalse(
                allows(operator, "networking.k8s.io", "ingresses", "create", null),
                "nothing else of networking.k8s.io");
    }

    @Test
    void itManagesTheBudgetsAndTheAutoscalerOfAHighlyAvailableInstallation() throws IOException {
        List<PolicyRule> operator = operatorRules();
        // The dependents' informers run whatever the replica count; the reconcile preconditions create and delete.
        for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete")) {
            assertTrue(allows(operator, "policy", "poddisruptionbudgets", verb, null), verb + " poddisruptionbudgets");
            assertTrue(
                    allows(operator, "autoscaling", "horizontalpodautoscalers", verb, null),
                    verb + " horizontalpodautoscalers");
        }
        assertFalse(allows(operator, "policy", "pods/eviction", "create", null), "it evicts nothing");
    }

    @Test
    void itManagesTheWorkloadsAndRemovesTheTunnelDeploymentOfOlderVersions() throws IOException {
        List<PolicyRule> operator = operatorRules();
        // proxy-service's Deployment and tunnel-service's StatefulSet; deleting deployments also retires the tunnel
        // Deployment an older operator made.
        for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete")) {
            assertTrue(allows(operator, "apps", "deployments", verb, null), verb + " deployments");
            assertTrue(allows(operator, "apps", "statefulsets", verb, null), verb + " statefulsets");
        }
        assertFalse(allows(operator, "apps", "daemonsets", "create", null), "nothing else of apps");
        assertFalse(allows(operator, "", "pods", "delete", null), "it deletes no pods: the controllers do");
    }

    static List<PolicyRule> operatorRules() throws IOException {
        return new ObjectMapper(new YAMLFactory())
                .readValue(ROLE.toFile(), ClusterRole.class)
                .getRules();
    }

    /** Whether some rule allows {@code verb}; {@code name} null means on every object (as list and watch need). */
    static boolean allows(List<PolicyRule> rules, String group, String resource, String verb, String name) {
        return rules.stream()
                .anyMatch(rule -> matches(rule.getApiGroups(), group)
                        && matches(rule.getResources(), resource)
                        && matches(rule.getVerbs(), verb)
                        && (rule.getResourceNames() == null
                                || rule.getResourceNames().isEmpty()
                                || (name != null && rule.getResourceNames().contains(name))));
    }

    private static boolean matches(List<String> values, String value) {
        return values != null && (values.contains(value) || values.contains("*"));
    }
}
