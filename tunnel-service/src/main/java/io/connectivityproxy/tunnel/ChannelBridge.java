package io.connectivityproxy.tunnel;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.protocol.WindowBudget;
import io.connectivityproxy.stream.TcpRelay;
import io.connectivityproxy.stream.TunnelStream;
import io.connectivityproxy.tunnel.channel.Resolution;
import io.connectivityproxy.tunnel.channel.ServiceChannels;
import io.connectivityproxy.tunnel.channel.ServiceMappingEntry;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/**
 * Serves service channels: a stream a connector opened with CHANNEL_OPEN is resolved to exactly
 * one ServiceMapping of the session's subaccount and location, and connected to that mapping's
 * internal address, the only address this class ever connects to. Bytes then flow both ways with
 * back-pressure and half-close (TcpRelay).
 */
@Singleton
public class ChannelBridge {

    private static final Logger LOG = Logger.getLogger(ChannelBridge.class);

    /** Credit first granted per channel stream, and how far it may grow (as the connector's defaults). */
    static final int WINDOW = 256 * 1024;

    static final int MAX_WINDOW = 4 * 1024 * 1024;
    static final int CHUNK = 64 * 1024;

    /** One open channel stream, for the admin endpoint. */
    record Stream(
            int streamId,
            String serviceId,
            TargetProtocol type,
            String mapping,
            Instant since,
            AtomicLong toConnector,
            AtomicLong fromConnector) {}

    private final ServiceChannels catalogue;
    private final TunnelMetrics metrics;
    private final NetClient client;
    private final WindowBudget windowBudget = new WindowBudget(64L * 1024 * 1024);

    public ChannelBridge(Vertx vertx, TunnelSettings settings, ServiceChannels catalogue, TunnelMetrics metrics) {
        this.catalogue = catalogue;
        this.metrics = metrics;
        this.client = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout(
                        (int) settings.serviceChannels().connectTimeout().toMillis())
                .setTcpNoDelay(true));
    }

    WindowBudget windowBudget() {
        return windowBudget;
    }

    /**
     * Answers {@code stream} (registered for {@code open}) with OPEN_OK once the cluster service
     * accepted the connection, or OPEN_FAIL with the reason. Runs on the session's context, so the
     * backend socket does too. {@code opened} sees the stream once it carries bytes; {@code closed}
     * runs once when it is done, however it ends.
     */
    void open(
            ConnectorSession session,
            TunnelStream stream,
            Frame.ChannelOpen open,
            java.util.function.Consumer<Stream> opened,
            Runnable closed) {
        Resolution resolution =
                catalogue.resolve(session.subaccount, session.key().locationId(), open.protocol(), open.serviceId());
        if (resolution instanceof Resolution.Refused refused) {
            refuse(session, stream, refused.reason(), refused.message());
            closed.run();
            return;
        }
        ServiceMappingEntry mapping = ((Resolution.Found) resolution).mapping();
        client.connect(mapping.internalPort(), mapping.internalHost()).onComplete(ar -> {
            if (ar.failed()) {
                // The connector's log gets the kind of failure, never the cluster-internal address.
                LOG.infof(
                        "session %s: service channel %s (ServiceMapping %s): cannot connect to %s:%d: %s",
                        session.id,
                        mapping.serviceId(),
                        mapping.name(),
                        mapping.internalHost(),
                        mapping.internalPort(),
                        ar.cause().getMessage());
                refuse(
                        session,
                        stream,
                        Reason.BACKEND_UNREACHABLE,
                        "the cluster service of " + open.protocol() + " service '" + mapping.serviceId()
                                + "' is unreachable: " + brief(ar.cause()));
                closed.run();
                return;
            }
            NetSocket socket = ar.result();
            if (stream.state() != TunnelStream.State.OPENING) {
                // The connector gave up (RST, or the session went) while the connection was made.
                socket.close();
                closed.run();
                return;
            }
            Stream info = new Stream(
                    stream.id(),
                    mapping.serviceId(),
                    mapping.type(),
                    mapping.name(),
                    Instant.now(),
                    new AtomicLong(),
                    new AtomicLong());
            socket.pause();
            TcpRelay.allowHalfClose(socket);
            metrics.channelOpened(mapping.serviceId());
            opened.accept(info);
            stream.accept(open.window());
            TcpRelay.bridge(
                    socket,
                    stream,
                    n -> {
                        info.toConnector().addAndGet(n);
                        metrics.channelBytes(n, true);
                    },
                    n -> {
                        info.fromConnector().addAndGet(n);
                        metrics.channelBytes(n, false);
                    },
                    () -> {
                        metrics.channelClosed();
                        closed.run();
                    });
        });
    }

    private void refuse(ConnectorSession session, TunnelStream stream, Reason reason, String message) {
        metrics.channelRefused(reason);
        LOG.debugf("session %s: refused service-channel stream %d: %s (%s)", session.id, stream.id(), message, reason);
        stream.reject(reason, message);
    }

    /** The kind of a connect failure, for the connector: never the exception text, which names the address. */
    static String brief(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof java.net.UnknownHostException) {
            return "its host name could not be resolved";
        }
        if (root instanceof io.netty.channel.ConnectTimeoutException
                || root instanceof java.net.SocketTimeoutException
                || String.valueOf(root.getMessage())
                        .toLowerCase(java.util.Locale.ROOT)
                        .contains("timed out")) {
            return "connect timed out";
        }
        if (root instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return root.getClass().getSimpleName();
    }
}
