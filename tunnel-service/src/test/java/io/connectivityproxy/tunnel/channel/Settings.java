package io.connectivityproxy.tunnel.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;

import io.connectivityproxy.tunnel.TunnelSettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * {@link TunnelSettings} as the service gets them: the module's real application.properties,
 * environment variables and properties, each at the ordinal Quarkus gives it.
 */
final class Settings {

    private Settings() {}

    static TunnelSettings of(Map<String, String> environment, Map<String, String> properties) {
        try {
            SmallRyeConfig config = new SmallRyeConfigBuilder()
                    .addDefaultInterceptors()
                    // Quarkus' own converter: "1s", "250ms" as well as ISO-8601.
                    .withConverter(Duration.class, 100, new DurationConverter())
                    .withMapping(TunnelSettings.class)
                    .withSources(new PropertiesConfigSource(
                            Settings.class.getClassLoader().getResource("application.properties"), 250))
                    .withSources(new EnvConfigSource(environment, 300))
                    .withSources(new PropertiesConfigSource(properties, "test", 400))
                    .build();
            return config.getConfigMapping(TunnelSettings.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TunnelSettings.ServiceChannels channels(Map<String, String> properties) {
        return of(Map.of(), properties).serviceChannels();
    }
}
