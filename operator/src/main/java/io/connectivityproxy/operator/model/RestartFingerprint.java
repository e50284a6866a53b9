package io.connectivityproxy.operator.model;

import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;

/**
 * Digest of the content of the Secrets and ConfigMaps labelled {@code connectivityproxy.sap.com/restart}
 * that concern one installation: label value empty (every installation) or {@code <name>.<namespace>}.
 * It goes into the workloads' config hash, so a content change rolls them and a change to any
 * other resource does not.
 */
public final class RestartFingerprint {

    /** The fingerprint when nothing is labelled, or the restart watcher is off. */
    public static final String NONE = "";

    private RestartFingerprint() {}

    /** Whether a resource with these labels asks for restarts of the installation {@code name} in {@code namespace}. */
    public static boolean concerns(Map<String, String> labels, String name, String namespace) {
        if (labels == null || !labels.containsKey(Names.RESTART_LABEL)) {
            return false;
        }
        String target = labels.get(Names.RESTART_LABEL);
        return target == null || target.isEmpty() || target.equals(Names.restartTarget(name, namespace));
    }

    public static String of(List<Secret> secrets, List<ConfigMap> configMaps, String name, String namespace) {
        StringBuilder canonical = new StringBuilder();
        Stream.concat(secrets.stream(), configMaps.stream())
                .filter(r -> concerns(r.getMetadata().getLabels(), name, namespace))
                .sorted(Comparator.comparing(RestartFingerprint::key))
                .forEach(r -> {
                    canonical.append(key(r)).append('\n');
                    content(r)
                            .forEach((k, v) ->
                                    canonical.append(k).append('=').append(v).append('\n'));
                });
        return canonical.length() == 0
                ? NONE
                : ObjectMetas.sha256Hex(ObjectMetas.utf8(canonical.toString())).substring(0, 16);
    }

    private static String key(HasMetadata r) {
        return r.getKind() + "/" + r.getMetadata().getNamespace() + "/"
                + r.getMetadata().getName();
    }

    private static Map<String, String> content(HasMetadata r) {
        Map<String, String> content = new TreeMap<>();
        if (r instanceof Secret) {
            Secret secret = (Secret) r;
            putAll(content, "data.", secret.getData());
            if (secret.getStringData() != null) {
                secret.getStringData()
                        .forEach((k, v) ->
                                content.put("data." + k, Base64.getEncoder().encodeToString(ObjectMetas.utf8(v))));
            }
        } else {
            ConfigMap configMap = (ConfigMap) r;
            putAll(content, "data.", configMap.getData());
            putAll(content, "binaryData.", configMap.getBinaryData());
        }
        return content;
    }

    private static void putAll(Map<String, String> into, String prefix, Map<String, String> from) {
        if (from != null) {
            from.forEach((k, v) -> into.put(prefix + k, v));
        }
    }
}
