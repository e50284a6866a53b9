package io.connectivityproxy.operator.api;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * One proxy listener: {@code http}, {@code rfcAndLdap} or {@code socks5}. Each has its own
 * subclass only so that the CRD schema carries each listener's default port.
 */
public abstract class ProxyServer {

    @Default("true")
    private boolean enabled = true;

    @Default("false")
    private boolean enableProxyAuthorization;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean isEnableProxyAuthorization() {
        return enableProxyAuthorization;
    }

    public void setEnableProxyAuthorization(boolean enableProxyAuthorization) {
        this.enableProxyAuthorization = enableProxyAuthorization;
    }

    public abstract int getPort();

    public abstract void setPort(int port);

    /** {@code spec.config.servers.proxy.http}. */
    public static class Http extends ProxyServer {
        @Default("20003")
        @Min(1)
        @Max(65535)
        private int port = 20003;

        @Override
        public int getPort() {
            return port;
        }

        @Override
        public void setPort(int port) {
            this.port = port;
        }
    }

    /** {@code spec.config.servers.proxy.rfcAndLdap}. */
    public static class RfcAndLdap extends ProxyServer {
        @Default("20001")
        @Min(1)
        @Max(65535)
        private int port = 20001;

        @Override
        public int getPort() {
            return port;
        }

        @Override
        public void setPort(int port) {
            this.port = port;
        }
    }

    /** {@code spec.config.servers.proxy.socks5}. */
    public static class Socks5 extends ProxyServer {
        @Default("20004")
        @Min(1)
        @Max(65535)
        private int port = 20004;

        @Override
        public int getPort() {
            return port;
        }

        @Override
        public void setPort(int port) {
            this.port = port;
        }
    }
}
