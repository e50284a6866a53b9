package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.LogFormat;
import io.connectivityproxy.operator.api.ProxyConfig;
import io.connectivityproxy.operator.api.ProxyServer;
import io.connectivityproxy.operator.api.ProxyServers;
import io.connectivityproxy.operator.api.TenantMode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;

/**
 * The workloads: proxy-service's Deployment and tunnel-service's StatefulSet. The environment
 * variables are the contract with those services (their {@code @ConfigMapping}s:
 * {@code ProxySettings}, {@code TunnelSettings}, {@code ClusterSettings}); every variable set here
 * is one of their properties (and {@code POD_NAME}, which only feeds {@code TUNNEL_REPLICA_URL}),
 * and docs/operator.md lists them.
 */
public final class Workloads {

    public static final int PROXY_MANAGEMENT_PORT = 8081;
    public static final int TUNNEL_MANAGEMENT_PORT = 8082;
    public static final String MANAGEMENT_PORT_NAME = "management";
    /** Where both workloads find the cluster member certificate, its key and the cluster CA. */
    public static final String CLUSTER_TLS_MOUNT = "/etc/connectivity-proxy/cluster-tls";

    static final String CLUSTER_TLS_VOLUME = "cluster-tls";

    private Workloads() {}

    /**
     * @param clusterTlsHash {@link TlsSecrets#certificateFingerprint} of the cluster member Secret; a
     *        new certificate rolls the pods, which read it only at start
     */
    public static Deployment proxyService(
            ConnectivityProxy cr, ResolvedConfig resolved, WorkloadImages images, String clusterTlsHash) {
        ProxyServers proxy = cr.getSpec().getConfig().getServers().getProxy();
        List<ContainerPort> ports = new ArrayList<>();
        List<EnvVar> env = clusterEnv(cr);
        env.add(env("PROXY_HOST", "0.0.0.0"));
        listener(ports, env, "HTTP", ProxyServices.HTTP_PORT_NAME, proxy.getHttp());
        listener(ports, env, "RFC_AND_LDAP", ProxyServices.RFC_AND_LDAP_PORT_NAME, proxy.getRfcAndLdap());
        listener(ports, env, "SOCKS5", ProxyServices.SOCKS5_PORT_NAME, proxy.getSocks5());
        env.addAll(tenancyEnv(resolved));
        env.addAll(managementEnv(PROXY_MANAGEMENT_PORT));
        env.add(logFormatEnv(cr));
        ports.add(port(MANAGEMENT_PORT_NAME, PROXY_MANAGEMENT_PORT));
        ports.addAll(clusterPorts());

        Container container = container("proxy-service", images.proxyService(), images.pullPolicy(), cr)
                .withPorts(ports)
                .withEnv(env)
                .addToVolumeMounts(clusterTlsMount())
                .build();
        return deployment(
                cr,
                Names.PROXY,
                Labels.PROXY_SERVICE,
                resolved,
                clusterTlsHash,
                pod(container, List.of(clusterTlsVolume())));
    }

