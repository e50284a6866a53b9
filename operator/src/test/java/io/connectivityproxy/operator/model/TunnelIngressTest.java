package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.istio.Gateway;
import io.connectivityproxy.operator.model.istio.VirtualService;

class TunnelIngressTest {

    @Test
    void gatewayTerminatesMutualTlsForTheExternalHost() {
        ConnectivityProxy cr = Fixtures.cr();
        Gateway gateway = TunnelIngress.gateway(cr, Fixtures.resolved(cr), Map.of("istio", "ingressgateway"));
        assertEquals("connectivity-proxy-tunnel", gateway.getMetadata().getName());
        assertEquals("networking.istio.io/v1", gateway.getApiVersion());
        assertEquals(2, gateway.getSpec().servers().size());
        Gateway.Server server = gateway.getSpec().servers().get(0);
        assertEquals(443, server.port().number());
        assertEquals("HTTPS", server.port().protocol());
        assertEquals(List.of("cp.c-1.kyma.example"), server.hosts());
        assertEquals("MUTUAL", server.tls().mode());
        assertEquals(Names.GATEWAY_TLS_SECRET, server.tls().credentialName());
        assertEquals(Map.of("istio", "ingressgateway"), gateway.getSpec().selector());
    }

    @Test
    void aGivenHostAndSecretAreUsedAsGiven() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalHost("tunnel.example.org");
        cr.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalPort(8443);
        cr.getSpec().getIngress().getTls().setSecretName("my-tls");
        Gateway.Server server = TunnelIngress.gateway(cr, Fixtures.resolved(cr), Map.of())
                .getSpec()
                .servers()
                .get(0);
        assertEquals(List.of("tunnel.example.org"), server.hosts());
        assertEquals(8443, server.port().number());
        assertEquals("my-tls", server.tls().credentialName());
    }

    @Test
    void virtualServiceRoutesTheGatewayToTunnelService() {
        ConnectivityProxy cr = Fixtures.cr();
        VirtualService route = TunnelIngress.virtualService(cr, Fixtures.resolved(cr));
        assertEquals(
                List.of("kyma-system/connectivity-proxy-tunnel"),
                route.getSpec().gateways());
        assertEquals(List.of("cp.c-1.kyma.example"), route.getSpec().hosts());
        List<VirtualService.HttpRoute> routes = route.getSpec().http();
        assertEquals(
                List.of("connectivity-proxy-tunnel-0", "tunnel"),
                routes.stream().map(VirtualService.HttpRoute::name).toList(),
                "the one replica's own path first, then the rest");
        VirtualService.Destination destination =
                routes.get(routes.size() - 1).route().get(0).destination();
        assertEquals("connectivity-proxy-tunnel.kyma-system.svc.cluster.local", destination.host());
        assertEquals(8042, destination.port().number());
    }

    @Test
    void theHealthcheckHostIsServedWithoutAClientCertificateOnTheSamePort() {
        ConnectivityProxy cr = Fixtures.cr();
        Gateway.Server server = TunnelIngress.gateway(cr, Fixtures.resolved(cr), Map.of())
                .getSpec()
                .servers()
                .get(1);
        assertEquals(List.of("healthcheck.cp.c-1.kyma.example"), server.hosts());
        assertEquals("SIMPLE", server.tls().mode(), "no client certificate");
        assertEquals(443, server.port().number());
        assertEquals("https-healthcheck", server.port().name(), "Istio needs a name of its own per server");
        assertEquals(Names.GATEWAY_TLS_SECRET, server.tls().credentialName());
    }

    @Test
    void theHealthcheckVirtualServiceRoutesOnlyTheHealthcheckPathToTunnelService() {
        ConnectivityProxy cr = Fixtures.cr();
        VirtualService route = TunnelIngress.healthcheck(cr, Fixtures.resolved(cr));
        assertEquals("connectivity-proxy-healthcheck", route.getMetadata().getName());
        assertEquals(List.of("healthcheck.cp.c-1.kyma.example"), route.getSpec().hosts());
        assertEquals(
                List.of("kyma-system/connectivity-proxy-tunnel"),
                route.getSpec().gateways());
        assertEquals(1, route.getSpec().http().size());
        VirtualService.HttpRoute only = route.getSpec().http().get(0);
        assertEquals(
                List.of(new VirtualService.HttpMatch(VirtualService.StringMatch.ofExact("/healthcheck"))),
                only.match());
        assertEquals(
                "connectivity-proxy-tunnel.kyma-system.svc.cluster.local",
                only.route().get(0).destination().host());
        assertEquals(8042, only.route().get(0).destination().port().number());
        assertNull(only.rewrite());
    }
}
