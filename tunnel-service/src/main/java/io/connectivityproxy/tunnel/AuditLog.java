package io.connectivityproxy.tunnel;

import org.jboss.logging.Logger;

/**
 * One line per connector handshake, accepted or rejected, on the logger
 * {@code io.connectivityproxy.audit}. Names, ids and addresses only: never keys or tokens.
 */
final class AuditLog {

    private static final Logger AUDIT = Logger.getLogger("io.connectivityproxy.audit");

    private AuditLog() {
    }

    static void accepted(String peer, String subaccount, String connectorId, String locationId, String sessionId) {
        AUDIT.infof("handshake accepted peer=%s subaccount=%s connector=%s location=%s session=%s", peer, subaccount,
                connectorId, locationId.isEmpty() ? "(default)" : locationId, sessionId);
    }

    static void rejected(String peer, String subject, String reason) {
        AUDIT.warnf("handshake rejected peer=%s subject=%s reason=%s", peer, subject == null ? "(none)" : subject,
                reason);
    }

    static void closed(String peer, String subaccount, String sessionId, String why) {
        AUDIT.infof("session closed peer=%s subaccount=%s session=%s reason=%s", peer, subaccount, sessionId, why);
    }
}
