package io.connectivityproxy.tunnel.channel;

/** Whose mappings a ServiceMapping without {@code spec.subaccountId} is (SAP's tenant modes). */
public enum TenantMode {
    /** One subaccount per installation: a mapping without a subaccount belongs to it. */
    DEDICATED,
    /** Many subaccounts share the installation: every mapping must name its subaccount. */
    SHARED
}
