package io.connectivityproxy.operator.api;

import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** {@code spec.config}: who the installation serves and which servers it runs. */
public class ProxyConfig {

    /** Subaccount ids and subdomains are BTP identifiers: letters, digits and dashes. */
    public static final String IDENTIFIER_PATTERN = "^[a-zA-Z0-9-]+$";

    @Default(ConnectivityProxySpec.AUTO_PROVISION)
    @Pattern(IDENTIFIER_PATTERN)
    private String subaccountId = ConnectivityProxySpec.AUTO_PROVISION;

    @Default(ConnectivityProxySpec.AUTO_PROVISION)
    @Pattern(IDENTIFIER_PATTERN)
    private String subaccountSubdomain = ConnectivityProxySpec.AUTO_PROVISION;

    // A string in Java so that an unknown value still reaches the reconciler and is reported there.
    @Default("dedicated")
    @SchemaFrom(type = TenantMode.class)
    private String tenantMode = TenantMode.DEDICATED.value();

    @Default("{}")
    private ServiceChannels serviceChannels = new ServiceChannels();

    @Default("off")
    @SchemaFrom(type = HighAvailabilityMode.class)
    private String highAvailabilityMode = HighAvailabilityMode.OFF.value();

    @Default("{}")
    private Servers servers = new Servers();

    @Default("{}")
    private Logging logging = new Logging();

    public String getSubaccountId() {
        return subaccountId;
    }

    public void setSubaccountId(String subaccountId) {
        this.subaccountId = subaccountId;
    }

    public String getSubaccountSubdomain() {
        return subaccountSubdomain;
    }

    public void setSubaccountSubdomain(String subaccountSubdomain) {
        this.subaccountSubdomain = subaccountSubdomain;
    }

    public String getTenantMode() {
        return tenantMode;
    }

    public void setTenantMode(String tenantMode) {
        this.tenantMode = tenantMode;
    }

    public ServiceChannels getServiceChannels() {
        return serviceChannels;
    }

    public void setServiceChannels(ServiceChannels serviceChannels) {
        this.serviceChannels = serviceChannels;
    }

    public String getHighAvailabilityMode() {
        return highAvailabilityMode;
    }

    public void setHighAvailabilityMode(String highAvailabilityMode) {
        this.highAvailabilityMode = highAvailabilityMode;
    }

    public Servers getServers() {
        return servers;
    }

    public void setServers(Servers servers) {
        this.servers = servers;
    }

    public Logging getLogging() {
        return logging;
    }

    public void setLogging(Logging logging) {
        this.logging = logging;
    }

    /** {@code spec.config.logging}: how proxy-service and tunnel-service write their logs. */
    public static class Logging {
        // A string in Java so that an unknown value still reaches the reconciler and is reported there.
        @Default("console")
        @SchemaFrom(type = LogFormat.class)
        private String format = LogFormat.CONSOLE.value();

        public String getFormat() {
            return format;
        }

        public void setFormat(String format) {
            this.format = format;
        }
    }

    /** {@code spec.config.serviceChannels}: on-premise-to-cloud channels through ServiceMappings. */
    public static class ServiceChannels {
        @Default("true")
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** {@code spec.config.servers}. */
    public static class Servers {
        @Default("{}")
        private BusinessDataTunnel businessDataTunnel = new BusinessDataTunnel();

        @Default("{}")
        private ProxyServers proxy = new ProxyServers();

        public BusinessDataTunnel getBusinessDataTunnel() {
            return businessDataTunnel;
        }

        public void setBusinessDataTunnel(BusinessDataTunnel businessDataTunnel) {
            this.businessDataTunnel = businessDataTunnel;
        }

        public ProxyServers getProxy() {
            return proxy;
        }

        public void setProxy(ProxyServers proxy) {
            this.proxy = proxy;
        }
    }
}
