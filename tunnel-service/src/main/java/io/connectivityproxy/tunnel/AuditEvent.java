package io.connectivityproxy.tunnel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.connectivityproxy.cluster.SessionKey;

/**
 * One audit event in the form SAP's connectivity proxy writes them: a line on stdout,
 * {@code [AUDIT-EVENT] } and then a JSON object, so that a log pipeline can tell audit events
 * from other log lines by the prefix alone. Names, ids and addresses only: never keys or tokens.
 *
 * <pre>
 * [AUDIT-EVENT] {"user":"fallback_for_missing_user","tenant":"&lt;subaccount&gt;","data":{"action":"tunnel handshake",
 *   "message":"tunnel handshake success","tunnelId":"account:///&lt;subaccount&gt;","clientId":"&lt;connector id&gt;",
 *   "handshakeDetails":"peer=… location=… session=…"}}
 * </pre>
 *
 * A value that is not known when the event happens (the subaccount of a certificate that was
 * refused, the connector id before its HELLO) is JSON {@code null}; every key is always there.
 *
 * @param tenant the subaccount the connector proved (its certificate's CN), or null
 * @param success whether the handshake was accepted
 * @param clientId the connector id from HELLO, or null
 * @param details peer address, location, session or the refusal's reason, as {@code key=value} pairs
 */
record AuditEvent(String tenant, boolean success, String clientId, String details) {

    static final String PREFIX = "[AUDIT-EVENT] ";
    /** SAP's value when an event has no end user, as a tunnel handshake never has. */
    static final String NO_USER = "fallback_for_missing_user";

    static final String ACTION = "tunnel handshake";
    static final String SUCCESS = "tunnel handshake success";
    static final String FAILURE = "tunnel handshake failure";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The whole line, without its line break. */
    String line() {
        ObjectNode event = JSON.createObjectNode();
        event.put("user", NO_USER);
        event.put("tenant", tenant);
        ObjectNode data = event.putObject("data");
        data.put("action", ACTION);
        data.put("message", success ? SUCCESS : FAILURE);
        data.put("tunnelId", tenant == null ? null : SessionKey.tunnelId(tenant));
        data.put("clientId", clientId);
        data.put("handshakeDetails", details);
        try {
            return PREFIX + JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }
}
