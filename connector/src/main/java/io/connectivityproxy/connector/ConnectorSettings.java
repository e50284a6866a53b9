package io.connectivityproxy.connector;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.connectivityproxy.connector.principal.PrincipalPropagationSettings;

/** The connector's checked configuration, with every default applied (see {@link ConfigLoader}). */
public record ConnectorSettings(
        URI tunnelUrl,
        Path certificate,
        Path key,
        Path ca,
        String subaccount,
        String locationId,
        String connectorId,
        int sessions,
        Duration pingInterval,
        Duration idleTimeout,
        Duration connectTimeout,
        boolean openssl,
        int protocolVersion,
        Duration reconnectInitialDelay,
        Duration reconnectMaxDelay,
        /** Zero: no fast phase. */
        Duration reconnectFastPhase,
        Duration reconnectFastMaxDelay,
        int window,
        int maxWindow,
        long windowBudget,
        int chunkSize,
        Duration backendConnectTimeout,
        Path backendCa,
        boolean backendVerifyHost,
        AccessControlList accessControl,
        List<ChannelSettings> serviceChannels,
        /** Null when the file has no principalPropagation section. */
        PrincipalPropagationSettings principalPropagation) {}
