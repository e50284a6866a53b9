package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;

class TunnelServiceRbacTest {

    @Test
    void tunnelServiceMayReadServiceMappingsAndNothingElse() {
        ClusterRole role = TunnelServiceRbac.clusterRole(Fixtures.cr());
        assertEquals(1, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of("connectivityproxy.sap.com"), rule.getApiGroups());
        assertEquals(List.of("servicemappings"), rule.getResources());
        assertEquals(List.of("get", "list", "watch"), rule.getVerbs());
        assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());
        assertTrue(
                rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty());
    }

    @Test
    void theBindingGrantsItToTunnelServicesServiceAccountInTheInstallationsNamespace() {
        ConnectivityProxy cr = Fixtures.cr();
        ClusterRoleBinding binding = TunnelServiceRbac.clusterRoleBinding(cr);
        assertEquals("ClusterRole", binding.getRoleRef().getKind());
        assertEquals(Names.TUNNEL_CLUSTER_ROLE, binding.getRoleRef().getName());
        assertEquals(1, binding.getSubjects().size());
        Subject subject = binding.getSubjects().get(0);
        assertEquals("ServiceAccount", subject.getKind());
        assertEquals(Names.TUNNEL_SERVICE_ACCOUNT, subject.getName());
        assertEquals(Fixtures.NS, subject.getNamespace());
        assertEquals(
                Fixtures.NS, TunnelServiceRbac.serviceAccount(cr).getMetadata().getNamespace());
    }

    @Test
    void clusterScopedObjectsCarryTheLabelsButNoNamespaceAndNoOwner() {
        for (var object : List.of(
                TunnelServiceRbac.clusterRole(Fixtures.cr()), TunnelServiceRbac.clusterRoleBinding(Fixtures.cr()))) {
            assertNull(object.getMetadata().getNamespace());
            assertTrue(object.getMetadata().getOwnerReferences() == null
                    || object.getMetadata().getOwnerReferences().isEmpty());
            assertEquals(Labels.OPERATOR, object.getMetadata().getLabels().get(Labels.MANAGED_BY));
        }
    }
}
