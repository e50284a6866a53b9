package io.connectivityproxy.operator.api;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.generator.annotation.Default;

/** {@code spec.config.servers.proxy}: the in-cluster proxy listeners of proxy-service. */
public class ProxyServers {

    @Default("{}")
    private ProxyServer.Http http = new ProxyServer.Http();

    @Default("{}")
    private ProxyServer.RfcAndLdap rfcAndLdap = new ProxyServer.RfcAndLdap();

    @Default("{}")
    private ProxyServer.Socks5 socks5 = new ProxyServer.Socks5();

    @Default("{}")
    private Authorization authorization = new Authorization();

    public ProxyServer.Http getHttp() {
        return http;
    }

    public void setHttp(ProxyServer.Http http) {
        this.http = http;
    }

    public ProxyServer.RfcAndLdap getRfcAndLdap() {
        return rfcAndLdap;
    }

    public void setRfcAndLdap(ProxyServer.RfcAndLdap rfcAndLdap) {
        this.rfcAndLdap = rfcAndLdap;
    }

    public ProxyServer.Socks5 getSocks5() {
        return socks5;
    }

    public void setSocks5(ProxyServer.Socks5 socks5) {
        this.socks5 = socks5;
    }

    public Authorization getAuthorization() {
        return authorization;
    }

    public void setAuthorization(Authorization authorization) {
        this.authorization = authorization;
    }

    /** {@code spec.config.servers.proxy.authorization}. */
    public static class Authorization {
        @Default("{}")
        private OAuth oauth = new OAuth();

        public OAuth getOauth() {
            return oauth;
        }

        public void setOauth(OAuth oauth) {
            this.oauth = oauth;
        }
    }

    /**
     * {@code spec.config.servers.proxy.authorization.oauth}. {@code allowedClientId} is SAP's field;
     * {@code issuers} and {@code jwksUrl} are this project's extension (SAP's resource has no place
     * for them): without them the issuer is derived from the service key's XSUAA {@code url}.
     */
    public static class OAuth {
        /** The {@code client_id} (and audience) a proxy token must carry when authorization is on. */
        private String allowedClientId = "";

        /** Token issuers ({@code iss}) accepted, https URLs; empty: {@code <url>/oauth/token} of the service key. */
        private List<String> issuers = new ArrayList<>();

        /** Where the issuers' signing keys are published (JWKS, https); empty: derived as described in docs/operator.md. */
        private String jwksUrl = "";

        public String getAllowedClientId() {
            return allowedClientId;
        }

        public void setAllowedClientId(String allowedClientId) {
            this.allowedClientId = allowedClientId;
        }

        public List<String> getIssuers() {
            return issuers;
        }

        public void setIssuers(List<String> issuers) {
            this.issuers = issuers;
        }

        public String getJwksUrl() {
            return jwksUrl;
        }

        public void setJwksUrl(String jwksUrl) {
            this.jwksUrl = jwksUrl;
        }
    }
}
