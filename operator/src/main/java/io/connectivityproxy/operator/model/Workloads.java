package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxySpec;
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
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

/**
 * The Deployments of proxy-service and tunnel-service. The environment variables are the
 * contract with those services (their {@code @ConfigMapping}s); docs/operator.md lists them.
 */
public final class Workloads {

    public static final int PROXY_MANAGEMENT_PORT = 8081;
    public static final int TUNNEL_MANAGEMENT_PORT = 8082;
    public static final String MANAGEMENT_PORT_NAME = "management";
    /** Where tunnel-service finds the CA certificate that signs connector certificates. */
    public static final String CONNECTOR_CA_MOUNT = "/etc/connectivity-proxy/connector-ca";

    private Workloads() {
    }

    public static Deployment proxyService(ConnectivityProxy cr, ResolvedConfig resolved, WorkloadImages images) {
        ProxyServers proxy = cr.getSpec().getConfig().getServers().getProxy();
        List<ContainerPort> ports = new ArrayList<>();
        List<EnvVar> env = clusterEnv(cr, resolved);
        listener(ports, env, "HTTP", ProxyServices.HTTP_PORT_NAME, proxy.getHttp());
        listener(ports, env, "RFC_AND_LDAP", ProxyServices.RFC_AND_LDAP_PORT_NAME, proxy.getRfcAndLdap());
        listener(ports, env, "SOCKS5", ProxyServices.SOCKS5_PORT_NAME, proxy.getSocks5());
        env.add(env("PROXY_AUTHORIZATION_ALLOWED_CLIENT_ID", proxy.getAuthorization().getOauth().getAllowedClientId()));
        // proxy-service's own name for the subaccount it serves in dedicated mode (ProxySettings.subaccount).
        env.add(env("PROXY_SUBACCOUNT", resolved.subaccountId().orElse("")));
        env.add(env("PROXY_SUBACCOUNT_SUBDOMAIN", resolved.subaccountSubdomain().orElse("")));
        env.addAll(managementEnv(PROXY_MANAGEMENT_PORT));
        ports.add(port(MANAGEMENT_PORT_NAME, PROXY_MANAGEMENT_PORT));
        ports.add(port(ProxyServices.HAZELCAST_PORT_NAME, ProxyServices.HAZELCAST_PORT));

        Container container = container("proxy-service", images.proxyService(), images.pullPolicy(), cr)
                .withPorts(ports)
                .withEnv(env)
                .build();
        return deployment(cr, Names.PROXY, Labels.PROXY_SERVICE, resolved, pod(container, List.of()));
    }

    public static Deployment tunnelService(ConnectivityProxy cr, ResolvedConfig resolved, WorkloadImages images) {
        ProxyConfig config = cr.getSpec().getConfig();
        List<EnvVar> env = clusterEnv(cr, resolved);
        env.add(env("TUNNEL_HOST", "0.0.0.0"));
        env.add(env("TUNNEL_PORT", String.valueOf(ProxyServices.TUNNEL_PORT)));
        // The Istio gateway terminates mutual TLS and passes the client certificate in X-Forwarded-Client-Cert.
        env.add(env("TUNNEL_TLS_ENABLED", "false"));
        env.add(env("TUNNEL_TRUST_FORWARDED_CLIENT_CERT", "true"));
        env.add(env("TUNNEL_TLS_CLIENT_CA", CONNECTOR_CA_MOUNT + "/ca.crt"));
        env.addAll(serviceChannelsEnv(ServiceChannelSettings.of(cr, resolved)));
        env.add(env("TUNNEL_EXTERNAL_HOST", resolved.externalHost().orElse("")));
        env.add(env("TUNNEL_EXTERNAL_PORT", String.valueOf(config.getServers().getBusinessDataTunnel().getExternalPort())));
        env.addAll(managementEnv(TUNNEL_MANAGEMENT_PORT));

        VolumeMount caMount = new VolumeMountBuilder().withName("connector-ca").withMountPath(CONNECTOR_CA_MOUNT)
                .withReadOnly(true).build();
        // Only the certificate: tunnel-service verifies connectors, it never signs for them.
        Volume caVolume = new VolumeBuilder().withName("connector-ca").withNewSecret()
                .withSecretName(Names.CONNECTOR_CA_SECRET)
                .addNewItem().withKey("ca.crt").withPath("ca.crt").endItem()
                .endSecret().build();
        Container container = container("tunnel-service", images.tunnelService(), images.pullPolicy(), cr)
                .withPorts(port(ProxyServices.TUNNEL_PORT_NAME, ProxyServices.TUNNEL_PORT),
                        port(MANAGEMENT_PORT_NAME, TUNNEL_MANAGEMENT_PORT),
                        port(ProxyServices.HAZELCAST_PORT_NAME, ProxyServices.HAZELCAST_PORT))
                .withEnv(env)
                .addToVolumeMounts(caMount)
                .build();
        PodSpec pod = pod(container, List.of(caVolume));
        // The one pod that talks to the API server: it watches ServiceMappings (TunnelServiceRbac).
        pod.setServiceAccountName(Names.TUNNEL_SERVICE_ACCOUNT);
        pod.setAutomountServiceAccountToken(true);
        return deployment(cr, Names.TUNNEL, Labels.TUNNEL_SERVICE, resolved, pod);
    }

