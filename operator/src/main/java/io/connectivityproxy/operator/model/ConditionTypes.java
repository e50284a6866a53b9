package io.connectivityproxy.operator.model;

/** The status condition types, one per concern; docs/operator.md explains each. */
public final class ConditionTypes {

    public static final String INSTALLED = "Installed";
    public static final String TLS_READY = "TLSReady";
    public static final String SERVICE_BINDING_READY = "ServiceBindingReady";
    public static final String INGRESS_READY = "IngressReady";
    public static final String WORKLOADS_READY = "WorkloadsReady";
    public static final String SERVICE_CHANNELS = "ServiceChannels";
    public static final String PROXY_AUTHORIZATION = "ProxyAuthorization";

    public static final String DUPLICATE_MESSAGE = "only one ConnectivityProxy per cluster is supported";

    private ConditionTypes() {}
}
