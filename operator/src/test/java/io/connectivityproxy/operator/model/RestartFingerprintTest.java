package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;

class RestartFingerprintTest {

    @Test
    void emptyOrMatchingLabelValuesCountOthersDoNot() {
        Secret forAll = secret("a", "", "djE=");
        Secret forThis = secret("b", "connectivity-proxy.kyma-system", "djE=");
        Secret forOther = secret("c", "connectivity-proxy.elsewhere", "djE=");
        String base = RestartFingerprint.of(List.of(forAll, forThis), List.of(), "connectivity-proxy", "kyma-system");
        assertNotEquals(RestartFingerprint.NONE, base);
        assertEquals(
                base,
                RestartFingerprint.of(
                        List.of(forThis, forAll, forOther), List.of(), "connectivity-proxy", "kyma-system"),
                "order and other installations' resources do not matter");
        assertNotEquals(
                base,
                RestartFingerprint.of(
                        List.of(forAll, secret("b", "connectivity-proxy.kyma-system", "djI=")),
                        List.of(),
                        "connectivity-proxy",
                        "kyma-system"),
                "changed content changes the fingerprint");
        assertEquals(
                RestartFingerprint.NONE,
                RestartFingerprint.of(List.of(forOther), List.of(), "connectivity-proxy", "kyma-system"));
    }

    @Test
    void configMapsCountToo() {
        ConfigMap map = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("m")
                .withNamespace("apps")
                .withLabels(Map.of(Names.RESTART_LABEL, ""))
                .endMetadata()
                .withData(Map.of("k", "v"))
                .build();
        assertNotEquals(RestartFingerprint.NONE, RestartFingerprint.of(List.of(), List.of(map), "cp", "ns"));
    }

    private static Secret secret(String name, String target, String value) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .withLabels(Map.of(Names.RESTART_LABEL, target))
                .endMetadata()
                .withData(Map.of("k", value))
                .build();
    }
}
