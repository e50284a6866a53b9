package io.connectivityproxy.operator.api;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** {@code spec.secretConfig}: where the BTP connectivity service key comes from. */
public class SecretConfig {

    @Default("{}")
    private Integration integration = new Integration();

    public Integration getIntegration() {
        return integration;
    }

    public void setIntegration(Integration integration) {
        this.integration = integration;
    }

    /** {@code spec.secretConfig.integration}. */
    public static class Integration {
        @Default("{}")
        private ConnectivityService connectivityService = new ConnectivityService();

        public ConnectivityService getConnectivityService() {
            return connectivityService;
        }

        public void setConnectivityService(ConnectivityService connectivityService) {
            this.connectivityService = connectivityService;
        }
    }

    /** {@code spec.secretConfig.integration.connectivityService}. */
    public static class ConnectivityService {
        /**
         * Secret (in the resource's namespace) holding the service key. When auto-provisioned, the
         * operator creates a btp-operator ServiceInstance and ServiceBinding that produce it.
         */
        @Default(ConnectivityProxySpec.AUTO_PROVISION)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        private String secretName = ConnectivityProxySpec.AUTO_PROVISION;

        public String getSecretName() {
            return secretName;
        }

        public void setSecretName(String secretName) {
            this.secretName = secretName;
        }
    }
}
