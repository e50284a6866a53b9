package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

/**
 * The NetworkPolicies rule by rule. {@link #admits} evaluates a policy as Kubernetes does
 * (a connection is admitted when some rule lists its port and some peer of that rule matches the
 * source pod), so each test states who can and who cannot connect.
 */
class NetworkPoliciesTest {

    static final String GATEWAY_NS = "istio-system";
    static final Map<String, String> GATEWAY_SELECTOR = Map.of("istio", "ingressgateway");

    /** A pod somewhere in the cluster: its namespace, the namespace's labels and its own labels. */
    record Pod(String namespace, Map<String, String> labels) {
        Map<String, String> namespaceLabels() {
            return Map.of(NetworkPolicies.NAMESPACE_NAME_LABEL, namespace);
        }
    }

    final ConnectivityProxy cr = Fixtures.cr();
    final Pod proxyPod = new Pod(
            Fixtures.NS,
            podLabels(Workloads.proxyService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, "h")
                    .getSpec()
                    .getTemplate()));
    final Pod tunnelPod = new Pod(
            Fixtures.NS,
            podLabels(Workloads.tunnelService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, "h")
                    .getSpec()
                    .getTemplate()));
    final Pod gateway = new Pod(GATEWAY_NS, Map.of("istio", "ingressgateway", "app", "istio-ingressgateway"));
    final Pod otherPodInGatewayNamespace = new Pod(GATEWAY_NS, Map.of("app", "istiod"));
    final Pod gatewayLookalikeElsewhere = new Pod("apps", Map.of("istio", "ingressgateway"));
    final Pod appPod = new Pod("apps", Map.of("app", "erp-client"));
    final Pod neighbour = new Pod(Fixtures.NS, Map.of("app", "something-else-in-kyma-system"));
    // Claims the product name but not a component of the installation.
    final Pod impostor = new Pod(Fixtures.NS, Map.of(Labels.NAME, Labels.PRODUCT, Labels.COMPONENT, "cluster"));
    final Pod impostorElsewhere = new Pod("apps", proxyPod.labels());

    @Test
    void theProxyPolicySelectsProxyServicePodsForIngressOnly() {
        NetworkPolicy policy = NetworkPolicies.proxy(cr);
        assertEquals(Names.PROXY, policy.getMetadata().getName());
        assertEquals(Fixtures.NS, policy.getMetadata().getNamespace());
        assertEquals("uid-1", policy.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals(Labels.OPERATOR, policy.getMetadata().getLabels().get(Labels.MANAGED_BY));
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes(), "egress stays open");
        assertTrue(matches(policy.getSpec().getPodSelector(), proxyPod.labels()));
        assertFalse(matches(policy.getSpec().getPodSelector(), tunnelPod.labels()));
        assertEquals(3, policy.getSpec().getIngress().size());
    }

    @Test
    void theTunnelPolicySelectsTunnelServicePodsForIngressOnly() {
        NetworkPolicy policy = tunnelPolicy();
        assertEquals(Names.TUNNEL, policy.getMetadata().getName());
        assertEquals(Fixtures.NS, policy.getMetadata().getNamespace());
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        assertTrue(matches(policy.getSpec().getPodSelector(), tunnelPod.labels()));
        assertFalse(matches(policy.getSpec().getPodSelector(), proxyPod.labels()));
        assertEquals(3, policy.getSpec().getIngress().size());
    }

    @Test
    void theClusterPortsAdmitOnlyTheInstallationsOwnPods() {
        for (NetworkPolicy policy : List.of(NetworkPolicies.proxy(cr), tunnelPolicy())) {
            String name = policy.getMetadata().getName();
            for (int port : List.of(5701, 5710)) {
                assertTrue(admits(policy, proxyPod, port), name + ": proxy-service to " + port);
                assertTrue(admits(policy, tunnelPod, port), name + ": tunnel-service to " + port);
                for (Pod stranger : List.of(appPod, neighbour, impostor, impostorElsewhere, gateway)) {
                    assertFalse(admits(policy, stranger, port), name + ": " + stranger + " to " + port);
                }
            }
        }
    }

    @Test
    void theProxyPortsAdmitEveryPodOfTheClusterAndFollowTheSpec() {
        NetworkPolicy policy = NetworkPolicies.proxy(cr);
        for (int port : List.of(20001, 20003, 20004)) {
            for (Pod client : List.of(appPod, neighbour, gateway, tunnelPod)) {
                assertTrue(admits(policy, client, port), client + " to " + port);
            }
        }
        NetworkPolicyIngressRule proxyRule = policy.getSpec().getIngress().get(1);
        assertEquals(1, proxyRule.getFrom().size());
        assertEquals(new LabelSelector(), proxyRule.getFrom().get(0).getNamespaceSelector(), "every namespace");
        assertNull(proxyRule.getFrom().get(0).getPodSelector());
        assertNull(proxyRule.getFrom().get(0).getIpBlock(), "no address outside the cluster");

        ConnectivityProxy moved = Fixtures.cr();
        moved.getSpec().getConfig().getServers().getProxy().getHttp().setPort(21003);
        moved.getSpec().getConfig().getServers().getProxy().getSocks5().setEnabled(false);
        NetworkPolicy changed = NetworkPolicies.proxy(moved);
        assertTrue(admits(changed, appPod, 21003));
        assertFalse(admits(changed, appPod, 20003), "the old port is closed");
        assertFalse(admits(changed, appPod, 20004), "a disabled listener's port is closed");
        assertTrue(admits(changed, appPod, 20001));
        assertFalse(admits(policy, appPod, 8042), "proxy-service has no tunnel port");
    }

    @Test
    void theTunnelPortAdmitsOnlyTheIngressGateway() {
        NetworkPolicy policy = tunnelPolicy();
        assertTrue(admits(policy, gateway, 8042), "the gateway reaches the tunnel and its /healthcheck");
        for (Pod other : List.of(
                otherPodInGatewayNamespace, gatewayLookalikeElsewhere, appPod, neighbour, proxyPod, tunnelPod)) {
            assertFalse(admits(policy, other, 8042), other + " would be believed about X-Forwarded-Client-Cert");
        }
        for (int port : List.of(20001, 20003, 20004)) {
            assertFalse(admits(policy, appPod, port), "tunnel-service has no proxy port " + port);
        }
        NetworkPolicyPeer peer = policy.getSpec().getIngress().get(1).getFrom().get(0);
        assertEquals(
                Map.of("kubernetes.io/metadata.name", GATEWAY_NS),
                peer.getNamespaceSelector().getMatchLabels());
        assertEquals(GATEWAY_SELECTOR, peer.getPodSelector().getMatchLabels(), "one peer: namespace AND pod labels");

        NetworkPolicy custom = NetworkPolicies.tunnel(cr, "gateways", Map.of("app", "my-gateway"));
        assertTrue(
                admits(custom, new Pod("gateways", Map.of("app", "my-gateway")), 8042),
                "the operator's ingress settings");
        assertFalse(admits(custom, gateway, 8042));
    }

    @Test
    void theManagementPortsAdmitTheInstallationsNamespaceOnly() {
        assertManagement(NetworkPolicies.proxy(cr), 8081);
        assertManagement(tunnelPolicy(), 8082);
        assertFalse(admits(NetworkPolicies.proxy(cr), neighbour, 8082));
        assertFalse(admits(tunnelPolicy(), neighbour, 8081));
    }

    @Test
    void everyPortAWorkloadListensOnIsCoveredAndNoOther() {
        ConnectivityProxy cr = Fixtures.cr();
        assertEquals(
                containerPorts(Workloads.proxyService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, "h")
                        .getSpec()
                        .getTemplate()),
                policyPorts(NetworkPolicies.proxy(cr)));
        assertEquals(
                containerPorts(Workloads.tunnelService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, "h")
                        .getSpec()
                        .getTemplate()),
                policyPorts(tunnelPolicy()));
    }

    @Test
    void emptySelectorsAreWrittenOutSinceTheyMeanEverything() throws Exception {
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(NetworkPolicies.proxy(cr));
        assertTrue(json.contains("{\"namespaceSelector\":{}}"), json);
        assertTrue(json.contains("{\"podSelector\":{}}"), json);
    }

    @Test
    void aRemovedPortChangesTheContentHashSoTheUpdateReplacesTheRules() {
        ConnectivityProxy moved = Fixtures.cr();
        moved.getSpec().getConfig().getServers().getProxy().getSocks5().setEnabled(false);
        assertFalse(NetworkPolicies.proxy(cr)
                .getMetadata()
                .getAnnotations()
                .get(Names.CONTENT_HASH_ANNOTATION)
                .equals(NetworkPolicies.proxy(moved)
                        .getMetadata()
                        .getAnnotations()
                        .get(Names.CONTENT_HASH_ANNOTATION)));
    }

    private void assertManagement(NetworkPolicy policy, int port) {
        String name = policy.getMetadata().getName();
        assertTrue(admits(policy, neighbour, port), name + ": a pod of the namespace reaches " + port);
        assertTrue(admits(policy, proxyPod, port), name);
        assertFalse(admits(policy, appPod, port), name + ": another namespace does not reach " + port);
        assertFalse(admits(policy, gateway, port), name);
    }

    private NetworkPolicy tunnelPolicy() {
        return NetworkPolicies.tunnel(cr, GATEWAY_NS, GATEWAY_SELECTOR);
    }

    /** Kubernetes' semantics for ingress from a pod: some rule lists the port, and some of its peers matches. */
    static boolean admits(NetworkPolicy policy, Pod source, int port) {
        return policy.getSpec().getIngress().stream()
                .anyMatch(rule -> rule.getPorts().stream()
                                .anyMatch(p -> "TCP".equals(p.getProtocol())
                                        && p.getPort().getIntVal() == port)
                        && rule.getFrom().stream()
                                .anyMatch(peer -> peerMatches(
                                        peer, source, policy.getMetadata().getNamespace())));
    }

    private static boolean peerMatches(NetworkPolicyPeer peer, Pod source, String policyNamespace) {
        if (peer.getIpBlock() != null) {
            return false;
        }
        boolean namespaceOk = peer.getNamespaceSelector() == null
                ? source.namespace().equals(policyNamespace)
                : matches(peer.getNamespaceSelector(), source.namespaceLabels());
        boolean podOk = peer.getPodSelector() == null || matches(peer.getPodSelector(), source.labels());
        return namespaceOk && podOk;
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchLabels() != null
                && !selector.getMatchLabels().entrySet().stream()
                        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                assertEquals("In", requirement.getOperator(), "only In is used");
                if (!requirement.getValues().contains(labels.get(requirement.getKey()))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Map<String, String> podLabels(PodTemplateSpec template) {
        return template.getMetadata().getLabels();
    }

    private static List<Integer> containerPorts(PodTemplateSpec template) {
        return template.getSpec().getContainers().get(0).getPorts().stream()
                .map(p -> p.getContainerPort())
                .sorted()
                .collect(Collectors.toList());
    }

    private static List<Integer> policyPorts(NetworkPolicy policy) {
        return policy.getSpec().getIngress().stream()
                .flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal())
                .sorted()
                .collect(Collectors.toList());
    }
}
