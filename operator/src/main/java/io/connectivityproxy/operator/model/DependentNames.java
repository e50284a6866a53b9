package io.connectivityproxy.operator.model;

/** Names of the workflow's dependents; status and events refer to them. */
public final class DependentNames {

    public static final String CA_SECRET = "ca-secret";
    public static final String CONNECTOR_CA_SECRET = "connector-ca-secret";
    public static final String GATEWAY_TLS_SECRET = "gateway-tls-secret";
    public static final String CLUSTER_CA_SECRET = "cluster-ca-secret";
    public static final String CLUSTER_TLS_SECRET = "cluster-tls-secret";
    public static final String PROXY_NETWORK_POLICY = "proxy-network-policy";
    public static final String TUNNEL_NETWORK_POLICY = "tunnel-network-policy";
    public static final String INFO_CONFIG_MAP = "info-config-map";
    public static final String PROXY_SERVICE = "proxy-service";
    public static final String TUNNEL_SERVICE = "tunnel-service";
    public static final String CLUSTER_SERVICE = "cluster-service";
    public static final String PROXY_DEPLOYMENT = "proxy-deployment";
    public static final String TUNNEL_STATEFUL_SET = "tunnel-stateful-set";
    /** The per-replica Services of tunnel-service, one bulk dependent. */
    public static final String TUNNEL_REPLICA_SERVICES = "tunnel-replica-services";
    /** tunnel-service's Deployment of operator versions before the StatefulSet; only deleted. */
    public static final String LEGACY_TUNNEL_DEPLOYMENT = "legacy-tunnel-deployment";

    public static final String TUNNEL_SERVICE_ACCOUNT = "tunnel-service-account";
    public static final String TUNNEL_CLUSTER_ROLE = "tunnel-cluster-role";
    public static final String TUNNEL_CLUSTER_ROLE_BINDING = "tunnel-cluster-role-binding";
    public static final String GATEWAY = "gateway";
    public static final String VIRTUAL_SERVICE = "virtual-service";
    public static final String HEALTHCHECK_VIRTUAL_SERVICE = "healthcheck-virtual-service";
    public static final String SERVICE_INSTANCE = "service-instance";
    public static final String SERVICE_BINDING = "service-binding";
    public static final String PROXY_DISRUPTION_BUDGET = "proxy-disruption-budget";
    public static final String TUNNEL_DISRUPTION_BUDGET = "tunnel-disruption-budget";
    public static final String PROXY_AUTOSCALER = "proxy-autoscaler";

    private DependentNames() {}
}
