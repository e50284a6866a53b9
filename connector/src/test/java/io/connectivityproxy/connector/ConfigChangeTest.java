package io.connectivityproxy.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which changes of the connector's file apply live and which only a restart applies. */
class ConfigChangeTest {

    private static final String BASE = """
            tunnel:
              url: wss://cp.example.com/tunnel
              certificate: connector.pem
              key: connector-key.pem
              ca: ca.pem
            subaccount: sub-1
            sessions: 2
            accessControl:
              - virtualHost: erp
                virtualPort: 80
                internalHost: 10.0.0.5
                internalPort: 8080
                protocol: HTTP
            serviceChannels:
              - serviceId: events
                type: TCP
                localPort: 21080
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void pemFiles() throws IOException {
        for (String name : List.of("connector.pem", "connector-key.pem", "ca.pem", "other.pem")) {
            Files.writeString(dir.resolve(name), "x");
        }
    }

    private ConnectorSettings parse(String yaml) {
        return ConfigLoader.parse(yaml, dir);
    }

    @Test
    void theSameFileChangesNothing() {
        ConfigChange change = ConfigChange.between(parse(BASE), parse(BASE), parse(BASE));
        assertFalse(change.appliesAnything());
        assertEquals(List.of(), change.needRestart());
    }

    @Test
    void aChangedAccessControlListAppliesLive() {
        ConnectorSettings next = parse(BASE.replace("internalPort: 8080", "internalPort: 8081"));
        ConfigChange change = ConfigChange.between(parse(BASE), parse(BASE), next);
        assertTrue(change.accessControlChanged());
        assertFalse(change.serviceChannelsChanged());
        assertEquals(List.of(), change.needRestart());
    }

    @Test
    void aChangedServiceChannelAppliesLive() {
        ConnectorSettings next = parse(BASE.replace("localPort: 21080", "localPort: 21081"));
        ConfigChange change = ConfigChange.between(parse(BASE), parse(BASE), next);
        assertFalse(change.accessControlChanged());
        assertTrue(change.serviceChannelsChanged());
    }

    @Test
    void tunnelCertificatesAndSessionCountNeedARestartAndAreNamed() {
        ConnectorSettings next = parse(BASE.replace("wss://cp.example.com/tunnel", "wss://other.example.com/tunnel")
                .replace("certificate: connector.pem", "certificate: other.pem")
                .replace("sessions: 2", "sessions: 3\nlocationId: plant-2\nstreams:\n  window: 65536"));
        ConfigChange change = ConfigChange.between(parse(BASE), parse(BASE), next);
        assertEquals(
                List.of("tunnel.url", "tunnel.certificate", "locationId", "sessions", "streams.window"),
                change.needRestart());
        assertFalse(change.appliesAnything());
    }

    @Test
    void reconnectSettingsNeedARestartAndAreNamed() {
        ConnectorSettings next = parse(BASE + "reconnect:\n  maxDelay: 20s\n  fastPhase: 30s\n  fastMaxDelay: 1s\n");
        ConfigChange change = ConfigChange.between(parse(BASE), parse(BASE), next);
        assertEquals(
                List.of("reconnect.maxDelay", "reconnect.fastPhase", "reconnect.fastMaxDelay"), change.needRestart());
        assertFalse(change.appliesAnything());
    }

    @Test
    void restartNeedsAreMeasuredAgainstTheStartNotTheLastFile() {
        ConnectorSettings started = parse(BASE);
        ConnectorSettings three = parse(BASE.replace("sessions: 2", "sessions: 3"));
        assertEquals(
                List.of("sessions"),
                ConfigChange.between(started, started, three).needRestart());
        // Back to what the process started with: nothing needs a restart any more.
        assertEquals(
                List.of(), ConfigChange.between(started, three, parse(BASE)).needRestart());
    }
}
