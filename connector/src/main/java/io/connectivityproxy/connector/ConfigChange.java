package io.connectivityproxy.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a new version of the connector's file changes compared with the settings the running
 * process started with. The access control list and the service channels apply live; every
 * other field is fixed for the life of the process (the sessions, their TLS and the backend
 * clients are built from it) and is reported as needing a restart. Pure: no I/O.
 */
record ConfigChange(boolean accessControlChanged, boolean serviceChannelsChanged, List<String> needRestart) {

    /** A field that only a restart applies, with its name in the file. */
    private record Fixed(String field, Function<ConnectorSettings, Object> value) {}

    private static final List<Fixed> FIXED = List.of(
            new Fixed("tunnel.url", ConnectorSettings::tunnelUrl),
            new Fixed("tunnel.certificate", ConnectorSettings::certificate),
            new Fixed("tunnel.key", ConnectorSettings::key),
            new Fixed("tunnel.ca", ConnectorSettings::ca),
            new Fixed("tunnel.pingInterval", ConnectorSettings::pingInterval),
            new Fixed("tunnel.idleTimeout", ConnectorSettings::idleTimeout),
            new Fixed("tunnel.connectTimeout", ConnectorSettings::connectTimeout),
            new Fixed("tunnel.openssl", ConnectorSettings::openssl),
            new Fixed("tunnel.protocolVersion", ConnectorSettings::protocolVersion),
            new Fixed("subaccount", ConnectorSettings::subaccount),
            new Fixed("locationId", ConnectorSettings::locationId),
            new Fixed("connectorId", ConnectorSettings::connectorId),
            new Fixed("sessions", ConnectorSettings::sessions),
            new Fixed("reconnect.initialDelay", ConnectorSettings::reconnectInitialDelay),
            new Fixed("reconnect.maxDelay", ConnectorSettings::reconnectMaxDelay),
            new Fixed("reconnect.fastPhase", ConnectorSettings::reconnectFastPhase),
            new Fixed("reconnect.fastMaxDelay", ConnectorSettings::reconnectFastMaxDelay),
            new Fixed("streams.window", ConnectorSettings::window),
            new Fixed("streams.maxWindow", ConnectorSettings::maxWindow),
            new Fixed("streams.windowBudget", ConnectorSettings::windowBudget),
            new Fixed("streams.chunkSize", ConnectorSettings::chunkSize),
            new Fixed("streams.backendConnectTimeout", ConnectorSettings::backendConnectTimeout),
            new Fixed("backendTls.ca", ConnectorSettings::backendCa),
            new Fixed("backendTls.verifyHost", ConnectorSettings::backendVerifyHost));

    ConfigChange {
        needRestart = List.copyOf(needRestart);
    }

    /**
     * The change from {@code applied} (the access control list and channels in force now) to
     * {@code next}, with the fields that differ from {@code started} (what the process was
     * started with) listed as needing a restart.
     */
    static ConfigChange between(ConnectorSettings started, ConnectorSettings applied, ConnectorSettings next) {
        List<String> restart = new ArrayList<>();
        for (Fixed fixed : FIXED) {
            if (!Objects.equals(fixed.value().apply(started), fixed.value().apply(next))) {
                restart.add(fixed.field());
            }
        }
        return new ConfigChange(
                !applied.accessControl().mappings().equals(next.accessControl().mappings()),
                !applied.serviceChannels().equals(next.serviceChannels()),
                restart);
    }

    boolean appliesAnything() {
        return accessControlChanged || serviceChannelsChanged;
    }
}
