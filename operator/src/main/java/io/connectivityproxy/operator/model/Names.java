package io.connectivityproxy.operator.model;

/** Names of everything the operator creates; SAP's where SAP fixes them, so existing clients find them. */
public final class Names {

    /** proxy-service Deployment and the Service workloads send proxy traffic to (ports 20003/20001/20004). */
    public static final String PROXY = "connectivity-proxy";
    /**
     * tunnel-service StatefulSet and its Service (8042), target of the Istio route. The pods are
     * {@code connectivity-proxy-tunnel-<ordinal>}, each with a Service of that name too.
     */
    public static final String TUNNEL = "connectivity-proxy-tunnel";
    /** The path tunnel-service serves the tunnel WebSocket at; each replica also at {@code /tunnel/<pod>}. */
    public static final String TUNNEL_PATH = "/tunnel";
    /** The label the StatefulSet controller puts on each of its pods, with the pod's name. */
    public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    /** Label of the per-replica Services, with the name of the pod each routes to. */
    public static final String TUNNEL_REPLICA_LABEL = "connectivityproxy.sap.com/tunnel-replica";
    /** tunnel-service's ServiceAccount (namespaced) and its ClusterRole and ClusterRoleBinding (cluster-scoped). */
    public static final String TUNNEL_SERVICE_ACCOUNT = "connectivity-proxy-tunnel";

    public static final String TUNNEL_CLUSTER_ROLE = "connectivity-proxy-tunnel";
    /**
     * Headless Service whose DNS lists every pod of both workloads for Hazelcast discovery; also
     * the tunnel StatefulSet's governing Service.
     */
    public static final String CLUSTER = "connectivity-proxy-cluster";
    /** ConfigMap telling workloads how to reach the proxy, with SAP's keys. */
    public static final String INFO_CONFIG_MAP = "connectivity-proxy-info";
    /** Istio Gateway and VirtualService of the tunnel endpoint. */
    public static final String GATEWAY = "connectivity-proxy-tunnel";
    /**
     * VirtualService of SAP's external health check, {@code https://healthcheck.<external host>/healthcheck}:
     * served by the tunnel Gateway without a client certificate, routing that one path only.
     */
    public static final String HEALTHCHECK = "connectivity-proxy-healthcheck";
    /** The path of the health check, on the healthcheck host and on tunnel-service's port 8042. */
    public static final String HEALTHCHECK_PATH = "/healthcheck";
    /** Secret with the CA that signs the gateway's server certificate. */
    public static final String CA_SECRET = "connectivity-proxy-ca";
    /** Secret with the CA that signs connector client certificates. */
    public static final String CONNECTOR_CA_SECRET = "connectivity-proxy-connector-ca";
    /** Secret with the CA that signs cluster member certificates; trusted for nothing else. */
    public static final String CLUSTER_CA_SECRET = "connectivity-proxy-cluster-ca";
    /** Secret with the certificate and key every cluster member presents on the event bus, and the cluster CA. */
    public static final String CLUSTER_TLS_SECRET = "connectivity-proxy-cluster-tls";
    /** Common name of the cluster member certificate. */
    public static final String CLUSTER_MEMBER_CN = "connectivity-proxy-cluster";
    /** Generated gateway server certificate, in the ingress namespace, when the TLS secret is auto-provisioned. */
    public static final String GATEWAY_TLS_SECRET = "connectivity-proxy-tunnel-tls";
    /** btp-operator ServiceInstance and ServiceBinding. */
    public static final String SERVICE_INSTANCE = "connectivity-proxy";

    public static final String SERVICE_BINDING = "connectivity-proxy";
    /** Secret the ServiceBinding writes the service key to. */
    public static final String SERVICE_KEY_SECRET = "connectivity-proxy-service-key";

    /** Where Kyma publishes the cluster's domain (key {@code domain}). */
    public static final String SHOOT_INFO_NAMESPACE = "kube-system";

    public static final String SHOOT_INFO_CONFIG_MAP = "shoot-info";
    public static final String SHOOT_INFO_DOMAIN_KEY = "domain";

    /** CRDs whose absence means a Kyma module is missing. */
    public static final String ISTIO_GATEWAY_CRD = "gateways.networking.istio.io";

    public static final String ISTIO_VIRTUAL_SERVICE_CRD = "virtualservices.networking.istio.io";
    public static final String BTP_SERVICE_INSTANCE_CRD = "serviceinstances.services.cloud.sap.com";
    public static final String BTP_SERVICE_BINDING_CRD = "servicebindings.services.cloud.sap.com";

    /** Label on Secrets/ConfigMaps whose changes roll the workloads. */
    public static final String RESTART_LABEL = "connectivityproxy.sap.com/restart";
    /** Pod-template annotation whose change rolls a workload. */
    public static final String CONFIG_HASH_ANNOTATION = "connectivityproxy.sap.com/config-hash";
    /** Pod-template annotation: digest of the cluster member certificate, so a reissued one rolls the workloads. */
    public static final String CLUSTER_TLS_HASH_ANNOTATION = "connectivityproxy.sap.com/cluster-tls-hash";
    /** Metadata annotation with a digest of the desired content, so removed list entries are noticed. */
    public static final String CONTENT_HASH_ANNOTATION = "connectivityproxy.sap.com/content-hash";

    private Names() {}

    /** SAP's host of the external health check: {@code healthcheck.<external host>}. */
    public static String healthcheckHost(String externalHost) {
        return "healthcheck." + externalHost;
    }

    /** In-cluster DNS name of a Service. */
    public static String serviceHost(String service, String namespace) {
        return service + "." + namespace + ".svc.cluster.local";
    }

    /** The auto-provisioned tunnel host, SAP's {@code cp.<cluster domain>}. */
    public static String externalHost(String clusterDomain) {
        return "cp." + clusterDomain;
    }

    /** The tunnel-service pod of {@code ordinal}, and the name of its per-replica Service. */
    public static String tunnelReplica(int ordinal) {
        return TUNNEL + "-" + ordinal;
    }

    /** Label value that ties a restart-labelled resource to one installation. */
    public static String restartTarget(String name, String namespace) {
        return name + "." + namespace;
    }
}
