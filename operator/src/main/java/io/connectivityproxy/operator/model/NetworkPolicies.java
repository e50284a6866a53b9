package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ProxyServer;
import io.connectivityproxy.operator.api.ProxyServers;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;

/**
 * Who may connect to which port of the installation's pods: one NetworkPolicy per workload, each
 * allowing exactly its listeners. Hazelcast has no member authentication in its open source
 * edition, so the cluster ports (Hazelcast and the event bus) admit only the installation's own
 * pods; the tunnel port admits only the ingress gateway (tunnel-service trusts the
 * X-Forwarded-Client-Cert header it sets); the proxy ports admit every pod of the cluster; the
 * management ports admit the installation's namespace. Everything else is dropped, on a CNI
 * that enforces NetworkPolicies. Egress is not restricted. Pure.
 */
public final class NetworkPolicies {

    /** The label every namespace carries with its own name (Kubernetes 1.21+). */
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    private NetworkPolicies() {}

    /** {@code connectivity-proxy}: for proxy-service's pods. */
    public static NetworkPolicy proxy(ConnectivityProxy cr) {
        ProxyServers proxy = cr.getSpec().getConfig().getServers().getProxy();
        List<NetworkPolicyPort> proxyPorts = new ArrayList<>();
        for (ProxyServer server : List.of(proxy.getHttp(), proxy.getRfcAndLdap(), proxy.getSocks5())) {
            if (server.isEnabled()) {
                proxyPorts.add(port(server.getPort()));
            }
        }
        List<NetworkPolicyIngressRule> rules = new ArrayList<>();
        rules.add(clusterRule());
        // Workloads of any namespace use the proxy: an empty namespace selector is every pod, but no address outside
        // the cluster.
        rules.add(rule(
                List.of(new NetworkPolicyPeerBuilder()
                        .withNamespaceSelector(new LabelSelector())
                        .build()),
                proxyPorts));
        rules.add(managementRule(Workloads.PROXY_MANAGEMENT_PORT));
        return policy(cr, Names.PROXY, Labels.PROXY_SERVICE, rules);
    }

    /**
     * {@code connectivity-proxy-tunnel}: for tunnel-service's pods. The tunnel port (WebSocket and
     * {@code /healthcheck}) is for the ingress gateway's pods only: {@code gatewayNamespace} and
     * {@code gatewaySelector} are the operator's ingress settings, which also select the Gateway.
     */
    public static NetworkPolicy tunnel(
            ConnectivityProxy cr, String gatewayNamespace, Map<String, String> gatewaySelector) {
        NetworkPolicyPeer gateway = new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, gatewayNamespace))
                        .build())
                .withPodSelector(new LabelSelectorBuilder()
                        .withMatchLabels(new LinkedHashMap<>(gatewaySelector))
                        .build())
                .build();
        List<NetworkPolicyIngressRule> rules = new ArrayList<>();
        rules.add(clusterRule());
        rules.add(rule(List.of(gateway), List.of(port(ProxyServices.TUNNEL_PORT))));
        rules.add(managementRule(Workloads.TUNNEL_MANAGEMENT_PORT));
        return policy(cr, Names.TUNNEL, Labels.TUNNEL_SERVICE, rules);
    }

    /** The pods of both workloads of this installation, by the labels their controllers select them with. */
    public static LabelSelector installationPods() {
        return new LabelSelectorBuilder()
                .withMatchLabels(Map.of(Labels.NAME, Labels.PRODUCT))
                .addNewMatchExpression()
                .withKey(Labels.COMPONENT)
                .withOperator("In")
                .withValues(Labels.PROXY_SERVICE, Labels.TUNNEL_SERVICE)
                .endMatchExpression()
                .build();
    }

    // Hazelcast and the event bus: members only. A pod selector without a namespace selector means this namespace.
    private static NetworkPolicyIngressRule clusterRule() {
        return rule(
                List.of(new NetworkPolicyPeerBuilder()
                        .withPodSelector(installationPods())
                        .build()),
                List.of(port(ProxyServices.HAZELCAST_PORT), port(ProxyServices.EVENT_BUS_PORT)));
    }

    // Health, metrics and admin: any pod of the namespace. Kubelet probes come from the node, which most CNIs always
    // admit.
    private static NetworkPolicyIngressRule managementRule(int port) {
        return rule(
                List.of(new NetworkPolicyPeerBuilder()
                        .withPodSelector(new LabelSelector())
                        .build()),
                List.of(port(port)));
    }

    private static NetworkPolicy policy(
            ConnectivityProxy cr, String name, String component, List<NetworkPolicyIngressRule> rules) {
        return ObjectMetas.withContentHash(new NetworkPolicyBuilder()
                .withMetadata(ObjectMetas.owned(cr, name, component))
                .withNewSpec()
                .withPodSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Labels.selector(component))
                        .build())
                .withPolicyTypes("Ingress")
                .withIngress(rules)
                .endSpec()
                .build());
    }

    private static NetworkPolicyIngressRule rule(List<NetworkPolicyPeer> from, List<NetworkPolicyPort> ports) {
        return new NetworkPolicyIngressRuleBuilder()
                .withFrom(from)
                .withPorts(ports)
                .build();
    }

    private static NetworkPolicyPort port(int port) {
        return new NetworkPolicyPortBuilder()
                .withProtocol("TCP")
                .withPort(new IntOrString(port))
                .build();
    }
}
