package io.connectivityproxy.connector;

import org.jboss.logging.Logger;

import io.connectivityproxy.connector.principal.PrincipalPropagation;
import io.connectivityproxy.connector.principal.PrincipalRefused;
import io.connectivityproxy.protocol.HttpHead;
import io.connectivityproxy.protocol.PrincipalTokens;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.stream.TcpRelay;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;

/**
 * Connects an accepted tunnel stream to its backend — only ever the one its mapping names —
 * and pipes bytes both ways with back-pressure. HTTP mappings carry one exchange per stream
 * (head in OPEN, response head as the first DATA); TCP, RFC and LDAP mappings carry raw bytes
 * with half-close in each direction.
 */
final class BackendBridge {

    private static final Logger LOG = Logger.getLogger(BackendBridge.class);

    private final Vertx vertx;
    private final ConnectorMetrics metrics;
    private final BackendPool pool;
    private final NetClient tcp;
    private final PrincipalPropagation principals;

    /** {@code principals}: null when the file has no principalPropagation section. */
    BackendBridge(Vertx vertx, ConnectorSettings settings, ConnectorMetrics metrics, PrincipalPropagation principals) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.principals = principals;
        int connectTimeout = (int) settings.backendConnectTimeout().toMillis();
        NetClientOptions plain =
                new NetClientOptions().setConnectTimeout(connectTimeout).setTcpNoDelay(true);
        NetClientOptions tls = new NetClientOptions(plain)
                .setSsl(true)
                .setHostnameVerificationAlgorithm(settings.backendVerifyHost() ? "HTTPS" : "");
        if (settings.backendCa() != null) {
            tls.setTrustOptions(
                    new PemTrustOptions().addCertPath(settings.backendCa().toString()));
        }
        this.pool = new BackendPool(vertx, metrics, vertx.createNetClient(plain), vertx.createNetClient(tls), tls);
        this.tcp = vertx.createNetClient(plain);
    }

    /**
     * Connects an HTTP exchange; answers the stream with OPEN_OK or OPEN_FAIL. {@code upgrade}:
     * the request asks to switch protocols and the access control list allows it.
     */
    void openHttp(
            TunnelStream stream,
            int peerWindow,
            AccessControlList.Mapping mapping,
            HttpHead.Request head,
            boolean upgrade,
            PrincipalTokens tokens) {
        if (mapping.principalType() != AccessControlList.PrincipalType.X509 || !tokens.present()) {
            // No user to propagate (or an entry that propagates none): an X509 entry still gets an empty
            // SSL_CLIENT_CERT.
            new BackendExchange(vertx, pool, stream, peerWindow, mapping, head, upgrade, metrics, null).start();
            return;
        }
        // Token checks may fetch an issuer's keys and certificates cost a key pair: not on the event loop.
        vertx.executeBlocking(() -> principals.credentialFor(tokens), false).onComplete(ar -> {
            if (stream.state() != TunnelStream.State.OPENING) {
                // The proxy gave up (RST) while the principal was being checked.
                return;
            }
            if (ar.failed() && ar.cause() instanceof PrincipalRefused refused) {
                LOG.infof(
                        "refused the propagated principal for %s: %s",
                        mapping.virtualAuthority(), refused.getMessage());
                fail(
                        stream,
                        Reason.PRINCIPAL_REFUSED,
                        "Principal propagation to " + mapping.virtualAuthority() + " refused: " + refused.getMessage());
                return;
            }
            if (ar.failed()) {
                // The connector's own fault (e.g. its CA cannot sign), not the user's: 502, not 403.
                LOG.errorf(
                        "principal propagation to %s failed: %s",
                        mapping.virtualAuthority(), ar.cause().toString());
                fail(
                        stream,
                        Reason.INTERNAL,
                        "Principal propagation to " + mapping.virtualAuthority()
                                + " failed in the connector: no certificate could be made");
                return;
            }
            new BackendExchange(vertx, pool, stream, peerWindow, mapping, head, upgrade, metrics, ar.result()).start();
        });
    }

    /** Connects a raw byte stream (TCP, RFC, LDAP); answers with OPEN_OK or OPEN_FAIL. */
    void openTcp(TunnelStream stream, int peerWindow, AccessControlList.Mapping mapping) {
        tcp.connect(mapping.internalPort(), mapping.internalHost()).onComplete(ar -> {
            if (ar.failed()) {
                fail(
                        stream,
                        Reason.BACKEND_UNREACHABLE,
                        "backend of " + mapping.virtualAuthority() + " is unreachable: " + brief(ar.cause()));
                return;
            }
            NetSocket socket = ar.result();
            if (stream.state() != TunnelStream.State.OPENING) {
                // The proxy gave up (RST) while the connection was being made.
                socket.close();
                return;
            }
            socket.pause();
            metrics.streamOpened();
            stream.accept(peerWindow);
            TcpRelay.bridge(socket, stream, metrics::bytesToCloud, n -> {}, metrics::streamClosed);
        });
    }

    private void fail(TunnelStream stream, Reason reason, String message) {
        metrics.openFailure(reason, message);
        LOG.debugf("stream %d: %s", stream.id(), message);
        stream.reject(reason, message);
    }

    /**
     * The kind of a backend failure, for the cloud side. Never the exception text: it names the
     * internal host or address, which must not leave the on-premise network.
     */
    static String brief(Throwable cause) {
        for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS handshake with the backend failed";
            }
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof java.net.UnknownHostException) {
            return "the internal host name could not be resolved";
        }
        if (root instanceof java.net.ConnectException) {
            String message = String.valueOf(root.getMessage()).toLowerCase(java.util.Locale.ROOT);
            return message.contains("timed out") ? "connect timed out" : "connection refused";
        }
        if (root instanceof io.netty.channel.ConnectTimeoutException
                || root instanceof java.net.SocketTimeoutException) {
            return "connect timed out";
        }
        if (root instanceof javax.net.ssl.SSLException) {
            return "TLS handshake with the backend failed";
        }
        if (root instanceof io.vertx.core.VertxException && "Connection was closed".equals(root.getMessage())) {
            return "the backend closed the connection";
        }
        return root.getClass().getSimpleName();
    }
}
