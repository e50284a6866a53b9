package io.connectivityproxy.operator.model;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;

/**
 * tunnel-service's identity in the API server: its ServiceAccount, and a ClusterRole bound to it
 * that lets it read ServiceMappings (cluster-scoped, hence a cluster role) and nothing else. The
 * operator's own ClusterRole holds these verbs, as Kubernetes requires of whoever grants them.
 */
public final class TunnelServiceRbac {

    /** What tunnel-service does with ServiceMappings: an informer (list, watch) and single reads. */
    public static final String[] VERBS = {"get", "list", "watch"};

    private TunnelServiceRbac() {}

    public static ServiceAccount serviceAccount(ConnectivityProxy cr) {
        return ObjectMetas.withContentHash(new ServiceAccountBuilder()
                .withMetadata(ObjectMetas.owned(cr, Names.TUNNEL_SERVICE_ACCOUNT, Labels.TUNNEL_SERVICE))
                .build());
    }

    public static ClusterRole clusterRole(ConnectivityProxy cr) {
        return ObjectMetas.withContentHash(new ClusterRoleBuilder()
                .withMetadata(ObjectMetas.clusterScoped(cr, Names.TUNNEL_CLUSTER_ROLE, Labels.TUNNEL_SERVICE))
                .addNewRule()
                .withApiGroups(HasMetadata.getGroup(ServiceMapping.class))
                .withResources(HasMetadata.getPlural(ServiceMapping.class))
                .withVerbs(VERBS)
                .endRule()
                .build());
    }

    public static ClusterRoleBinding clusterRoleBinding(ConnectivityProxy cr) {
        return ObjectMetas.withContentHash(new ClusterRoleBindingBuilder()
                .withMetadata(ObjectMetas.clusterScoped(cr, Names.TUNNEL_CLUSTER_ROLE, Labels.TUNNEL_SERVICE))
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName(Names.TUNNEL_CLUSTER_ROLE)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(Names.TUNNEL_SERVICE_ACCOUNT)
                .withNamespace(cr.getMetadata().getNamespace())
                .endSubject()
                .build());
    }
}
