package io.connectivityproxy.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.HttpHead;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.stream.CountingWriteStream;
import io.connectivityproxy.stream.TcpRelay;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.HostAndPort;

/**
 * Connects an accepted tunnel stream to its backend — only ever the one its mapping names —
 * and pipes bytes both ways with back-pressure. HTTP mappings carry one exchange per stream
 * (head in OPEN, response head as the first DATA); TCP, RFC and LDAP mappings carry raw bytes
 * with half-close in each direction.
 */
final class BackendBridge {

    private static final Logger LOG = Logger.getLogger(BackendBridge.class);
    /** The largest HTTP body chunk read from a backend, bytes (Netty's default is 8 KiB). */
    private static final int BODY_CHUNK = 64 * 1024;

    private final ConnectorSettings settings;
    private final ConnectorMetrics metrics;
    private final HttpClient http;
    private final HttpClient https;
    private final NetClient tcp;

    BackendBridge(Vertx vertx, ConnectorSettings settings, ConnectorMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        int connectTimeout = (int) settings.backendConnectTimeout().toMillis();
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(1024).setMaxWaitQueueSize(-1);
        HttpClientOptions plain = new HttpClientOptions()
                .setConnectTimeout(connectTimeout)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                // Body chunks as large as a socket read (Netty's default is 8 KiB): each chunk becomes
                // one DATA frame, so small chunks multiply the per-frame work on every hop.
                .setMaxChunkSize(BODY_CHUNK);
        this.http = vertx.createHttpClient(plain, pool);
        HttpClientOptions tls = new HttpClientOptions(plain)
                .setSsl(true)
                .setForceSni(true)
                .setVerifyHost(settings.backendVerifyHost());
        if (settings.backendCa() != null) {
            tls.setTrustOptions(new PemTrustOptions().addCertPath(settings.backendCa().toString()));
        }
        this.https = vertx.createHttpClient(tls, pool);
        this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(connectTimeout).setTcpNoDelay(true));
    }

    /** Connects an HTTP exchange; answers the stream with OPEN_OK or OPEN_FAIL. */
    void openHttp(TunnelStream stream, int peerWindow, AccessControlList.Mapping mapping, HttpHead.Request head) {
        HttpMethod method = HttpMethod.valueOf(head.method());
        // The peer is the internal host: TLS (SNI, certificate check) is about the real backend.
        // The Host header is set separately, below, from the mapping's host header policy.
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(mapping.internalHost())
                .setPort(mapping.internalPort())
                .setURI(head.uri());
        if (mapping.hostHeader() == AccessControlList.HostHeader.INTERNAL) {
            options.addHeader("X-Forwarded-Host", mapping.virtualAuthority());
        }
        boolean chunked = false;
        boolean hasLength = false;
        for (Map.Entry<String, String> header : head.headers()) {
            String name = header.getKey();
            if ("transfer-encoding".equalsIgnoreCase(name)) {
                chunked = header.getValue().toLowerCase().contains("chunked");
            } else if (!HopByHop.is(name) && !"x-forwarded-host".equalsIgnoreCase(name)) {
                options.addHeader(name, header.getValue());
                hasLength |= "content-length".equalsIgnoreCase(name) && !"0".equals(header.getValue().trim());
            }
        }
        boolean chunkedBody = chunked;
        // HTTP/1.1 framing: without Content-Length or chunked coding a request has no body.
        boolean noBody = !chunked && !hasLength;
        HttpClient client = mapping.protocol() == io.connectivityproxy.protocol.TargetProtocol.HTTPS ? https : http;
        client.request(options).onComplete(ar -> {
            if (ar.failed()) {
                fail(stream, Reason.BACKEND_UNREACHABLE, "backend of " + mapping.virtualAuthority()
                        + " is unreachable: " + brief(ar.cause()));
                return;
            }
            HttpClientRequest request = ar.result();
            if (mapping.hostHeader() == AccessControlList.HostHeader.VIRTUAL) {
                request.authority(HostAndPort.create(mapping.virtualHost(), mapping.virtualPort()));
            }
            if (chunkedBody) {
                request.setChunked(true);
            }
            boolean[] complete = { false };
            stream.closeHandler(v -> {
                // Only an aborted exchange resets the backend request; a completed one keeps its
                // keep-alive connection in the pool.
                if (!complete[0] && !stream.completed()) {
                    request.reset();
                }
                metrics.streamClosed();
            });
            metrics.streamOpened();
            stream.accept(peerWindow);
            request.response().onComplete(response -> {
                if (response.failed()) {
                    stream.reset(Reason.BACKEND_RESET, "backend of " + mapping.virtualAuthority()
                            + " failed: " + brief(response.cause()));
                    return;
                }
                relayResponse(stream, response.result(), mapping, complete);
            });
            if (noBody) {
                // Sent at once rather than when the FIN arrives, which saves a round trip to
                // proxy-service on every GET. The stream is still read to its FIN.
                request.end();
                stream.handler(data -> {
                    if (data.length() > 0) {
                        stream.reset(Reason.PROTOCOL_ERROR, "request body without Content-Length or chunked coding");
                    }
                });
                return;
            }
            stream.pipe().endOnFailure(false).to(request).onFailure(e -> request.reset());
        });
    }

    private void relayResponse(TunnelStream stream, HttpClientResponse response, AccessControlList.Mapping mapping,
            boolean[] complete) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> header : response.headers()) {
            if (!HopByHop.is(header.getKey())) {
                headers.add(Map.entry(header.getKey(), header.getValue()));
            }
        }
        stream.write(Buffer.buffer(HttpHead.encode(
                new HttpHead.Response(response.statusCode(), response.statusMessage(), headers))));
        response.pipe().endOnFailure(false).to(new CountingWriteStream(stream, metrics::bytesToCloud)).onComplete(done -> {
            if (done.succeeded()) {
                complete[0] = true;
            } else {
                stream.reset(Reason.BACKEND_RESET, "backend of " + mapping.virtualAuthority()
                        + " closed the connection before the response was complete");
            }
        });
    }

    /** Connects a raw byte stream (TCP, RFC, LDAP); answers with OPEN_OK or OPEN_FAIL. */
    void openTcp(TunnelStream stream, int peerWindow, AccessControlList.Mapping mapping) {
        tcp.connect(mapping.internalPort(), mapping.internalHost()).onComplete(ar -> {
            if (ar.failed()) {
                fail(stream, Reason.BACKEND_UNREACHABLE, "backend of " + mapping.virtualAuthority()
                        + " is unreachable: " + brief(ar.cause()));
                return;
            }
            NetSocket socket = ar.result();
            socket.pause();
            metrics.streamOpened();
            stream.accept(peerWindow);
            TcpRelay.bridge(socket, stream, metrics::bytesToCloud, n -> { }, metrics::streamClosed);
        });
    }

    private void fail(TunnelStream stream, Reason reason, String message) {
        metrics.openFailure(reason);
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
        if (root instanceof io.netty.channel.ConnectTimeoutException || root instanceof java.net.SocketTimeoutException) {
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

    static HttpHead.Request decodeHead(byte[] head) throws ProtocolException {
        return HttpHead.decodeRequest(head);
    }
}
