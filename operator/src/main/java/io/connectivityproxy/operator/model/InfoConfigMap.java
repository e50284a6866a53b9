package io.connectivityproxy.operator.model;

import java.util.LinkedHashMap;
import java.util.Map;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ProxyServers;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** ConfigMap {@code connectivity-proxy-info}: how workloads reach the proxy, with exactly SAP's keys. */
public final class InfoConfigMap {

    private InfoConfigMap() {}

    public static ConfigMap desired(ConnectivityProxy cr) {
        ProxyServers proxy = cr.getSpec().getConfig().getServers().getProxy();
        String http = String.valueOf(proxy.getHttp().getPort());
        String rfcAndLdap = String.valueOf(proxy.getRfcAndLdap().getPort());
        Map<String, String> data = new LinkedHashMap<>();
        data.put(
                "onpremise_proxy_host",
                Names.serviceHost(Names.PROXY, cr.getMetadata().getNamespace()));
        data.put("onpremise_proxy_http_port", http);
        data.put("onpremise_proxy_port", http);
        data.put("onpremise_proxy_rfc_port", rfcAndLdap);
        data.put("onpremise_proxy_ldap_port", rfcAndLdap);
        data.put("onpremise_socks5_proxy_port", String.valueOf(proxy.getSocks5().getPort()));
        return ObjectMetas.withContentHash(new ConfigMapBuilder()
                .withMetadata(ObjectMetas.owned(cr, Names.INFO_CONFIG_MAP, Labels.PROXY_SERVICE))
                .withData(data)
                .build());
    }
}
