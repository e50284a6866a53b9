package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.api.ServiceMappingSpec;
import io.connectivityproxy.operator.api.ServiceMappingStatus;
import io.fabric8.kubernetes.api.model.Condition;

class ServiceMappingsTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");
    static final ServiceChannelSettings DEDICATED =
            new ServiceChannelSettings(true, false, Optional.of("sub-1"), Optional.of("cp.example.com"), 443);

    @Test
    void anAcceptedMappingGetsTheEndpointConnectorsUse() {
        ServiceMapping tcp =
                mapping("erp-events", "TCP", "erp-events", "events.erp.svc.cluster.local:9092", "2026-01-01T00:00:00Z");
        ServiceMappingStatus status = status(tcp, List.of(tcp), Optional.of(DEDICATED));
        assertEquals("tcp://cp.example.com:443/erp-events", status.getEndpoint());
        Condition accepted = status.getConditions().get(0);
        assertEquals(ServiceMappings.ACCEPTED, accepted.getType());
        assertEquals("True", accepted.getStatus());
        assertEquals("Served", accepted.getReason());
        assertTrue(accepted.getMessage().contains("events.erp.svc.cluster.local:9092"), accepted.getMessage());

        ServiceMapping rfc =
                mapping("erp-rfc", "RFC", "erp-rfc", "gateway.erp.svc.cluster.local:3300", "2026-01-01T00:00:00Z");
        ServiceChannelSettings otherPort =
                new ServiceChannelSettings(true, false, Optional.of("sub-1"), Optional.of("tunnel.example.org"), 8443);
        assertEquals(
                "rfc://tunnel.example.org:8443/erp-rfc",
                status(rfc, List.of(rfc), Optional.of(otherPort)).getEndpoint());
    }

    @Test
    void theSettingsComeFromTheResolvedInstallation() {
        ConnectivityProxy cr = Fixtures.cr();
        ServiceChannelSettings dedicated = ServiceChannelSettings.of(cr, Fixtures.resolved(cr));
        assertEquals(
                new ServiceChannelSettings(true, false, Optional.of("sub-1"), Optional.of("cp.c-1.kyma.example"), 443),
                dedicated);

        cr.getSpec().getConfig().setTenantMode("shared");
        cr.getSpec().getConfig().getServiceChannels().setEnabled(false);
        cr.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalPort(8443);
        ServiceChannelSettings shared = ServiceChannelSettings.of(cr, Fixtures.resolved(cr));
        assertEquals(
                new ServiceChannelSettings(false, true, Optional.empty(), Optional.of("cp.c-1.kyma.example"), 8443),
                shared);
    }

    @Test
    void onlyTheOldestOfATypeSubaccountAndServiceIdIsServedAndEachNamesTheOthers() {
        ServiceMapping first = mapping("first", "TCP", "erp", "a.apps:1", "2026-01-01T00:00:00Z");
        ServiceMapping second = mapping("second", "TCP", "erp", "b.apps:2", "2026-01-02T00:00:00Z");
        // The installation's subaccount, spelled out: the same channel as the two without one.
        ServiceMapping third = mapping("third", "TCP", "erp", "c.apps:3", "2026-01-03T00:00:00Z");
        third.getSpec().setSubaccountId("sub-1");
        ServiceMapping otherSubaccount = mapping("other-subaccount", "TCP", "erp", "d.apps:4", "2026-01-01T00:00:00Z");
        otherSubaccount.getSpec().setSubaccountId("sub-2");
        ServiceMapping otherType = mapping("other-type", "RFC", "erp", "e.apps:5", "2026-01-01T00:00:00Z");
        List<ServiceMapping> all = List.of(first, second, third, otherSubaccount, otherType);

        ServiceMappingStatus served = status(first, all, Optional.of(DEDICATED));
        assertEquals("True", served.getConditions().get(0).getStatus());
        assertTrue(
                served.getConditions().get(0).getMessage().contains("second, third"),
                served.getConditions().get(0).getMessage());

        for (ServiceMapping duplicate : List.of(second, third)) {
            ServiceMappingStatus status = status(duplicate, all, Optional.of(DEDICATED));
            Condition condition = status.getConditions().get(0);
            assertEquals("False", condition.getStatus());
            assertEquals("Duplicate", condition.getReason());
            assertNull(status.getEndpoint());
            List<String> others = all.subList(0, 3).stream()
                    .map(m -> m.getMetadata().getName())
                    .filter(n -> !n.equals(duplicate.getMetadata().getName()))
                    .collect(Collectors.toList());
            assertTrue(
                    condition.getMessage().contains("also claimed by ServiceMapping " + String.join(", ", others)),
                    condition.getMessage());
            assertTrue(condition.getMessage().contains("spec.serviceId"), condition.getMessage());
            assertTrue(
                    condition.getMessage().contains("only the oldest of them, first, is served"),
                    condition.getMessage());
        }
        assertEquals(List.of(), ServiceMappings.problems(otherSubaccount, all, Optional.of(DEDICATED)));
        assertEquals(List.of(), ServiceMappings.problems(otherType, all, Optional.of(DEDICATED)));
    }

    @Test
    void creationTimeTiesAreBrokenByName() {
        ServiceMapping b = mapping("b", "TCP", "erp", "a.apps:1", "2026-01-01T00:00:00Z");
        ServiceMapping a = mapping("a", "TCP", "erp", "a.apps:1", "2026-01-01T00:00:00Z");
        assertEquals(List.of(), ServiceMappings.problems(a, List.of(a, b), Optional.of(DEDICATED)));
        assertEquals(List.of("Duplicate"), reasons(b, List.of(a, b), Optional.of(DEDICATED)));
    }

    @Test
    void theInternalAddressMustBeHostAndAPortFrom1To65535() {
        for (String bad :
                List.of("no-port", "host:0", "host:65536", "host:99999", ":80", "host:", "host:80:81", "-host:80")) {
            ServiceMapping mapping = mapping("m", "TCP", "m", bad, "2026-01-01T00:00:00Z");
            ServiceMappingStatus status = status(mapping, List.of(mapping), Optional.of(DEDICATED));
            Condition condition = status.getConditions().get(0);
            assertEquals("InvalidAddress", condition.getReason(), bad);
            assertTrue(
                    condition.getMessage().startsWith("spec.internalAddress: must be host:port"),
                    condition.getMessage());
            assertTrue(condition.getMessage().contains("'" + bad + "'"), condition.getMessage());
            assertNull(status.getEndpoint());
        }
        for (String good : List.of("host:1", "host:65535", "10.0.0.7:3300", "erp.apps.svc.cluster.local:22")) {
            ServiceMapping mapping = mapping("m", "TCP", "m", good, "2026-01-01T00:00:00Z");
            assertEquals(List.of(), ServiceMappings.problems(mapping, List.of(mapping), Optional.of(DEDICATED)), good);
        }
    }

    @Test
    void sharedTenantModeNeedsTheSubaccountDedicatedModeDefaultsIt() {
        ServiceChannelSettings shared =
                new ServiceChannelSettings(true, true, Optional.empty(), Optional.of("cp.example.com"), 443);
        ServiceMapping mapping = mapping("m", "TCP", "m", "sap-erp:3300", "2026-01-01T00:00:00Z");
        List<ServiceMappings.Problem> problems =
                ServiceMappings.problems(mapping, List.of(mapping), Optional.of(shared));
        assertEquals(
                List.of("SubaccountRequired"),
                problems.stream().map(ServiceMappings.Problem::reason).collect(Collectors.toList()));
        assertTrue(
                problems.get(0).message().startsWith("spec.subaccountId: required"),
                problems.get(0).message());
        assertEquals(List.of(), ServiceMappings.problems(mapping, List.of(mapping), Optional.of(DEDICATED)));
        mapping.getSpec().setSubaccountId("sub-9");
        assertEquals(List.of(), ServiceMappings.problems(mapping, List.of(mapping), Optional.of(shared)));
    }

    @Test
    void nothingIsAcceptedWithoutAnInstallationOrWithChannelsOff() {
        ServiceMapping mapping = mapping("m", "TCP", "m", "a:1", "2026-01-01T00:00:00Z");
        assertEquals(List.of("NoInstallation"), reasons(mapping, List.of(mapping), Optional.empty()));

        ServiceChannelSettings off =
                new ServiceChannelSettings(false, false, Optional.of("sub-1"), Optional.of("cp.example.com"), 443);
        ServiceMappingStatus status = status(mapping, List.of(mapping), Optional.of(off));
        assertEquals("ServiceChannelsDisabled", status.getConditions().get(0).getReason());
        assertTrue(status.getConditions().get(0).getMessage().contains("spec.config.serviceChannels.enabled"));
        assertNull(status.getEndpoint());

        // Every problem is named, the most fundamental one gives the reason.
        mapping.getSpec().setInternalAddress("a");
        assertEquals(
                List.of("ServiceChannelsDisabled", "InvalidAddress"),
                reasons(mapping, List.of(mapping), Optional.of(off)));
    }

    @Test
    void withoutTheExternalHostThereIsNoEndpointYet() {
        ServiceChannelSettings noHost =
                new ServiceChannelSettings(true, false, Optional.of("sub-1"), Optional.empty(), 443);
        ServiceMapping mapping = mapping("m", "TCP", "m", "a:1", "2026-01-01T00:00:00Z");
        ServiceMappingStatus status = status(mapping, List.of(mapping), Optional.of(noHost));
        assertEquals("ExternalHostUnknown", status.getConditions().get(0).getReason());
        assertNull(status.getEndpoint());
    }

    @Test
    void theTransitionTimeMovesOnlyWithAcceptance() {
        ServiceMapping mapping = mapping("m", "TCP", "m", "a:1", "2026-01-01T00:00:00Z");
        ServiceMappingStatus first = ServiceMappings.status(mapping, List.of(mapping), Optional.of(DEDICATED), T0);
        mapping.setStatus(first);
        ServiceMappingStatus same = ServiceMappings.status(mapping, List.of(mapping), Optional.of(DEDICATED), T1);
        assertEquals(first, same, "an unchanged mapping gives an equal status, hence no write");
        ServiceMappingStatus rejected = ServiceMappings.status(mapping, List.of(mapping), Optional.empty(), T1);
        assertEquals(T1.toString(), rejected.getConditions().get(0).getLastTransitionTime());
    }

    @Test
    void listsOfNamesAreSortedAndCapped() {
        assertEquals("a, b", ServiceMappings.listed(List.of("b", "a")));
        List<String> many = IntStream.rangeClosed(1, 12)
                .mapToObj(i -> String.format("m%02d", i))
                .collect(Collectors.toList());
        String listed = ServiceMappings.listed(many);
        assertTrue(listed.startsWith("m01, m02, "), listed);
        assertTrue(listed.endsWith("m10 and 2 more"), listed);
        assertFalse(listed.contains("m11"), listed);
    }

    private static ServiceMappingStatus status(
            ServiceMapping mapping, List<ServiceMapping> all, Optional<ServiceChannelSettings> installation) {
        return ServiceMappings.status(mapping, all, installation, T0);
    }

    private static List<String> reasons(
            ServiceMapping mapping, List<ServiceMapping> all, Optional<ServiceChannelSettings> installation) {
        return ServiceMappings.problems(mapping, all, installation).stream()
                .map(ServiceMappings.Problem::reason)
                .collect(Collectors.toList());
    }

    static ServiceMapping mapping(String name, String type, String serviceId, String address, String created) {
        ServiceMapping mapping = new ServiceMapping();
        mapping.getMetadata().setName(name);
        mapping.getMetadata().setCreationTimestamp(created);
        mapping.getMetadata().setGeneration(1L);
        ServiceMappingSpec spec = new ServiceMappingSpec();
        spec.setType(type);
        spec.setServiceId(serviceId);
        spec.setInternalAddress(address);
        mapping.setSpec(spec);
        return mapping;
    }
}
