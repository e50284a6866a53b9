package io.connectivityproxy.connector;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Process-level settings (prefix {@code connector}); everything else is in the YAML file. */
@ConfigMapping(prefix = "connector")
public interface ConnectorProcessSettings {

    /** Path of the connector's YAML configuration file. */
    @WithDefault("connector.yaml")
    Path config();

    /** How often the file is read again for changes (access control list and service channels apply live). */
    @WithDefault("1s")
    Duration configPollInterval();

    /**
     * Run the connector doctor's checks (backends and tunnel, see {@code connector check}) at the
     * start and after each applied change of the file, for the status page and {@code /admin/checks}.
     */
    @WithDefault("true")
    boolean checks();
}
