package io.connectivityproxy.operator.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.kubernetes.api.model.Condition;

/** {@code status}: Kyma's state contract plus standard conditions, one per concern. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConnectivityProxyStatus {

    private State state;
    private Long observedGeneration;
    private List<Condition> conditions = new ArrayList<>();
    /** The public tunnel host connectors dial, once known. */
    private String externalHost;

    public State getState() {
        return state;
    }

    public void setState(State state) {
        this.state = state;
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

    public String getExternalHost() {
        return externalHost;
    }

    public void setExternalHost(String externalHost) {
        this.externalHost = externalHost;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ConnectivityProxyStatus)) {
            return false;
        }
        ConnectivityProxyStatus that = (ConnectivityProxyStatus) o;
        return state == that.state
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions)
                && Objects.equals(externalHost, that.externalHost);
    }

    @Override
    public int hashCode() {
        return Objects.hash(state, observedGeneration, conditions, externalHost);
    }
}
