package io.connectivityproxy.tunnel.channel;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.connectivityproxy.tunnel.channel.ServiceMappingReader.MappingSet;
import io.connectivityproxy.tunnel.channel.ServiceMappingReader.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * ServiceMappings from the Kubernetes API: a fabric8 informer on the cluster-scoped resource.
 * Every add, update and delete re-reads the informer's whole store, so the mappings in force
 * are always exactly what the API holds. When the API refuses (RBAC missing, CRD not
 * installed) the informer keeps retrying; the mappings listed before stay in force.
 */
final class KubernetesSource implements MappingSource {

    private static final Logger LOG = Logger.getLogger(KubernetesSource.class);

    /** {@code servicemappings.connectivityproxy.sap.com/v1}, as {@code deploy/crds} defines it. */
    static final ResourceDefinitionContext SERVICE_MAPPINGS = new ResourceDefinitionContext.Builder()
            .withGroup("connectivityproxy.sap.com")
            .withVersion("v1")
            .withPlural("servicemappings")
            .withKind(ServiceMappingReader.KIND)
            .withNamespaced(false)
            .build();

    private static final String WHERE = "the Kubernetes API";

    private final Supplier<KubernetesClient> clients;
    private final ServiceMappingReader reader;
    private final Sink sink;
    private KubernetesClient client;
    private SharedIndexInformer<GenericKubernetesResource> informer;
    private volatile boolean synced;
    private volatile boolean stopped;
    // Guarded by this: what is in force, and why the API is not followed right now (null when it is).
    private MappingSet inForce = MappingSet.EMPTY;
    private String failure;

    KubernetesSource(Supplier<KubernetesClient> clients, ServiceMappingReader reader, Sink sink) {
        this.clients = clients;
        this.reader = reader;
        this.sink = sink;
    }

    @Override
    public void start() {
        client = clients.get();
        sink.publish(MappingSet.EMPTY, List.of("ServiceMappings are not listed from " + WHERE + " yet"));
        informer = client.genericKubernetesResources(SERVICE_MAPPINGS).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<GenericKubernetesResource>() {
            @Override
            public void onAdd(GenericKubernetesResource resource) {
                changed();
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                changed();
            }

            @Override
            public void onDelete(GenericKubernetesResource resource, boolean finalStateUnknown) {
                changed();
            }
        });
        // Keep retrying (with the client's back-off) even before the first list: RBAC or the CRD
        // may be fixed later, and the service should pick the mappings up then without a restart.
        informer.exceptionHandler((started, error) -> {
            failed(error);
            return true;
        });
        LOG.infof(
                "service mappings: watching %s.%s/%s through the Kubernetes API at %s",
                SERVICE_MAPPINGS.getPlural(),
                SERVICE_MAPPINGS.getGroup(),
                SERVICE_MAPPINGS.getVersion(),
                client.getMasterUrl());
        informer.start().whenComplete((ignored, error) -> {
            if (error != null) {
                failed(error);
            } else {
                synced = true;
                rebuild(true);
            }
        });
    }

    @Override
    public void stop() {
        stopped = true;
        if (informer != null) {
            informer.stop();
        }
    }

    private void changed() {
        // Before the first list completes the store fills one add at a time; the sync rebuilds once.
        if (synced) {
            rebuild(false);
        }
    }

    private synchronized void rebuild(boolean first) {
        List<Resource> resources = informer.getStore().list().stream()
                .map(r ->
                        new Resource(WHERE, client.getKubernetesSerialization().convertValue(r, JsonNode.class)))
                .toList();
        inForce = reader.read(resources);
        if (failure != null || first) {
            LOG.infof(
                    "service mappings: %d in force from %s, %d problems",
                    inForce.entries().size(), WHERE, inForce.problems().size());
        }
        // An event means the watch works again.
        failure = null;
        sink.publish(inForce, List.of());
    }

    private synchronized void failed(Throwable error) {
        if (stopped) {
            // Stopping completes a pending start exceptionally: that is no trouble with the API.
            return;
        }
        String why = describe(error);
        if (!why.equals(failure)) {
            LOG.error("service mappings: " + why);
        }
        failure = why;
        String kept = inForce.entries().isEmpty()
                ? "no service mappings are in force"
                : "the " + inForce.entries().size() + " service mappings listed before stay in force";
        sink.publish(inForce, List.of(why + "; " + kept));
    }

    /** The error in a few words, with what to do about the usual ones. */
    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        KubernetesClientException api = find(cause);
        String resource = SERVICE_MAPPINGS.getPlural() + "." + SERVICE_MAPPINGS.getGroup();
        if (api != null && api.getCode() == 403) {
            return "the Kubernetes API refused to list and watch " + resource + " (HTTP 403 Forbidden): grant this "
                    + "pod's service account get, list and watch on it in a ClusterRole (ServiceMappings are "
                    + "cluster-scoped)";
        }
        if (api != null && api.getCode() == 401) {
            return "the Kubernetes API did not accept this pod's credentials (HTTP 401 Unauthorized) for " + resource;
        }
        if (api != null && api.getCode() == 404) {
            return "the Kubernetes API does not serve " + resource + "/" + SERVICE_MAPPINGS.getVersion()
                    + " (HTTP 404): install the ServiceMapping CRD (deploy/crds)";
        }
        return "cannot follow " + resource + " through the Kubernetes API: "
                + Untrusted.text(cause.getClass().getSimpleName() + ": " + cause.getMessage(), 300);
    }

    private static KubernetesClientException find(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException api && api.getCode() > 0) {
                return api;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
