package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.istio.VirtualService;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/**
 * Every tunnel-service replica reachable through the gateway at a path of its own, as SAP's
 * standalone chart does in "path" mode (docs/operator.md, High availability). Pod P of the
 * StatefulSet ({@code connectivity-proxy-tunnel-<ordinal>}) gets a Service P selecting only it, a
 * VirtualService route from {@code /tunnel/P} to that Service (rewritten to {@code /tunnel}), and
 * {@code TUNNEL_REPLICA_URL=wss://<external host>:<external port>/tunnel/P}, which tunnel-service
 * announces to connectors so that they hold a session to every replica.
 */
public final class TunnelReplicas {

    /** Defined before {@link #REPLICA_URL_VARIABLE} so that Kubernetes expands it in that one's value. */
    public static final String POD_NAME_VARIABLE = "POD_NAME";
    /** tunnel-service's {@code tunnel.replica-url}. */
    public static final String REPLICA_URL_VARIABLE = "TUNNEL_REPLICA_URL";

    private TunnelReplicas() {}

    /** The pods the StatefulSet runs for {@code spec.deployment.replicaCount}, by ordinal. */
    public static List<String> pods(ConnectivityProxy cr) {
        int replicas = cr.getSpec().getDeployment().getReplicaCount();
        List<String> pods = new ArrayList<>(replicas);
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
            pods.add(Names.tunnelReplica(ordinal));
        }
        return pods;
    }

    /** The gateway path of one replica. */
    public static String path(String pod) {
        return Names.TUNNEL_PATH + "/" + pod;
    }

    /**
     * The value of {@code TUNNEL_REPLICA_URL}, with {@code $(POD_NAME)} for Kubernetes to expand;
     * empty while the external host is unknown (the replica is then not announced, and connectors
     * reach it through the general route only).
     */
    public static Optional<String> replicaUrl(ResolvedConfig resolved) {
        return resolved.externalHost()
                .map(host -> "wss://" + host + ":" + resolved.externalPort() + path("$(" + POD_NAME_VARIABLE + ")"));
    }

    /** Service {@code pod}: the tunnel port of that one pod, the destination of its route. */
    public static Service service(ConnectivityProxy cr, String pod) {
        ObjectMeta metadata = ObjectMetas.owned(cr, pod, Labels.TUNNEL_SERVICE);
        metadata.getLabels().put(Names.TUNNEL_REPLICA_LABEL, pod);
        return ObjectMetas.withContentHash(new ServiceBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Map.of(Names.POD_NAME_LABEL, pod))
                .addNewPort()
                .withName(ProxyServices.TUNNEL_PORT_NAME)
                .withPort(ProxyServices.TUNNEL_PORT)
                .withTargetPort(new IntOrString(ProxyServices.TUNNEL_PORT_NAME))
                .withProtocol("TCP")
                .withAppProtocol("http")
                .endPort()
                .endSpec()
                .build());
    }

    /** One Service per pod, by ordinal. */
    public static List<Service> services(ConnectivityProxy cr) {
        return pods(cr).stream().map(pod -> service(cr, pod)).toList();
    }

    /**
     * The per-replica routes, to go before the general one. Highest ordinal first: prefix
     * {@code /tunnel/connectivity-proxy-tunnel-1} would also match the path of replica 10, and
     * Istio takes the first route that matches.
     */
    static List<VirtualService.HttpRoute> routes(ConnectivityProxy cr) {
        String namespace = cr.getMetadata().getNamespace();
        List<String> pods = new ArrayList<>(pods(cr));
        java.util.Collections.reverse(pods);
        return pods.stream()
                .map(pod -> new VirtualService.HttpRoute(
                        pod,
                        List.of(new VirtualService.HttpMatch(VirtualService.StringMatch.ofPrefix(path(pod)))),
                        new VirtualService.HttpRewrite(Names.TUNNEL_PATH),
                        List.of(new VirtualService.RouteDestination(new VirtualService.Destination(
                                Names.serviceHost(pod, namespace),
                                new VirtualService.PortSelector(ProxyServices.TUNNEL_PORT))))))
                .toList();
    }
}
