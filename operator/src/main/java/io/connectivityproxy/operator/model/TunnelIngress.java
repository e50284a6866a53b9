package io.connectivityproxy.operator.model;

import java.util.List;
import java.util.Map;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.istio.Gateway;
import io.connectivityproxy.operator.model.istio.VirtualService;

/**
 * Istio Gateway {@code connectivity-proxy-tunnel} (mutual TLS on the external port for the
 * external host) and the VirtualService routing it to tunnel-service.
 */
public final class TunnelIngress {

    private TunnelIngress() {
    }

    /** Needs the external host, so only called once it is resolved. */
    public static Gateway gateway(ConnectivityProxy cr, ResolvedConfig resolved, Map<String, String> gatewaySelector) {
        String host = resolved.externalHost().orElseThrow();
        int port = cr.getSpec().getConfig().getServers().getBusinessDataTunnel().getExternalPort();
        Gateway gateway = new Gateway();
        gateway.setMetadata(ObjectMetas.owned(cr, Names.GATEWAY, Labels.TUNNEL_SERVICE));
        gateway.setSpec(new Gateway.Spec(new java.util.TreeMap<>(gatewaySelector), List.of(new Gateway.Server(
                new Gateway.Port(port, "https-tunnel", "HTTPS"),
                List.of(host),
                new Gateway.Tls("MUTUAL", resolved.gatewayTlsSecretName(), "TLSV1_2")))));
        return ObjectMetas.withContentHash(gateway);
    }

    public static VirtualService virtualService(ConnectivityProxy cr, ResolvedConfig resolved) {
        String host = resolved.externalHost().orElseThrow();
        String namespace = cr.getMetadata().getNamespace();
        VirtualService service = new VirtualService();
        service.setMetadata(ObjectMetas.owned(cr, Names.GATEWAY, Labels.TUNNEL_SERVICE));
        service.setSpec(new VirtualService.Spec(
                List.of(host),
                List.of(namespace + "/" + Names.GATEWAY),
                // No route timeout: a tunnel is one long-lived WebSocket; its pings detect dead peers.
                List.of(new VirtualService.HttpRoute("tunnel", List.of(new VirtualService.RouteDestination(
                        new VirtualService.Destination(Names.serviceHost(Names.TUNNEL, namespace),
                                new VirtualService.PortSelector(ProxyServices.TUNNEL_PORT))))))));
        return ObjectMetas.withContentHash(service);
    }
}
