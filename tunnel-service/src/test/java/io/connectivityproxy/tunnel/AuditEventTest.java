package io.connectivityproxy.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AuditEventTest {

    @Test
    void anAcceptedHandshakeNamesTenantTunnelAndConnector() {
        assertEquals(
                "[AUDIT-EVENT] {\"user\":\"fallback_for_missing_user\",\"tenant\":\"sub-1\",\"data\":{"
                        + "\"action\":\"tunnel handshake\",\"message\":\"tunnel handshake success\","
                        + "\"tunnelId\":\"account:///sub-1\",\"clientId\":\"berlin-1\","
                        + "\"handshakeDetails\":\"peer=10.0.0.1:4000 location=berlin session=s-1\"}}",
                new AuditEvent("sub-1", true, "berlin-1", "peer=10.0.0.1:4000 location=berlin session=s-1").line());
    }

    @Test
    void whatIsNotKnownIsNullAndQuotesAreEscaped() {
        assertEquals(
                "[AUDIT-EVENT] {\"user\":\"fallback_for_missing_user\",\"tenant\":null,\"data\":{"
                        + "\"action\":\"tunnel handshake\",\"message\":\"tunnel handshake failure\",\"tunnelId\":null,"
                        + "\"clientId\":null,\"handshakeDetails\":\"subject=CN=\\\"x\\\"\\n reason=r\"}}",
                new AuditEvent(null, false, null, "subject=CN=\"x\"\n reason=r").line());
    }
}
