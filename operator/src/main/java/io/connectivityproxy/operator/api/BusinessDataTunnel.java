package io.connectivityproxy.operator.api;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** {@code spec.config.servers.businessDataTunnel}: the public endpoint connectors dial. */
public class BusinessDataTunnel {

    /** A DNS name (RFC 1123 subdomain) or the auto-provision marker. */
    public static final String HOST_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    @Default(ConnectivityProxySpec.AUTO_PROVISION)
    @Pattern(HOST_PATTERN)
    private String externalHost = ConnectivityProxySpec.AUTO_PROVISION;

    @Default("443")
    @Min(1)
    @Max(65535)
    private int externalPort = 443;

    public String getExternalHost() {
        return externalHost;
    }

    public void setExternalHost(String externalHost) {
        this.externalHost = externalHost;
    }

    public int getExternalPort() {
        return externalPort;
    }

    public void setExternalPort(int externalPort) {
        this.externalPort = externalPort;
    }
}