    /**
     * tunnel-service's {@code tunnel.service-channels.*}: it watches the ServiceMappings itself and
     * serves them only while they are enabled; a mapping without a subaccount gets the default one.
     */
    private static List<EnvVar> serviceChannelsEnv(ServiceChannelSettings channels) {
        List<EnvVar> env = new ArrayList<>();
        env.add(env("TUNNEL_SERVICE_CHANNELS_ENABLED", String.valueOf(channels.enabled())));
        env.add(env("TUNNEL_SERVICE_CHANNELS_KUBERNETES", "true"));
        env.add(env("TUNNEL_SERVICE_CHANNELS_TENANT_MODE",
                (channels.sharedTenantMode() ? TenantMode.SHARED : TenantMode.DEDICATED).value()));
        channels.defaultSubaccount().ifPresent(id -> env.add(env("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT", id)));
        return env;
    }

    private static List<EnvVar> clusterEnv(ConnectivityProxy cr, ResolvedConfig resolved) {
        ProxyConfig config = cr.getSpec().getConfig();
        List<EnvVar> env = new ArrayList<>();
        env.add(env("CLUSTER_KUBERNETES_SERVICE_DNS", Names.serviceHost(Names.CLUSTER, cr.getMetadata().getNamespace())));
        // Hazelcast and the event bus must bind to the pod IP, never to localhost (design.md section 5).
        env.add(new EnvVarBuilder().withName("CLUSTER_HOST").withNewValueFrom().withNewFieldRef()
                .withApiVersion("v1").withFieldPath("status.podIP").endFieldRef().endValueFrom().build());
        env.add(env("CLUSTER_SUBACCOUNT_ID", resolved.subaccountId().orElse("")));
        TenantMode mode = TenantMode.fromValue(config.getTenantMode());
        env.add(env("CLUSTER_TENANT_MODE", mode == null ? config.getTenantMode() : mode.value()));
        return env;
    }

    private static List<EnvVar> managementEnv(int port) {
        return List.of(env("QUARKUS_HTTP_HOST", "0.0.0.0"), env("QUARKUS_HTTP_PORT", String.valueOf(port)));
    }

    private static void listener(List<ContainerPort> ports, List<EnvVar> env, String prefix, String portName,
            ProxyServer server) {
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
                .addToVolumeMounts(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build())
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext();
    }

    private static PodSpec pod(Container container, List<Volume> volumes) {
        return new PodSpecBuilder()
                .withContainers(container)
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .addAllToVolumes(volumes)
                // Long enough for tunnel-service's drain deadline plus the shutdown itself.
                .withTerminationGracePeriodSeconds(30L)
                .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .build();
    }

    private static Deployment deployment(ConnectivityProxy cr, String name, String component, ResolvedConfig resolved,
            PodSpec pod) {
        ConnectivityProxySpec spec = cr.getSpec();
        Map<String, String> podLabels = Labels.of(cr.getMetadata().getName(), component);
        return ObjectMetas.withContentHash(new DeploymentBuilder()
                .withMetadata(ObjectMetas.owned(cr, name, component))
                .withNewSpec()
                .withReplicas(spec.getDeployment().getReplicaCount())
                .withNewSelector().withMatchLabels(Labels.selector(component)).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1)).endRollingUpdate().endStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(podLabels)
                .addToAnnotations(Names.CONFIG_HASH_ANNOTATION, resolved.configHash())
                .endMetadata()
                .withSpec(pod)
                .endTemplate()
                .endSpec()
                .build());
    }

    private static Probe probe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withPort(new IntOrString(MANAGEMENT_PORT_NAME)).endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .withTimeoutSeconds(3)
                .build();
    }

    private static ContainerPort port(String name, int port) {
        return new ContainerPortBuilder().withName(name).withContainerPort(port).withProtocol("TCP").build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
