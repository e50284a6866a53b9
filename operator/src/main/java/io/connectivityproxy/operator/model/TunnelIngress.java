package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.istio.Gateway;
import io.connectivityproxy.operator.model.istio.VirtualService;

/**
 * Istio Gateway {@code connectivity-proxy-tunnel} and its two VirtualServices. The Gateway has
 * two servers on the external port: mutual TLS for the external host, routed whole to
 * tunnel-service (each replica's {@code /tunnel/<pod>} to that pod, see {@link TunnelReplicas});
 * and plain TLS (no client certificate) for SAP's health check host
 * {@code healthcheck.<external host>}, whose VirtualService routes only {@code /healthcheck}, so
 * that a request there reaches nothing but the health answer (Envoy answers 404 to any other
 * path). Istio keeps the routes of the two servers apart: each HTTPS server gets a route table
 * of its own hosts, chosen by SNI.
 */
public final class TunnelIngress {

    /** The route of every path no replica route takes, to Service {@code connectivity-proxy-tunnel}. */
    public static final String GENERAL_ROUTE = "tunnel";

    private TunnelIngress() {}

    /** Needs the external host, so only called once it is resolved. */
    public static Gateway gateway(ConnectivityProxy cr, ResolvedConfig resolved, Map<String, String> gatewaySelector) {
        String host = resolved.externalHost().orElseThrow();
        int port = cr.getSpec().getConfig().getServers().getBusinessDataTunnel().getExternalPort();
        Gateway gateway = new Gateway();
        gateway.setMetadata(ObjectMetas.owned(cr, Names.GATEWAY, Labels.TUNNEL_SERVICE));
        gateway.setSpec(new Gateway.Spec(
                new java.util.TreeMap<>(gatewaySelector),
                List.of(
                        new Gateway.Server(
                                new Gateway.Port(port, "https-tunnel", "HTTPS"),
                                List.of(host),
                                new Gateway.Tls("MUTUAL", resolved.gatewayTlsSecretName(), "TLSV1_2")),
                        new Gateway.Server(
                                new Gateway.Port(port, "https-healthcheck", "HTTPS"),
                                List.of(Names.healthcheckHost(host)),
                                new Gateway.Tls("SIMPLE", resolved.gatewayTlsSecretName(), "TLSV1_2")))));
        return ObjectMetas.withContentHash(gateway);
    }

    public static VirtualService virtualService(ConnectivityProxy cr, ResolvedConfig resolved) {
        String host = resolved.externalHost().orElseThrow();
        String namespace = cr.getMetadata().getNamespace();
        VirtualService service = new VirtualService();
        service.setMetadata(ObjectMetas.owned(cr, Names.GATEWAY, Labels.TUNNEL_SERVICE));
        // Each replica's own path first (Istio takes the first route that matches), then everything else to any
        // replica. No route timeout: a tunnel is one long-lived WebSocket; its pings detect dead peers.
        List<VirtualService.HttpRoute> routes = new ArrayList<>(TunnelReplicas.routes(cr));
        routes.add(new VirtualService.HttpRoute(GENERAL_ROUTE, null, null, tunnelService(namespace)));
        service.setSpec(new VirtualService.Spec(List.of(host), List.of(namespace + "/" + Names.GATEWAY), routes));
        return ObjectMetas.withContentHash(service);
    }

    /** The health check host's only route: {@code /healthcheck}, exactly, to tunnel-service. */
    public static VirtualService healthcheck(ConnectivityProxy cr, ResolvedConfig resolved) {
        String host = resolved.externalHost().orElseThrow();
        String namespace = cr.getMetadata().getNamespace();
        VirtualService service = new VirtualService();
        service.setMetadata(ObjectMetas.owned(cr, Names.HEALTHCHECK, Labels.TUNNEL_SERVICE));
        service.setSpec(new VirtualService.Spec(
                List.of(Names.healthcheckHost(host)),
                List.of(namespace + "/" + Names.GATEWAY),
                List.of(new VirtualService.HttpRoute(
                        "healthcheck",
                        List.of(new VirtualService.HttpMatch(
                                VirtualService.StringMatch.ofExact(Names.HEALTHCHECK_PATH))),
                        null,
                        tunnelService(namespace)))));
        return ObjectMetas.withContentHash(service);
    }

    private static List<VirtualService.RouteDestination> tunnelService(String namespace) {
        return List.of(new VirtualService.RouteDestination(new VirtualService.Destination(
                Names.serviceHost(Names.TUNNEL, namespace),
                new VirtualService.PortSelector(ProxyServices.TUNNEL_PORT))));
    }
}
