package io.connectivityproxy.operator.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.State;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/**
 * Computes {@code status} from an {@link Observation}: one condition per concern, and the state
 * Kyma's lifecycle-manager reads. Error beats Warning beats Processing beats Ready. Pure: the same
 * observation gives an equal status, so an unchanged installation causes no status write.
 */
public final class StatusCalculator {

    private StatusCalculator() {}

    public static ConnectivityProxyStatus compute(Observation o, List<Condition> previous, Instant now) {
        List<Condition> conditions = new ArrayList<>();
        State state;
        if (o.activeInstance().isPresent()) {
            conditions.add(condition(
                    ConditionTypes.INSTALLED,
                    false,
                    "DuplicateInstance",
                    ConditionTypes.DUPLICATE_MESSAGE + "; " + o.activeInstance().get()
                            + " is the installation, this resource is ignored",
                    o,
                    previous,
                    now));
            state = State.Error;
        } else if (!o.violations().isEmpty()) {
            conditions.add(condition(
                    ConditionTypes.INSTALLED,
                    false,
                    "InvalidSpec",
                    String.join("; ", o.violations()),
                    o,
                    previous,
                    now));
            state = State.Error;
        } else {
            state = installation(o, conditions, previous, now);
        }
        ConnectivityProxyStatus status = new ConnectivityProxyStatus();
        status.setState(state);
        status.setObservedGeneration(o.generation());
        status.setConditions(conditions);
        status.setExternalHost(
                o.resolved() == null ? null : o.resolved().externalHost().orElse(null));
        return status;
    }

    private static State installation(
            Observation o, List<Condition> conditions, List<Condition> previous, Instant now) {
        ClusterFacts facts = o.facts();
        ResolvedConfig resolved = o.resolved();
        boolean failed = !o.failedDependents().isEmpty();
        conditions.add(
                failed
                        ? condition(
                                ConditionTypes.INSTALLED,
                                false,
                                "ReconcileFailed",
                                o.failedDependents().entrySet().stream()
                                        .map(e -> e.getKey() + ": " + e.getValue())
                                        .sorted()
                                        .collect(Collectors.joining("; ")),
                                o,
                                previous,
                                now)
                        : condition(
                                ConditionTypes.INSTALLED,
                                true,
                                "Reconciled",
                                "all resources are applied",
                                o,
                                previous,
                                now));

        Verdict tls = tls(o, facts, resolved);
        Verdict binding = binding(o, facts, resolved);
        Verdict ingress = ingress(o, facts, resolved);
        Verdict workloads = workloads(o, resolved);
        Verdict channels = serviceChannels(o.serviceChannels());
        Verdict authorization = proxyAuthorization(facts, resolved);
        List<Verdict> verdicts = List.of(tls, binding, ingress, workloads, channels, authorization);
        for (Verdict v : verdicts) {
            conditions.add(condition(v.type, v.ok, v.reason, v.message, o, previous, now));
        }
        if (failed) {
            return State.Error;
        }
        if (verdicts.stream().anyMatch(Verdict::needsUser)) {
            return State.Warning;
        }
        if (!verdicts.stream().allMatch(Verdict::ok)) {
            return State.Processing;
        }
        return State.Ready;
    }

    private static Verdict tls(Observation o, ClusterFacts facts, ResolvedConfig resolved) {
        String type = ConditionTypes.TLS_READY;
        if (!o.isPresent(DependentNames.CA_SECRET)
                || !o.isPresent(DependentNames.CONNECTOR_CA_SECRET)
                || !o.isPresent(DependentNames.CLUSTER_CA_SECRET)) {
            return Verdict.waiting(
                    type,
                    "CertificatesPending",
                    "the CA Secrets " + Names.CA_SECRET + ", " + Names.CONNECTOR_CA_SECRET + " and "
                            + Names.CLUSTER_CA_SECRET + " are being created");
        }
        if (!o.isPresent(DependentNames.CLUSTER_TLS_SECRET)) {
            return Verdict.waiting(
                    type,
                    "CertificatesPending",
                    "the cluster member certificate " + Names.CLUSTER_TLS_SECRET + " is being issued");
        }
        if (!resolved.generateGatewayTls()) {
            return Verdict.ok(
                    type,
                    "CertificatesIssued",
                    "CAs and the cluster member certificate issued; the gateway serves " + "the provided Secret "
                            + resolved.gatewayTlsSecretName());
        }
        if (!facts.istioInstalled()) {
            return Verdict.user(
                    type, "IstioMissing", istioMissing() + "; the gateway certificate is issued once it is installed");
        }
        if (resolved.externalHost().isEmpty()) {
            return Verdict.user(
                    type,
                    "ExternalHostUnknown",
                    "the gateway certificate needs the external host: " + String.join("; ", resolved.missing()));
        }
        if (!o.isPresent(DependentNames.GATEWAY_TLS_SECRET)) {
            return Verdict.waiting(type, "CertificatesPending", "the gateway certificate is being issued");
        }
        return Verdict.ok(
                type,
                "CertificatesIssued",
                "CAs, the cluster member certificate and the gateway certificate for "
                        + resolved.externalHost().get() + " are issued");
    }

