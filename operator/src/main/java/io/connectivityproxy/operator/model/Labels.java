package io.connectivityproxy.operator.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every created object carries; the informers select on {@link #MANAGED_BY}. */
public final class Labels {

    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    public static final String OPERATOR = "connectivity-proxy-operator";
    public static final String PRODUCT = "connectivity-proxy";
    /** Selector of the informers that watch what the operator created. */
    public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

    public static final String PROXY_SERVICE = "proxy-service";
    public static final String TUNNEL_SERVICE = "tunnel-service";

    private Labels() {}

    /** Labels of an object that belongs to {@code component} of the installation {@code instance}. */
    public static Map<String, String> of(String instance, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, PRODUCT);
        labels.put(INSTANCE, instance);
        labels.put(COMPONENT, component);
        labels.put(PART_OF, PRODUCT);
        labels.put(MANAGED_BY, OPERATOR);
        return labels;
    }

    /** The stable subset that selects a workload's pods; never changes after creation. */
    public static Map<String, String> selector(String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, PRODUCT);
        labels.put(COMPONENT, component);
        return labels;
    }
}
