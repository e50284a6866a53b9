package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ProxyServer;
import io.connectivityproxy.operator.api.ProxyServers;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** The three Services: proxy listeners, tunnel endpoint, and the headless cluster-discovery Service. */
public final class ProxyServices {

    /** Port names on the proxy Service, SAP's, so existing workloads keep working. */
    public static final String HTTP_PORT_NAME = "http";

    public static final String RFC_AND_LDAP_PORT_NAME = "rfc-and-ldap";
    public static final String SOCKS5_PORT_NAME = "socks5";
    /** tunnel-service's WebSocket port behind the Istio gateway; the name tells Istio it speaks HTTP. */
    public static final int TUNNEL_PORT = 8042;

    public static final String TUNNEL_PORT_NAME = "http-tunnel";
    /** Hazelcast member port of both workloads. */
    public static final int HAZELCAST_PORT = 5701;

    public static final String HAZELCAST_PORT_NAME = "tcp-hazelcast";
    /** Vert.x event bus port of both workloads (cluster.event-bus-port); fixed so that the NetworkPolicy can name it. */
    public static final int EVENT_BUS_PORT = 5710;

    public static final String EVENT_BUS_PORT_NAME = "tcp-event-bus";

    private ProxyServices() {}

    /** {@code connectivity-proxy}: the enabled proxy listeners of proxy-service. */
    public static Service proxy(ConnectivityProxy cr) {
        return ObjectMetas.withContentHash(new ServiceBuilder()
                .withMetadata(ObjectMetas.owned(cr, Names.PROXY, Labels.PROXY_SERVICE))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Labels.selector(Labels.PROXY_SERVICE))
                .withPorts(proxyPorts(cr.getSpec().getConfig().getServers().getProxy()))
                .endSpec()
                .build());
    }

    /** {@code connectivity-proxy-tunnel}: tunnel-service's WebSocket endpoint, routed to by the VirtualService. */
    public static Service tunnel(ConnectivityProxy cr) {
        return ObjectMetas.withContentHash(new ServiceBuilder()
                .withMetadata(ObjectMetas.owned(cr, Names.TUNNEL, Labels.TUNNEL_SERVICE))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Labels.selector(Labels.TUNNEL_SERVICE))
                .withPorts(port(TUNNEL_PORT_NAME, TUNNEL_PORT, "http"))
                .endSpec()
                .build());
    }

    /**
     * {@code connectivity-proxy-cluster}: headless, over the pods of both workloads, so that its DNS
     * name lists every Hazelcast member. Not-ready pods are published because a pod only becomes
     * ready after it joined the cluster, which needs this very lookup.
     */
    public static Service cluster(ConnectivityProxy cr) {
        return ObjectMetas.withContentHash(new ServiceBuilder()
                .withMetadata(ObjectMetas.owned(cr, Names.CLUSTER, "cluster"))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(Map.of(Labels.NAME, Labels.PRODUCT))
                .withPorts(port(HAZELCAST_PORT_NAME, HAZELCAST_PORT, "tcp"))
                .endSpec()
                .build());
    }

    static List<ServicePort> proxyPorts(ProxyServers proxy) {
        List<ServicePort> ports = new ArrayList<>();
        addIfEnabled(ports, HTTP_PORT_NAME, proxy.getHttp(), "http");
        addIfEnabled(ports, RFC_AND_LDAP_PORT_NAME, proxy.getRfcAndLdap(), "tcp");
        addIfEnabled(ports, SOCKS5_PORT_NAME, proxy.getSocks5(), "tcp");
        return ports;
    }

    private static void addIfEnabled(List<ServicePort> ports, String name, ProxyServer server, String appProtocol) {
        if (server.isEnabled()) {
            ports.add(port(name, server.getPort(), appProtocol));
        }
    }

    private static ServicePort port(String name, int port, String appProtocol) {
        return new ServicePortBuilder()
                .withName(name)
                .withPort(port)
                .withTargetPort(new IntOrString(name))
                .withProtocol("TCP")
                .withAppProtocol(appProtocol)
                .build();
    }
}
