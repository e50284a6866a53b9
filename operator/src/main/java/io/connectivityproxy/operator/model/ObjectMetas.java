package io.connectivityproxy.operator.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Metadata shared by everything the operator creates. */
public final class ObjectMetas {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private ObjectMetas() {}

    /** Metadata of an object in the installation's namespace, owned by it so that Kubernetes collects it too. */
    public static ObjectMeta owned(ConnectivityProxy cr, String name, String component) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(cr.getMetadata().getNamespace())
                .withLabels(Labels.of(cr.getMetadata().getName(), component))
                .withOwnerReferences(ownerReference(cr))
                .build();
    }

    /** Metadata of an object in another namespace, where owner references are not allowed; the finalizer removes it. */
    public static ObjectMeta foreign(ConnectivityProxy cr, String namespace, String name, String component) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(Labels.of(cr.getMetadata().getName(), component))
                .build();
    }

    /**
     * Metadata of a cluster-scoped object: a namespaced owner is not allowed there, so it carries
     * only the labels, and the finalizer removes it.
     */
    public static ObjectMeta clusterScoped(ConnectivityProxy cr, String name, String component) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withLabels(Labels.of(cr.getMetadata().getName(), component))
                .build();
    }

    public static OwnerReference ownerReference(ConnectivityProxy cr) {
        return new OwnerReferenceBuilder()
                .withApiVersion(cr.getApiVersion())
                .withKind(cr.getKind())
                .withName(cr.getMetadata().getName())
                .withUid(cr.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /**
     * Records a digest of the object's content (everything but metadata and status) in an
     * annotation. The dependents' matcher accepts extra values in the actual object (so that
     * server-side defaults do not cause endless updates) and so would not notice a removed port
     * or key; a changed digest makes it replace the whole content.
     */
    public static <T extends HasMetadata> T withContentHash(T resource) {
        ObjectNode content = CANONICAL.valueToTree(resource);
        content.remove("metadata");
        content.remove("status");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String digest = HexFormat.of()
                    .formatHex(sha.digest(CANONICAL.writeValueAsBytes(content)))
                    .substring(0, 16);
            Map<String, String> annotations = resource.getMetadata().getAnnotations();
            if (annotations == null) {
                annotations = new java.util.LinkedHashMap<>();
                resource.getMetadata().setAnnotations(annotations);
            }
            annotations.put(Names.CONTENT_HASH_ANNOTATION, digest);
            return resource;
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot digest " + resource.getMetadata().getName(), e);
        }
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
