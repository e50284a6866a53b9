package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.State;
import io.fabric8.kubernetes.api.model.Condition;

class StatusCalculatorTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");
    static final Map<String, Boolean> ALL_PRESENT = Map.of(
            DependentNames.CA_SECRET,
            true,
            DependentNames.CONNECTOR_CA_SECRET,
            true,
            DependentNames.CLUSTER_CA_SECRET,
            true,
            DependentNames.CLUSTER_TLS_SECRET,
            true,
            DependentNames.GATEWAY_TLS_SECRET,
            true,
            DependentNames.GATEWAY,
            true,
            DependentNames.VIRTUAL_SERVICE,
            true,
            DependentNames.HEALTHCHECK_VIRTUAL_SERVICE,
            true);
    static final WorkloadObservation PROXY_READY = new WorkloadObservation(Labels.PROXY_SERVICE, true, 1, 1, 1, true);
    static final WorkloadObservation TUNNEL_READY = new WorkloadObservation(Labels.TUNNEL_SERVICE, true, 1, 1, 1, true);

    @Test
    void readyWhenEverythingIsThere() {
        ConnectivityProxyStatus status =
                compute(Fixtures.facts(), ALL_PRESENT, PROXY_READY, TUNNEL_READY, List.of(), T0);
        assertEquals(State.Ready, status.getState());
        assertEquals(3L, status.getObservedGeneration());
        assertTrue(
                status.getConditions().stream().allMatch(c -> "True".equals(c.getStatus())),
                status.getConditions().toString());
        assertEquals(7, status.getConditions().size());
        assertEquals(
                "Trusted", condition(status, ConditionTypes.PROXY_AUTHORIZATION).getReason());
    }

    @Test
    void processingWhileThePodsComeUp() {
        WorkloadObservation starting = new WorkloadObservation(Labels.TUNNEL_SERVICE, true, 2, 1, 2, true);
        ConnectivityProxyStatus status = compute(Fixtures.facts(), ALL_PRESENT, PROXY_READY, starting, List.of(), T0);
        assertEquals(State.Processing, status.getState());
        assertEquals(
                "proxy-service 1/1 ready, tunnel-service 1/2 ready",
                condition(status, ConditionTypes.WORKLOADS_READY).getMessage());
    }

    @Test
    void warningWhenAModuleIsMissing() {
        ClusterFacts noIstio = new ClusterFacts(
                false, true, Fixtures.facts().clusterDomain(), Fixtures.facts().serviceKey(), "");
        ConnectivityProxyStatus status = compute(noIstio, ALL_PRESENT, PROXY_READY, TUNNEL_READY, List.of(), T0);
        assertEquals(State.Warning, status.getState());
        assertEquals(
                "IstioMissing", condition(status, ConditionTypes.INGRESS_READY).getReason());

        ClusterFacts noBtp = new ClusterFacts(true, false, Fixtures.facts().clusterDomain(), Optional.empty(), "");
        ConnectivityProxyStatus btp = compute(noBtp, ALL_PRESENT, PROXY_READY, TUNNEL_READY, List.of(), T0);
        assertEquals(State.Warning, btp.getState());
        assertTrue(condition(btp, ConditionTypes.SERVICE_BINDING_READY)
                .getMessage()
                .contains("btp-operator module is missing"));
    }

    @Test
    void errorForADuplicateAndForAnInvalidSpec() {
        ConnectivityProxyStatus duplicate =
                StatusCalculator.compute(Observation.duplicate(1, "kyma-system/connectivity-proxy"), List.of(), T0);
        assertEquals(State.Error, duplicate.getState());
        assertTrue(condition(duplicate, ConditionTypes.INSTALLED)
                .getMessage()
                .startsWith(ConditionTypes.DUPLICATE_MESSAGE));

        ConnectivityProxyStatus invalid =
                StatusCalculator.compute(Observation.invalid(1, List.of("spec.x: bad")), List.of(), T0);
        assertEquals(State.Error, invalid.getState());
        assertEquals("spec.x: bad", condition(invalid, ConditionTypes.INSTALLED).getMessage());
    }

    @Test
    void theTransitionTimeMovesOnlyWithTheStatus() {
        ConnectivityProxyStatus first =
                compute(Fixtures.facts(), ALL_PRESENT, PROXY_READY, TUNNEL_READY, List.of(), T0);
        ConnectivityProxyStatus same =
                compute(Fixtures.facts(), ALL_PRESENT, PROXY_READY, TUNNEL_READY, first.getConditions(), T1);
        assertEquals(first, same, "an unchanged installation gives an equal status, hence no write");
        WorkloadObservation down = new WorkloadObservation(Labels.PROXY_SERVICE, true, 1, 0, 1, true);
        ConnectivityProxyStatus changed =
                compute(Fixtures.facts(), ALL_PRESENT, down, TUNNEL_READY, first.getConditions(), T1);
        assertEquals(
                T1.toString(),
                condition(changed, ConditionTypes.WORKLOADS_READY).getLastTransitionTime());
        assertEquals(T0.toString(), condition(changed, ConditionTypes.INSTALLED).getLastTransitionTime());
    }

    @Test
    void changedReadyCountsAreAnEventEvenWhenTheConditionKeepsItsReason() {
        WorkloadObservation proxy = new WorkloadObservation(Labels.PROXY_SERVICE, true, 3, 3, 3, true);
        WorkloadObservation twoOfThree = new WorkloadObservation(Labels.TUNNEL_SERVICE, true, 3, 2, 3, true);
        WorkloadObservation oneOfThree = new WorkloadObservation(Labels.TUNNEL_SERVICE, true, 3, 1, 3, true);
        ConnectivityProxyStatus two = compute(Fixtures.facts(), ALL_PRESENT, proxy, twoOfThree, List.of(), T0);
        ConnectivityProxyStatus one =
                compute(Fixtures.facts(), ALL_PRESENT, proxy, oneOfThree, two.getConditions(), T1);
        assertEquals(
                "proxy-service 3/3 ready, tunnel-service 2/3 ready",
                condition(two, ConditionTypes.WORKLOADS_READY).getMessage());
        List<StatusEvents.StatusEvent> events = StatusEvents.between(two, one);
        assertEquals(
                List.of(new StatusEvents.StatusEvent(
                        "Normal",
                        StatusEvents.READY_REPLICAS_CHANGED,
                        "proxy-service 3/3 ready, tunnel-service 1/3 ready")),
                events);
        assertEquals(List.of(), StatusEvents.between(one, one));
    }

    @Test
    void eventsNameWhatChanged() {
        ConnectivityProxyStatus ready =
                compute(Fixtures.facts(), ALL_PRESENT, PROXY_READY, TUNNEL_READY, List.of(), T0);
        WorkloadObservation down = new WorkloadObservation(Labels.PROXY_SERVICE, true, 1, 0, 1, true);
        ConnectivityProxyStatus degraded =
                compute(Fixtures.facts(), ALL_PRESENT, down, TUNNEL_READY, ready.getConditions(), T1);
        List<StatusEvents.StatusEvent> events = StatusEvents.between(ready, degraded);
        assertEquals(
                List.of("WorkloadsNotReady", "StateProcessing"),
                events.stream().map(StatusEvents.StatusEvent::reason).toList());
        assertEquals(List.of(), StatusEvents.between(ready, ready));
    }

    @Test
    void warningWhileServiceChannelsAreOffButMappingsExistNamingThem() {
        ConnectivityProxyStatus none = compute(new ServiceChannelObservation(false, List.of()), List.of());
        assertEquals(State.Ready, none.getState());
        assertEquals(
                "Disabled", condition(none, ConditionTypes.SERVICE_CHANNELS).getReason());

        ConnectivityProxyStatus two =
                compute(new ServiceChannelObservation(false, List.of("erp-ssh", "erp-events")), none.getConditions());
        assertEquals(State.Warning, two.getState());
        Condition channels = condition(two, ConditionTypes.SERVICE_CHANNELS);
        assertEquals("False", channels.getStatus());
        assertEquals("DisabledWithMappings", channels.getReason());
        assertTrue(channels.getMessage().contains("2 ServiceMappings exist"), channels.getMessage());
        assertTrue(channels.getMessage().contains(": erp-events, erp-ssh;"), channels.getMessage());
        assertTrue(channels.getMessage().contains("spec.config.serviceChannels.enabled"), channels.getMessage());
        assertEquals(
                List.of("DisabledWithMappings", "StateWarning"),
                StatusEvents.between(none, two).stream()
                        .map(StatusEvents.StatusEvent::reason)
                        .toList());

        List<String> many = java.util.stream.IntStream.range(0, 25)
                .mapToObj(i -> "mapping-" + (char) ('a' + i))
                .toList();
        String message = condition(
                        compute(new ServiceChannelObservation(false, many), List.of()), ConditionTypes.SERVICE_CHANNELS)
                .getMessage();
        assertTrue(message.contains("mapping-a, mapping-b,"), message);
        assertTrue(message.contains("mapping-j and 15 more"), message);

        ConnectivityProxyStatus enabled =
                compute(new ServiceChannelObservation(true, List.of("erp-ssh")), two.getConditions());
        assertEquals(State.Ready, enabled.getState());
        assertEquals("True", condition(enabled, ConditionTypes.SERVICE_CHANNELS).getStatus());
    }

    @Test
    void theClusterMemberCertificateIsPartOfTls() {
        Map<String, Boolean> noMemberCertificate = new java.util.HashMap<>(ALL_PRESENT);
        noMemberCertificate.put(DependentNames.CLUSTER_TLS_SECRET, false);
        ConnectivityProxyStatus status =
                compute(Fixtures.facts(), noMemberCertificate, PROXY_READY, TUNNEL_READY, List.of(), T0);
        assertEquals(State.Processing, status.getState());
        Condition tls = condition(status, ConditionTypes.TLS_READY);
        assertEquals("CertificatesPending", tls.getReason());
        assertTrue(tls.getMessage().contains(Names.CLUSTER_TLS_SECRET), tls.getMessage());

        Map<String, Boolean> noClusterCa = new java.util.HashMap<>(ALL_PRESENT);
        noClusterCa.put(DependentNames.CLUSTER_CA_SECRET, false);
        Condition pending = condition(
                compute(Fixtures.facts(), noClusterCa, PROXY_READY, TUNNEL_READY, List.of(), T0),
                ConditionTypes.TLS_READY);
        assertTrue(pending.getMessage().contains(Names.CLUSTER_CA_SECRET), pending.getMessage());
    }

    @Test
    void aServiceKeyWithoutSubaccountInDedicatedModeIsAWarningWithSapsMessage() {
        ClusterFacts noSubaccount = new ClusterFacts(
                true,
                true,
                Fixtures.facts().clusterDomain(),
                Optional.of(new ServiceKey(Optional.empty(), Optional.of("subdomain-1"))),
                "");
        ConnectivityProxyStatus status = compute(noSubaccount, ALL_PRESENT, PROXY_READY, TUNNEL_READY, List.of(), T0);
        assertEquals(State.Warning, status.getState());
        Condition binding = condition(status, ConditionTypes.SERVICE_BINDING_READY);
        assertEquals("SubaccountMissing", binding.getReason());
        assertTrue(
                binding.getMessage().startsWith("SubaccountId is required if tenant mode is dedicated: "),
                binding.getMessage());
        assertEquals(
                "WaitingForSubaccount",
                condition(status, ConditionTypes.WORKLOADS_READY).getReason());
    }

    @Test
    void proxyAuthorizationNamesTheIssuerOrWhatIsMissing() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getProxy().getHttp().setEnableProxyAuthorization(true);
        cr.getSpec()
                .getConfig()
                .getServers()
                .getProxy()
                .getAuthorization()
                .getOauth()
                .setAllowedClientId("sb-client");

        Condition configured = condition(compute(cr, Fixtures.facts()), ConditionTypes.PROXY_AUTHORIZATION);
        assertEquals("True", configured.getStatus());
        assertEquals("Configured", configured.getReason());
        assertTrue(configured.getMessage().contains("a token is required on http"), configured.getMessage());
        assertTrue(
                configured.getMessage().contains(Fixtures.UAA_URL + "/oauth/token (from the service key)"),
                configured.getMessage());
        assertTrue(configured.getMessage().contains("client id sb-client"), configured.getMessage());

        ClusterFacts noKey = new ClusterFacts(true, true, Fixtures.facts().clusterDomain(), Optional.empty(), "");
        ConnectivityProxyStatus waiting = compute(cr, noKey);
        assertEquals(
                "IssuerPending",
                condition(waiting, ConditionTypes.PROXY_AUTHORIZATION).getReason());
        assertEquals(
                "False", condition(waiting, ConditionTypes.PROXY_AUTHORIZATION).getStatus());

        ClusterFacts keyWithoutUrl = new ClusterFacts(
                true,
                true,
                Fixtures.facts().clusterDomain(),
                Optional.of(new ServiceKey(Optional.of("sub-1"), Optional.of("subdomain-1"))),
                "");
        ConnectivityProxyStatus unknown = compute(cr, keyWithoutUrl);
        assertEquals(State.Warning, unknown.getState());
        Condition issuer = condition(unknown, ConditionTypes.PROXY_AUTHORIZATION);
        assertEquals("IssuerUnknown", issuer.getReason());
        assertTrue(
                issuer.getMessage().contains("spec.config.servers.proxy.authorization.oauth.issuers"),
                issuer.getMessage());

        cr.getSpec()
                .getConfig()
                .getServers()
                .getProxy()
                .getAuthorization()
                .getOauth()
                .setIssuers(List.of("https://issuer.example/oauth/token"));
        ConnectivityProxyStatus named = compute(cr, keyWithoutUrl);
        assertEquals(State.Ready, named.getState());
        assertTrue(
                condition(named, ConditionTypes.PROXY_AUTHORIZATION)
                        .getMessage()
                        .contains("https://issuer.example/oauth/token, keys " + "found per issuer"),
                condition(named, ConditionTypes.PROXY_AUTHORIZATION).getMessage());
    }

    private static ConnectivityProxyStatus compute(ConnectivityProxy cr, ClusterFacts facts) {
        Observation observation = new Observation(
                3,
                Optional.empty(),
                List.of(),
                facts,
                ConfigResolver.resolve(cr, facts),
                Map.of(),
                ALL_PRESENT,
                PROXY_READY,
                TUNNEL_READY,
                new ServiceChannelObservation(true, List.of()));
        return StatusCalculator.compute(observation, List.of(), T0);
    }

    private static ConnectivityProxyStatus compute(ServiceChannelObservation channels, List<Condition> previous) {
        ConnectivityProxy cr = Fixtures.cr();
        Observation observation = new Observation(
                3,
                Optional.empty(),
                List.of(),
                Fixtures.facts(),
                ConfigResolver.resolve(cr, Fixtures.facts()),
                Map.of(),
                ALL_PRESENT,
                PROXY_READY,
                TUNNEL_READY,
                channels);
        return StatusCalculator.compute(observation, previous, T0);
    }

    private static ConnectivityProxyStatus compute(
            ClusterFacts facts,
            Map<String, Boolean> present,
            WorkloadObservation proxy,
            WorkloadObservation tunnel,
            List<Condition> previous,
            Instant now) {
        ConnectivityProxy cr = Fixtures.cr();
        Observation observation = new Observation(
                3,
                Optional.empty(),
                List.of(),
                facts,
                ConfigResolver.resolve(cr, facts),
                Map.of(),
                present,
                proxy,
                tunnel,
                new ServiceChannelObservation(true, List.of()));
        return StatusCalculator.compute(observation, previous, now);
    }

    private static Condition condition(ConnectivityProxyStatus status, String type) {
        return status.getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow();
    }
}
