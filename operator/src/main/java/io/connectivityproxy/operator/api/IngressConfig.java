package io.connectivityproxy.operator.api;

import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** {@code spec.ingress}: how the tunnel endpoint is exposed. Only Istio is supported, as in SAP's module. */
public class IngressConfig {

    @Default("istio")
    @SchemaFrom(type = IngressClass.class)
    private String className = IngressClass.ISTIO.value();

    @Default("{}")
    private Tls tls = new Tls();

    @Default("{}")
    private Timeouts timeouts = new Timeouts();

    public String getClassName() {
        return className;
    }

    public void setClassName(String className) {
        this.className = className;
    }

    public Tls getTls() {
        return tls;
    }

    public void setTls(Tls tls) {
        this.tls = tls;
    }

    public Timeouts getTimeouts() {
        return timeouts;
    }

    public void setTimeouts(Timeouts timeouts) {
        this.timeouts = timeouts;
    }

    /** {@code spec.ingress.tls}. */
    public static class Tls {
        /** Secret in the ingress gateway's namespace with tls.crt, tls.key and ca.crt; generated when auto-provisioned. */
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

    /** {@code spec.ingress.timeouts}. */
    public static class Timeouts {
        @Default("{}")
        private ProxyTimeouts proxy = new ProxyTimeouts();

        public ProxyTimeouts getProxy() {
            return proxy;
        }

        public void setProxy(ProxyTimeouts proxy) {
            this.proxy = proxy;
        }
    }

    /** {@code spec.ingress.timeouts.proxy}, in seconds. */
    public static class ProxyTimeouts {
        @Default("20")
        @Min(1)
        private int connect = 20;

        @Default("120")
        @Min(1)
        private int read = 120;

        @Default("120")
        @Min(1)
        private int send = 120;

        public int getConnect() {
            return connect;
        }

        public void setConnect(int connect) {
            this.connect = connect;
        }

        public int getRead() {
            return read;
        }

        public void setRead(int read) {
            this.read = read;
        }

        public int getSend() {
            return send;
        }

        public void setSend(int send) {
            this.send = send;
        }
    }
}
