package io.connectivityproxy.cluster;

import java.util.ArrayList;
import java.util.List;

import io.connectivityproxy.admin.StatusPage;

/**
 * The cluster part of the services' status pages: the members, the session registry as this
 * node uses it, and the members whose registry entries are ignored.
 */
public final class ClusterStatus {

    private ClusterStatus() {}

    public static void render(StatusPage page, ClusterNode node, SessionRegistry registry) {
        page.section("Cluster members");
        List<List<String>> members = new ArrayList<>();
        for (String member : node.describeMembers()) {
            members.add(List.of(member));
        }
        page.table("members", List.of("node id and address"), members, "not in a cluster");
        List<List<String>> ignored = new ArrayList<>();
        for (SessionRegistry.IgnoredMember member : registry.ignored()) {
            ignored.add(List.of(
                    StatusPage.FAIL + member.nodeId(),
                    member.address(),
                    member.reason(),
                    Integer.toString(member.entries())));
        }
        page.table(
                "ignored-members",
                List.of("ignored member", "address", "why", "registry entries"),
                ignored,
                "no member is ignored");
        page.section("Session registry (cluster-wide)");
        List<List<String>> rows = new ArrayList<>();
        registry.snapshot().forEach((key, nodes) -> rows.add(List.of(key.toString(), String.join(", ", nodes))));
        page.table(
                "registry",
                List.of("subaccount / location", "tunnel-service nodes holding a session"),
                rows,
                "no connector session is registered");
    }
}