    /**
     * A StatefulSet, so that each pod has a stable name, the path the gateway routes to it by
     * ({@link TunnelReplicas}). Its pods are independent of each other: they start and stop in
     * parallel, and the headless cluster Service, which lists them anyway, governs them.
     *
     * @param clusterTlsHash as for {@link #proxyService}
     */
    public static StatefulSet tunnelService(
            ConnectivityProxy cr, ResolvedConfig resolved, WorkloadImages images, String clusterTlsHash) {
        List<EnvVar> env = clusterEnv(cr);
        env.add(env("TUNNEL_HOST", "0.0.0.0"));
        env.add(env("TUNNEL_PORT", String.valueOf(ProxyServices.TUNNEL_PORT)));
        TunnelReplicas.replicaUrl(resolved).ifPresent(url -> {
            env.add(fieldRef(TunnelReplicas.POD_NAME_VARIABLE, "metadata.name"));
            env.add(env(TunnelReplicas.REPLICA_URL_VARIABLE, url));
        });
        // The Istio gateway terminates mutual TLS and passes the client certificate in X-Forwarded-Client-Cert;
        // only the gateway can reach the tunnel port (NetworkPolicies), which is what makes the header trustworthy.
        env.add(env("TUNNEL_TLS_ENABLED", "false"));
        env.add(env("TUNNEL_TRUST_FORWARDED_CLIENT_CERT", "true"));
        env.addAll(serviceChannelsEnv(ServiceChannelSettings.of(cr, resolved)));
        env.addAll(managementEnv(TUNNEL_MANAGEMENT_PORT));
        env.add(logFormatEnv(cr));

        List<ContainerPort> ports = new ArrayList<>();
        ports.add(port(ProxyServices.TUNNEL_PORT_NAME, ProxyServices.TUNNEL_PORT));
        ports.add(port(MANAGEMENT_PORT_NAME, TUNNEL_MANAGEMENT_PORT));
        ports.addAll(clusterPorts());
        Container container = container("tunnel-service", images.tunnelService(), images.pullPolicy(), cr)
                .withPorts(ports)
                .withEnv(env)
                .addToVolumeMounts(clusterTlsMount())
                .build();
        PodSpec pod = pod(container, List.of(clusterTlsVolume()));
        // The one pod that talks to the API server: it watches ServiceMappings (TunnelServiceRbac).
        pod.setServiceAccountName(Names.TUNNEL_SERVICE_ACCOUNT);
        pod.setAutomountServiceAccountToken(true);
        return ObjectMetas.withContentHash(new StatefulSetBuilder()
                .withMetadata(ObjectMetas.owned(cr, Names.TUNNEL, Labels.TUNNEL_SERVICE))
                .withNewSpec()
                .withReplicas(HighAvailability.replicas(cr, Labels.TUNNEL_SERVICE))
                .withServiceName(Names.CLUSTER)
                .withPodManagementPolicy("Parallel")
                .withNewSelector()
                .withMatchLabels(Labels.selector(Labels.TUNNEL_SERVICE))
                .endSelector()
                // One pod at a time from the highest ordinal down, the next only once the replaced one is ready again.
                // A StatefulSet cannot surge: a pod is away while its replacement starts (connectors use the others).
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .endUpdateStrategy()
                .withTemplate(podTemplate(cr, Labels.TUNNEL_SERVICE, resolved, clusterTlsHash, pod))
                .endSpec()
                .build());
    }

    /**
     * proxy-service's tenancy and token settings (SAP's four modes). The subaccount is fixed only in
     * dedicated mode; the token settings are passed only when proxy-service looks at tokens, and
     * each only when it has a value (an empty value would fail the service's start, SRCFG00040).
     */
    private static List<EnvVar> tenancyEnv(ResolvedConfig resolved) {
        List<EnvVar> env = new ArrayList<>();
        boolean shared = resolved.sharedTenantMode();
        env.add(env("PROXY_TENANT_MODE", (shared ? TenantMode.SHARED : TenantMode.DEDICATED).value()));
        if (!shared) {
            resolved.subaccountId().ifPresent(id -> env.add(env("PROXY_SUBACCOUNT", id)));
        }
        ProxyAuthorization authorization = resolved.authorization();
        if (authorization.tokensInspected()) {
            authorization.allowedClientId().ifPresent(id -> env.add(env("PROXY_AUTHORIZATION_ALLOWED_CLIENT_ID", id)));
            if (!authorization.issuers().isEmpty()) {
                env.add(env("PROXY_AUTHORIZATION_ISSUERS", String.join(",", authorization.issuers())));
            }
            authorization.jwksUrl().ifPresent(url -> env.add(env("PROXY_AUTHORIZATION_JWKS_URL", url)));
        }
        return env;
    }

