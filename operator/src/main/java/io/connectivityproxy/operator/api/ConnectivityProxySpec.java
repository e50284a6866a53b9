package io.connectivityproxy.operator.api;

import io.fabric8.generator.annotation.Default;

/**
 * Desired installation. Field names and defaults follow SAP's connectivity-proxy module so that
 * an existing {@code ConnectivityProxy} resource applies unchanged.
 */
public class ConnectivityProxySpec {

    /** The marker value that asks the operator to find or create a value itself. */
    public static final String AUTO_PROVISION = "auto-provision";

    @Default("{}")
    private ProxyConfig config = new ProxyConfig();

    @Default("{}")
    private DeploymentConfig deployment = new DeploymentConfig();

    @Default("{}")
    private IngressConfig ingress = new IngressConfig();

    @Default("{}")
    private SecretConfig secretConfig = new SecretConfig();

    public static boolean isAutoProvision(String value) {
        return value == null || AUTO_PROVISION.equals(value);
    }

    public ProxyConfig getConfig() {
        return config;
    }

    public void setConfig(ProxyConfig config) {
        this.config = config;
    }

    public DeploymentConfig getDeployment() {
        return deployment;
    }

    public void setDeployment(DeploymentConfig deployment) {
        this.deployment = deployment;
    }

    public IngressConfig getIngress() {
        return ingress;
    }

    public void setIngress(IngressConfig ingress) {
        this.ingress = ingress;
    }

    public SecretConfig getSecretConfig() {
        return secretConfig;
    }

    public void setSecretConfig(SecretConfig secretConfig) {
        this.secretConfig = secretConfig;
    }
}
