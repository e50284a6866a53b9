package io.connectivityproxy.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gauges that say whether a system of real processes is idle, read from each node's
 * {@code /q/metrics}: streams open (and, on proxy-service, opens still pending) on every hop,
 * service-channel streams, the window budget each node has left to grant, and the sessions
 * tunnel-service holds against those the connectors hold. A test reads them before a case and
 * waits for them afterwards ({@link LocalSystem#awaitIdle}), as Konnectivity's tests do after
 * each case: whatever a case leaves behind on any process is a leak.
 */
final class IdleState {

    static final Duration SETTLE = Duration.ofSeconds(30);

    /** Per kind of node, the gauges that read zero when nothing flows. */
    private static final Map<LocalSystem.Kind, List<String>> ZERO_WHEN_IDLE = Map.of(
            LocalSystem.Kind.PROXY, List.of("cp_proxy_streams_open"),
            LocalSystem.Kind.TUNNEL, List.of("cp_tunnel_streams_open", "cp_tunnel_channel_streams_open"),
            LocalSystem.Kind.CONNECTOR, List.of("cp_connector_streams_open", "cp_connector_channel_streams_open"));

    /** Per kind of node, the gauge of window budget left: back at its value before the case once idle. */
    private static final Map<LocalSystem.Kind, String> BUDGET = Map.of(
            LocalSystem.Kind.PROXY, "cp_proxy_window_budget_available_bytes",
            LocalSystem.Kind.CONNECTOR, "cp_connector_window_budget_available_bytes");

    private final Map<LocalSystem.Node, Map<String, Double>> gauges;

    private IdleState(Map<LocalSystem.Node, Map<String, Double>> gauges) {
        this.gauges = gauges;
    }

    /** Reads the gauges of {@code nodes}; a node that does not answer (it is stopping) is left out. */
    static IdleState read(List<LocalSystem.Node> nodes) {
        Map<LocalSystem.Node, Map<String, Double>> gauges = new LinkedHashMap<>();
        for (LocalSystem.Node node : nodes) {
            String metrics;
            try {
                metrics = node.metrics();
            } catch (RuntimeException e) {
                continue;
            }
            Map<String, Double> values = new LinkedHashMap<>();
            for (String name : ZERO_WHEN_IDLE.get(node.kind())) {
                values.put(name, sum(metrics, name));
            }
            if (BUDGET.containsKey(node.kind())) {
                values.put(BUDGET.get(node.kind()), sum(metrics, BUDGET.get(node.kind())));
            }
            if (node.kind() == LocalSystem.Kind.TUNNEL) {
                values.put("cp_tunnel_sessions", sum(metrics, "cp_tunnel_sessions"));
            } else if (node.kind() == LocalSystem.Kind.CONNECTOR) {
                values.put("cp_connector_sessions_active", sum(metrics, "cp_connector_sessions_active"));
            }
            gauges.put(node, values);
        }
        return new IdleState(gauges);
    }

    /** What keeps this state from being idle, measured against {@code before}; empty when idle. */
    List<String> problems(IdleState before) {
        List<String> problems = new ArrayList<>();
        double tunnelSessions = 0;
        double connectorSessions = 0;
        for (Map.Entry<LocalSystem.Node, Map<String, Double>> entry : gauges.entrySet()) {
            LocalSystem.Node node = entry.getKey();
            Map<String, Double> values = entry.getValue();
            String who = node.process().name;
            for (String name : ZERO_WHEN_IDLE.get(node.kind())) {
                if (values.get(name) != 0) {
                    problems.add(who + " " + name + " = " + values.get(name));
                }
            }
            String budget = BUDGET.get(node.kind());
            Map<String, Double> earlier = before.gauges.get(node);
            if (budget != null && earlier != null && !values.get(budget).equals(earlier.get(budget))) {
                problems.add(who + " " + budget + " = " + values.get(budget) + ", before " + earlier.get(budget));
            }
            tunnelSessions += values.getOrDefault("cp_tunnel_sessions", 0.0);
            connectorSessions += values.getOrDefault("cp_connector_sessions_active", 0.0);
        }
        if (tunnelSessions != connectorSessions) {
            problems.add("tunnel-service holds " + tunnelSessions + " session(s), the connectors " + connectorSessions);
        }
        return problems;
    }

    /** The sum of every sample of {@code name} (any labels); 0 when there is none, as for no stream yet. */
    static double sum(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$")
                .matcher(metrics);
        double sum = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(2));
        }
        return sum;
    }
}