    /**
     * tunnel-service's {@code tunnel.service-channels.*}: it watches the ServiceMappings itself and
     * serves them only while they are enabled; a mapping without a subaccount gets the default one.
     */
    private static List<EnvVar> serviceChannelsEnv(ServiceChannelSettings channels) {
        List<EnvVar> env = new ArrayList<>();
        env.add(env("TUNNEL_SERVICE_CHANNELS_ENABLED", String.valueOf(channels.enabled())));
        env.add(env("TUNNEL_SERVICE_CHANNELS_KUBERNETES", "true"));
        env.add(env(
                "TUNNEL_SERVICE_CHANNELS_TENANT_MODE",
                (channels.sharedTenantMode() ? TenantMode.SHARED : TenantMode.DEDICATED).value()));
        channels.defaultSubaccount().ifPresent(id -> env.add(env("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT", id)));
        return env;
    }

    /** Both services' {@code cluster.*}: how they find each other and what the event bus presents and trusts. */
    private static List<EnvVar> clusterEnv(ConnectivityProxy cr) {
        List<EnvVar> env = new ArrayList<>();
        env.add(env(
                "CLUSTER_KUBERNETES_SERVICE_DNS",
                Names.serviceHost(Names.CLUSTER, cr.getMetadata().getNamespace())));
        // Hazelcast and the event bus must bind to the pod IP, never to localhost (design.md section 5).
        env.add(fieldRef("CLUSTER_HOST", "status.podIP"));
        // Fixed ports, so that the NetworkPolicies can name them.
        env.add(env("CLUSTER_PORT", String.valueOf(ProxyServices.HAZELCAST_PORT)));
        env.add(env("CLUSTER_EVENT_BUS_PORT", String.valueOf(ProxyServices.EVENT_BUS_PORT)));
        env.add(env("CLUSTER_TLS_CERTIFICATE", CLUSTER_TLS_MOUNT + "/" + TlsSecrets.TLS_CRT));
        env.add(env("CLUSTER_TLS_KEY", CLUSTER_TLS_MOUNT + "/" + TlsSecrets.TLS_KEY));
        env.add(env("CLUSTER_TLS_CA", CLUSTER_TLS_MOUNT + "/" + TlsSecrets.CA_CRT));
        return env;
    }

    private static List<ContainerPort> clusterPorts() {
        return List.of(
                port(ProxyServices.HAZELCAST_PORT_NAME, ProxyServices.HAZELCAST_PORT),
                port(ProxyServices.EVENT_BUS_PORT_NAME, ProxyServices.EVENT_BUS_PORT));
    }

    private static VolumeMount clusterTlsMount() {
        return new VolumeMountBuilder()
                .withName(CLUSTER_TLS_VOLUME)
                .withMountPath(CLUSTER_TLS_MOUNT)
                .withReadOnly(true)
                .build();
    }

    private static Volume clusterTlsVolume() {
        return new VolumeBuilder()
                .withName(CLUSTER_TLS_VOLUME)
                .withNewSecret()
                .withSecretName(Names.CLUSTER_TLS_SECRET)
                .addNewItem()
                .withKey(TlsSecrets.TLS_CRT)
                .withPath(TlsSecrets.TLS_CRT)
                .endItem()
                .addNewItem()
                .withKey(TlsSecrets.TLS_KEY)
                .withPath(TlsSecrets.TLS_KEY)
                .endItem()
                .addNewItem()
                .withKey(TlsSecrets.CA_CRT)
                .withPath(TlsSecrets.CA_CRT)
                .endItem()
                .endSecret()
                .build();
    }

    /**
     * {@code spec.config.logging.format}: Quarkus' {@code quarkus.log.console.json.enabled}
     * (quarkus-logging-json). SAP's audit events stay {@code [AUDIT-EVENT] {json}} lines either way.
     */
    private static EnvVar logFormatEnv(ConnectivityProxy cr) {
        ProxyConfig.Logging logging = cr.getSpec().getConfig().getLogging();
        boolean json = logging != null && LogFormat.fromValue(logging.getFormat()) == LogFormat.JSON;
        return env("QUARKUS_LOG_CONSOLE_JSON_ENABLED", String.valueOf(json));
    }

    private static List<EnvVar> managementEnv(int port) {
        return List.of(env("QUARKUS_HTTP_HOST", "0.0.0.0"), env("QUARKUS_HTTP_PORT", String.valueOf(port)));
    }