    private static Verdict binding(Observation o, ClusterFacts facts, ResolvedConfig resolved) {
        String type = ConditionTypes.SERVICE_BINDING_READY;
        if (resolved.provisionServiceKey() && !facts.btpOperatorInstalled()) {
            return Verdict.user(
                    type,
                    "BtpOperatorMissing",
                    "the btp-operator module is missing: CRD "
                            + Names.BTP_SERVICE_INSTANCE_CRD + " not found; install it or set "
                            + "spec.secretConfig.integration.connectivityService.secretName");
        }
        if (facts.serviceKey().isEmpty()) {
            return Verdict.waiting(
                    type,
                    "ServiceKeySecretMissing",
                    "Secret " + resolved.serviceKeySecretName()
                            + " with the service key does not exist yet"
                            + (resolved.provisionServiceKey()
                                    ? "; the ServiceBinding " + Names.SERVICE_BINDING + " creates it"
                                    : ""));
        }
        if (!resolved.workloadsRenderable()) {
            return Verdict.user(
                    type,
                    "SubaccountMissing",
                    SpecValidator.SUBACCOUNT_REQUIRED + ": Secret "
                            + resolved.serviceKeySecretName()
                            + " has no subaccount_id (nor tenantid) to auto-provision it from; "
                            + "set spec.config.subaccountId");
        }
        return Verdict.ok(
                type,
                "ServiceKeyAvailable",
                "service key read from Secret " + resolved.serviceKeySecretName()
                        + resolved.subaccountId()
                                .map(id -> "; subaccount " + id)
                                .orElse(""));
    }

    private static Verdict ingress(Observation o, ClusterFacts facts, ResolvedConfig resolved) {
        String type = ConditionTypes.INGRESS_READY;
        if (!facts.istioInstalled()) {
            return Verdict.user(type, "IstioMissing", istioMissing());
        }
        if (resolved.externalHost().isEmpty()) {
            return Verdict.user(type, "ExternalHostUnknown", String.join("; ", resolved.missing()));
        }
        if (!o.isPresent(DependentNames.GATEWAY)
                || !o.isPresent(DependentNames.VIRTUAL_SERVICE)
                || !o.isPresent(DependentNames.HEALTHCHECK_VIRTUAL_SERVICE)) {
            return Verdict.waiting(
                    type,
                    "GatewayPending",
                    "Gateway and VirtualService " + Names.GATEWAY + " and VirtualService " + Names.HEALTHCHECK
                            + " are being created");
        }
        return Verdict.ok(
                type,
                "GatewayConfigured",
                "connectors dial " + resolved.externalHost().get() + ":"
                        + resolved.externalPort() + "; health check at https://"
                        + Names.healthcheckHost(resolved.externalHost().get())
                        + (resolved.externalPort() == 443 ? "" : ":" + resolved.externalPort())
                        + Names.HEALTHCHECK_PATH);
    }

    private static Verdict workloads(Observation o, ResolvedConfig resolved) {
        String type = ConditionTypes.WORKLOADS_READY;
        if (!resolved.workloadsRenderable()) {
            return Verdict.waiting(
                    type,
                    "WaitingForSubaccount",
                    "the workloads are created once the subaccount is known: " + String.join("; ", resolved.missing()));
        }
        String detail = o.proxyService().describe() + ", " + o.tunnelService().describe();
        if (o.proxyService().isReady() && o.tunnelService().isReady()) {
            return Verdict.ok(type, "WorkloadsAvailable", detail);
        }
        return Verdict.waiting(type, "WorkloadsNotReady", detail);
    }

