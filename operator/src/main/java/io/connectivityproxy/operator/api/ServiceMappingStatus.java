package io.connectivityproxy.operator.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.kubernetes.api.model.Condition;

/** {@code ServiceMapping.status}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceMappingStatus {

    /**
     * Where on-premise connectors reach the channel, {@code <tcp|rfc>://<external host>:<external port>/<serviceId>},
     * once the mapping is accepted; administrators paste it into the connector's configuration.
     */
    private String endpoint;

    private Long observedGeneration;
    private List<Condition> conditions = new ArrayList<>();

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServiceMappingStatus)) {
            return false;
        }
        ServiceMappingStatus that = (ServiceMappingStatus) o;
        return Objects.equals(endpoint, that.endpoint)
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpoint, observedGeneration, conditions);
    }
}