    private static void listener(
            List<ContainerPort> ports, List<EnvVar> env, String prefix, String portName, ProxyServer server) {
        env.add(env("PROXY_" + prefix + "_ENABLED", String.valueOf(server.isEnabled())));
        env.add(env("PROXY_" + prefix + "_PORT", String.valueOf(server.getPort())));
        env.add(env("PROXY_" + prefix + "_AUTHORIZATION_ENABLED", String.valueOf(server.isEnableProxyAuthorization())));
        if (server.isEnabled()) {
            ports.add(port(portName, server.getPort()));
        }
    }

    private static ContainerBuilder container(String name, String image, String pullPolicy, ConnectivityProxy cr) {
        return new ContainerBuilder()
                .withName(name)
                .withImage(image)
                .withImagePullPolicy(pullPolicy)
                .withResources(cr.getSpec().getDeployment().getResources())
                .withLivenessProbe(probe("/q/health/live", 10, 3))
                .withReadinessProbe(probe("/q/health/ready", 5, 3))
                .withStartupProbe(probe("/q/health/live", 2, 60))
                .addToVolumeMounts(new VolumeMountBuilder()
                        .withName("tmp")
                        .withMountPath("/tmp")
                        .build())
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext();
    }

    private static PodSpec pod(Container container, List<Volume> volumes) {
        return new PodSpecBuilder()
                .withContainers(container)
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addAllToVolumes(volumes)
                // Long enough for tunnel-service's drain deadline plus the shutdown itself.
                .withTerminationGracePeriodSeconds(30L)
                .withNewSecurityContext()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .build();
    }

    private static Deployment deployment(
            ConnectivityProxy cr,
            String name,
            String component,
            ResolvedConfig resolved,
            String clusterTlsHash,
            PodSpec pod) {
        return ObjectMetas.withContentHash(new DeploymentBuilder()
                .withMetadata(ObjectMetas.owned(cr, name, component))
                .withNewSpec()
                .withReplicas(HighAvailability.replicas(cr, component))
                .withNewSelector()
                .withMatchLabels(Labels.selector(component))
                .endSelector()
                .withNewStrategy()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(0))
                .withMaxSurge(new IntOrString(1))
                .endRollingUpdate()
                .endStrategy()
                .withTemplate(podTemplate(cr, component, resolved, clusterTlsHash, pod))
                .endSpec()
                .build());
    }

    /** Both workloads' pods: the labels their selectors, budgets and NetworkPolicies use, the restart annotations. */
    private static PodTemplateSpec podTemplate(
            ConnectivityProxy cr, String component, ResolvedConfig resolved, String clusterTlsHash, PodSpec pod) {
        if (HighAvailability.spread(cr, component)) {
            pod.setTopologySpreadConstraints(HighAvailability.zoneSpread(component));
            pod.setAffinity(HighAvailability.nodeAntiAffinity(component));
        }
        Map<String, String> podLabels = Labels.of(cr.getMetadata().getName(), component);
        return new PodTemplateSpecBuilder()
                .withNewMetadata()
                .withLabels(podLabels)
                .addToAnnotations(Names.CONFIG_HASH_ANNOTATION, resolved.configHash())
                .addToAnnotations(Names.CLUSTER_TLS_HASH_ANNOTATION, clusterTlsHash)
                .endMetadata()
                .withSpec(pod)
                .build();
    }

    private static Probe probe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath(path)
                .withPort(new IntOrString(MANAGEMENT_PORT_NAME))
                .endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .withTimeoutSeconds(3)
                .build();
    }

    private static ContainerPort port(String name, int port) {
        return new ContainerPortBuilder()
                .withName(name)
                .withContainerPort(port)
                .withProtocol("TCP")
                .build();
    }

    /** A variable from the downward API. */
    private static EnvVar fieldRef(String name, String fieldPath) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewFieldRef()
                .withApiVersion("v1")
                .withFieldPath(fieldPath)
                .endFieldRef()
                .endValueFrom()
                .build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
