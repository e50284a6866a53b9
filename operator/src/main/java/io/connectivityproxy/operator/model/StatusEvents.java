package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.State;
import io.fabric8.kubernetes.api.model.Condition;

/** The Kubernetes Events that tell what changed between two statuses: one per changed condition and state. */
public final class StatusEvents {

    /** An Event to record on the ConnectivityProxy. */
    public record StatusEvent(String type, String reason, String message) {
        public static final String NORMAL = "Normal";
        public static final String WARNING = "Warning";
    }

    /** Reason of the Event for changed ready/desired counts while WorkloadsReady keeps its status and reason. */
    public static final String READY_REPLICAS_CHANGED = "ReadyReplicasChanged";

    private StatusEvents() {}

    public static List<StatusEvent> between(ConnectivityProxyStatus before, ConnectivityProxyStatus after) {
        List<StatusEvent> events = new ArrayList<>();
        List<Condition> old = before == null || before.getConditions() == null ? List.of() : before.getConditions();
        for (Condition now : after.getConditions()) {
            Condition was = old.stream()
                    .filter(c -> now.getType().equals(c.getType()))
                    .findFirst()
                    .orElse(null);
            if (was == null
                    || !Objects.equals(was.getStatus(), now.getStatus())
                    || !Objects.equals(was.getReason(), now.getReason())) {
                String type = "True".equals(now.getStatus()) ? StatusEvent.NORMAL : StatusEvent.WARNING;
                events.add(new StatusEvent(
                        type, now.getReason(), now.getType() + "=" + now.getStatus() + ": " + now.getMessage()));
            } else if (ConditionTypes.WORKLOADS_READY.equals(now.getType())
                    && !Objects.equals(was.getMessage(), now.getMessage())) {
                // Same status and reason, other counts (2/3 -> 1/3 ready, or scaled): still worth telling.
                events.add(new StatusEvent(StatusEvent.NORMAL, READY_REPLICAS_CHANGED, now.getMessage()));
            }
        }
        State was = before == null ? null : before.getState();
        if (was != after.getState()) {
            String type = after.getState() == State.Error || after.getState() == State.Warning
                    ? StatusEvent.WARNING
                    : StatusEvent.NORMAL;
            events.add(new StatusEvent(
                    type,
                    "State" + after.getState(),
                    "state " + (was == null ? "(none)" : was) + " -> " + after.getState()));
        }
        return events;
    }
}