    // SAP refuses to turn service channels off while mappings exist; here the mappings stay and are reported.
    private static Verdict serviceChannels(ServiceChannelObservation channels) {
        String type = ConditionTypes.SERVICE_CHANNELS;
        if (channels.enabled()) {
            return Verdict.ok(
                    type,
                    "Enabled",
                    "service channels are enabled; tunnel-service serves the accepted ServiceMappings");
        }
        if (channels.mappings().isEmpty()) {
            return Verdict.ok(
                    type, "Disabled", "service channels are disabled (spec.config.serviceChannels.enabled: false)");
        }
        int count = channels.mappings().size();
        return Verdict.user(
                type,
                "DisabledWithMappings",
                "service channels are disabled (spec.config.serviceChannels.enabled: "
                        + "false) but " + count + (count == 1 ? " ServiceMapping exists" : " ServiceMappings exist")
                        + " that tunnel-service does not serve: " + ServiceMappings.listed(channels.mappings())
                        + "; delete them or enable service channels");
    }

    /**
     * Whether proxy-service can judge the tokens it looks at: it needs the issuers, from the
     * resource or the service key. Trusted dedicated mode looks at no token.
     */
    private static Verdict proxyAuthorization(ClusterFacts facts, ResolvedConfig resolved) {
        String type = ConditionTypes.PROXY_AUTHORIZATION;
        ProxyAuthorization authorization = resolved.authorization();
        if (!authorization.tokensInspected()) {
            return Verdict.ok(
                    type,
                    "Trusted",
                    "no proxy port requires a token and the tenant mode is dedicated: "
                            + "clients in the cluster are trusted");
        }
        String uses = authorization.enabled()
                ? "a token is required on " + String.join(", ", authorization.requiredOn())
                : "tokens name the subaccount (shared tenant mode) but no port requires one";
        if (authorization.issuers().isEmpty()) {
            if (facts.serviceKey().isEmpty()) {
                return Verdict.waiting(
                        type,
                        "IssuerPending",
                        uses + "; the token issuer is read from Secret " + resolved.serviceKeySecretName()
                                + ", which does not exist yet");
            }
            return Verdict.user(
                    type,
                    "IssuerUnknown",
                    uses + ", but the token issuer is unknown: Secret "
                            + resolved.serviceKeySecretName() + " has no https url (nor uaadomain); set "
                            + "spec.config.servers.proxy.authorization.oauth.issuers");
        }
        return Verdict.ok(
                type,
                "Configured",
                uses + "; issuers " + String.join(", ", authorization.issuers())
                        + (authorization.source() == ProxyAuthorization.IssuerSource.SERVICE_KEY
                                ? " (from the service key)"
                                : "")
                        + authorization
                                .jwksUrl()
                                .map(url -> ", keys from " + url)
                                .orElse(", keys found per issuer")
                        + authorization
                                .allowedClientId()
                                .map(id -> ", client id " + id)
                                .orElse(""));
    }

    private static String istioMissing() {
        return "the istio module is missing: CRD " + Names.ISTIO_GATEWAY_CRD + " not found";
    }

    private static Condition condition(
            String type,
            boolean ok,
            String reason,
            String message,
            Observation o,
            List<Condition> previous,
            Instant now) {
        String status = ok ? "True" : "False";
        // The transition time moves only when the status does, as Kubernetes' conventions ask.
        String since = Optional.ofNullable(previous).orElse(List.of()).stream()
                .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(now.toString());
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(o.generation())
                .withLastTransitionTime(since)
                .build();
    }

    /** One concern's verdict; {@code needsUser} marks what will not resolve by waiting. */
    private record Verdict(String type, boolean ok, boolean needsUser, String reason, String message) {
        static Verdict ok(String type, String reason, String message) {
            return new Verdict(type, true, false, reason, message);
        }

        static Verdict waiting(String type, String reason, String message) {
            return new Verdict(type, false, false, reason, message);
        }

        static Verdict user(String type, String reason, String message) {
            return new Verdict(type, false, true, reason, message);
        }
    }
}
