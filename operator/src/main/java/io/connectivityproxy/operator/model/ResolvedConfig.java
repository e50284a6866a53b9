package io.connectivityproxy.operator.model;

import java.util.List;
import java.util.Optional;

/**
 * The installation's settings after every {@code auto-provision} value was replaced by what the
 * cluster provides. A value that could not be found yet is empty and named in {@link #missing()}.
 *
 * @param externalHost the public tunnel host
 * @param externalPort the port connectors dial on it
 * @param subaccountId the subaccount the installation serves (dedicated mode)
 * @param subaccountSubdomain that subaccount's subdomain
 * @param gatewayTlsSecretName secret in the ingress namespace the Gateway serves
 * @param generateGatewayTls whether the operator generates that secret
 * @param serviceKeySecretName secret (in the installation's namespace) holding the service key
 * @param provisionServiceKey whether the operator creates the ServiceInstance and ServiceBinding
 * @param missing one human-readable line per value that is still unknown
 * @param configHash digest of everything the workloads are rendered from; changes roll them
 * @param sharedTenantMode the subaccount comes from each request's token, not from the installation
 * @param authorization how proxy-service judges tokens, with the issuers resolved
 */
public record ResolvedConfig(
        Optional<String> externalHost,
        int externalPort,
        Optional<String> subaccountId,
        Optional<String> subaccountSubdomain,
        String gatewayTlsSecretName,
        boolean generateGatewayTls,
        String serviceKeySecretName,
        boolean provisionServiceKey,
        List<String> missing,
        String configHash,
        boolean sharedTenantMode,
        ProxyAuthorization authorization) {

    /** Whether the workloads can be rendered: in dedicated mode they need the subaccount. */
    public boolean workloadsRenderable() {
        return subaccountId.isPresent() || sharedTenantMode;
    }
}
