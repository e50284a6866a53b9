package io.connectivityproxy.operator.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** {@code ServiceMapping.spec}. */
public class ServiceMappingSpec {

    /** {@code host:port}, where host is a DNS name or an IPv4 address. */
    public static final String INTERNAL_ADDRESS_PATTERN =
            "^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$";

    /** Letters, digits, dots, dashes and underscores; it is the last segment of the endpoint. */
    public static final String SERVICE_ID_PATTERN = "^[a-zA-Z0-9][-a-zA-Z0-9._]*$";

    @Required
    @SchemaFrom(type = ServiceMappingType.class)
    private String type;

    /** The id the connector's service channel asks for (the virtual host in SAP's Cloud Connector). */
    @Required
    @Pattern(SERVICE_ID_PATTERN)
    private String serviceId;

    @Required
    @Pattern(INTERNAL_ADDRESS_PATTERN)
    private String internalAddress;

    /** Connector locations allowed to use this channel; empty means the default location only. */
    private List<String> locationIds = new ArrayList<>();

    /** Required when the installation runs in shared tenant mode; defaults to the installation's in dedicated mode. */
    @Pattern(ProxyConfig.IDENTIFIER_PATTERN)
    private String subaccountId;

    /** The tenant (zone) of the subaccount the channel belongs to; optional, handed to tunnel-service as is. */
    @Pattern(ProxyConfig.IDENTIFIER_PATTERN)
    private String tenantId;

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getServiceId() {
        return serviceId;
    }

    public void setServiceId(String serviceId) {
        this.serviceId = serviceId;
    }

    public String getInternalAddress() {
        return internalAddress;
    }

    public void setInternalAddress(String internalAddress) {
        this.internalAddress = internalAddress;
    }

    public List<String> getLocationIds() {
        return locationIds;
    }

    public void setLocationIds(List<String> locationIds) {
        this.locationIds = locationIds;
    }

    public String getSubaccountId() {
        return subaccountId;
    }

    public void setSubaccountId(String subaccountId) {
        this.subaccountId = subaccountId;
    }

    public String getTenantId() {
        return tenantId;
    }

    public void setTenantId(String tenantId) {
        this.tenantId = tenantId;
    }

    // Value equality: the operator re-checks the other mappings only when a spec changed, not on status writes.
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServiceMappingSpec)) {
            return false;
        }
        ServiceMappingSpec that = (ServiceMappingSpec) o;
        return Objects.equals(type, that.type)
                && Objects.equals(serviceId, that.serviceId)
                && Objects.equals(internalAddress, that.internalAddress)
                && Objects.equals(locationIds, that.locationIds)
                && Objects.equals(subaccountId, that.subaccountId)
                && Objects.equals(tenantId, that.tenantId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, serviceId, internalAddress, locationIds, subaccountId, tenantId);
    }
}
