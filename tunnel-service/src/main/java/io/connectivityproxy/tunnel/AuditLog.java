package io.connectivityproxy.tunnel;

import org.jboss.logging.Logger;

/**
 * The audit trail of connector handshakes, in two forms. Each handshake, accepted or rejected,
 * is one SAP audit event ({@link AuditEvent}: {@code [AUDIT-EVENT] {json}} on stdout, through the
 * logger {@code io.connectivityproxy.audit-event} and its own console handler, so it keeps that
 * form when the other logs are JSON) and one readable line on the logger
 * {@code io.connectivityproxy.audit}, which also records closed sessions. Names, ids and
 * addresses only: never keys or tokens.
 */
final class AuditLog {

    private static final Logger AUDIT = Logger.getLogger("io.connectivityproxy.audit");
    private static final Logger EVENTS = Logger.getLogger("io.connectivityproxy.audit-event");

    private AuditLog() {}

    static void accepted(String peer, String subaccount, String connectorId, String locationId, String sessionId) {
        String location = locationId.isEmpty() ? "(default)" : locationId;
        AUDIT.infof(
                "handshake accepted peer=%s subaccount=%s connector=%s location=%s session=%s",
                peer, subaccount, connectorId, location, sessionId);
        event(new AuditEvent(
                subaccount, true, connectorId, "peer=" + peer + " location=" + location + " session=" + sessionId));
    }

    /** A connector refused before it proved a subaccount: no certificate, or one that does not pass. */
    static void rejected(String peer, String subject, String reason) {
        String shown = subject == null ? "(none)" : subject;
        AUDIT.warnf("handshake rejected peer=%s subject=%s reason=%s", peer, shown, reason);
        event(new AuditEvent(null, false, null, "peer=" + peer + " subject=" + shown + " reason=" + reason));
    }

    /**
     * A connector with a valid certificate of {@code subaccount} refused in the tunnel handshake
     * (no HELLO in time, a version or location id it may not use).
     *
     * @param connectorId the id its HELLO named, or null without a HELLO
     */
    static void rejected(String peer, String subaccount, String connectorId, String reason) {
        AUDIT.warnf("handshake rejected peer=%s subject=CN=%s reason=%s", peer, subaccount, reason);
        event(new AuditEvent(subaccount, false, connectorId, "peer=" + peer + " reason=" + reason));
    }

    static void closed(String peer, String subaccount, String sessionId, String why) {
        AUDIT.infof("session closed peer=%s subaccount=%s session=%s reason=%s", peer, subaccount, sessionId, why);
    }

    private static void event(AuditEvent event) {
        EVENTS.info(event.line());
    }
}
