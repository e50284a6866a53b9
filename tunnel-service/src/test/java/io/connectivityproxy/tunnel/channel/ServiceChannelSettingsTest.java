package io.connectivityproxy.tunnel.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.tunnel.TunnelSettings;

/** The {@code tunnel.service-channels.*} settings: defaults, environment variables, and bad values. */
class ServiceChannelSettingsTest {

    @Test
    void defaults() {
        TunnelSettings.ServiceChannels channels = Settings.channels(Map.of());
        assertTrue(channels.enabled());
        assertEquals(Optional.empty(), channels.mappingsFile());
        assertFalse(channels.kubernetes());
        assertEquals(TenantMode.DEDICATED, channels.tenantMode());
        assertEquals(Optional.empty(), channels.defaultSubaccount());
        assertEquals(Duration.ofSeconds(1), channels.pollInterval());
        assertEquals(Duration.ofSeconds(10), channels.connectTimeout());
    }

    @Test
    void environmentVariablesAsTheOperatorSetsThem() {
        TunnelSettings.ServiceChannels channels = Settings.of(
                        Map.of(
                                "TUNNEL_SERVICE_CHANNELS_ENABLED", "false",
                                "TUNNEL_SERVICE_CHANNELS_MAPPINGS_FILE", "/etc/mappings.yaml",
                                "TUNNEL_SERVICE_CHANNELS_KUBERNETES", "true",
                                "TUNNEL_SERVICE_CHANNELS_TENANT_MODE", "shared",
                                "TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT", "sub-1",
                                "TUNNEL_SERVICE_CHANNELS_POLL_INTERVAL", "250ms",
                                "TUNNEL_SERVICE_CHANNELS_CONNECT_TIMEOUT", "3s"),
                        Map.of())
                .serviceChannels();
        assertFalse(channels.enabled());
        assertEquals(Optional.of(Path.of("/etc/mappings.yaml")), channels.mappingsFile());
        assertTrue(channels.kubernetes());
        assertEquals(TenantMode.SHARED, channels.tenantMode());
        assertEquals(Optional.of("sub-1"), channels.defaultSubaccount());
        assertEquals(Duration.ofMillis(250), channels.pollInterval());
        assertEquals(Duration.ofSeconds(3), channels.connectTimeout());
    }

    @Test
    void anEmptyVariableLeavesAnOptionalSettingUnset() {
        TunnelSettings.ServiceChannels channels = Settings.of(
                        Map.of(
                                "TUNNEL_SERVICE_CHANNELS_MAPPINGS_FILE", "",
                                "TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT", ""),
                        Map.of())
                .serviceChannels();
        assertEquals(Optional.empty(), channels.mappingsFile());
        assertEquals(Optional.empty(), channels.defaultSubaccount());
    }

    @Test
    void anInvalidTenantModeFailsWithTheAllowedValues() {
        Exception e = assertThrows(
                Exception.class, () -> Settings.channels(Map.of("tunnel.service-channels.tenant-mode", "multi"))
                        .tenantMode());
        String message = messages(e);
        assertTrue(message.contains("tunnel.service-channels.tenant-mode"), message);
        assertTrue(message.contains("dedicated") && message.contains("shared"), message);
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
