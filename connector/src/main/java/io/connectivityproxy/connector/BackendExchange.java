package io.connectivityproxy.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jboss.logging.Logger;

import io.connectivityproxy.connector.principal.UserCredential;
import io.connectivityproxy.protocol.HttpHead;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.http.BodyFraming;
import io.connectivityproxy.protocol.http.Fields;
import io.connectivityproxy.protocol.http.Http1Parser;
import io.connectivityproxy.protocol.http.Http1Response;
import io.connectivityproxy.protocol.http.Http1Writer;
import io.connectivityproxy.protocol.http.HttpException;
import io.connectivityproxy.protocol.http.Intermediary;
import io.connectivityproxy.stream.TcpRelay;
import io.connectivityproxy.stream.TunnelStream;
import io.connectivityproxy.stream.http.BodyWriter;
import io.connectivityproxy.stream.http.Http1Reader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * One HTTP exchange of a tunnel stream with its backend, over a pooled HTTP/1.1 connection:
 * the request head goes out at once (so a backend can answer {@code Expect: 100-continue} or
 * answer early), the body follows from the stream, and the backend's interim responses, final
 * head and body go back as DATA (each head one frame).
 *
 * <p>How the exchange ends is decided here: both halves complete, the connection goes back to
 * the pool if it is still in sync; the response completes first, the rest of the body is still
 * fed to a backend that reads it, and a backend that closes instead resets the stream; the
 * stream is reset, the connection is closed.
 */
final class BackendExchange {

    private static final Logger LOG = Logger.getLogger(BackendExchange.class);
    /** The field that carries a propagated user's certificate to an HTTP backend (SAP's name). */
    static final String SSL_CLIENT_CERT = "SSL_CLIENT_CERT";
    /** The largest response head accepted from a backend, bytes (squid's default is 64 KB). */
    static final int MAX_RESPONSE_HEAD = 64 * 1024;
    /**
     * How long a backend may stay silent after an {@code Expect: 100-continue} request before the
     * connector answers 100 itself (an HTTP/1.0 backend never sends one).
     */
    static final long EXPECT_TIMEOUT_MS = 1000;

    private final Vertx vertx;
    private final BackendPool pool;
    private final TunnelStream stream;
    private final int peerWindow;
    private final AccessControlList.Mapping mapping;
    private final HttpHead.Request head;
    private final ConnectorMetrics metrics;
    private final BodyFraming requestFraming;
    private final boolean upgrade;
    private final UserCredential user;
    private BackendPool.Connection connection;
    private boolean requestDone;
    private boolean responseDone;
    private boolean headReceived;
    private boolean continueSent;
    private boolean released;
    private boolean keepAlive;
    private boolean sentBodyBytes;
    private boolean bodyWriteFailed;
    private long expectTimer = -1;

    /**
     * {@code user}: the propagated user's certificate on an X509 entry (TLS client certificate
     * for HTTPS, {@code SSL_CLIENT_CERT} for HTTP); null when no user is propagated.
     */
    BackendExchange(
            Vertx vertx,
            BackendPool pool,
            TunnelStream stream,
            int peerWindow,
            AccessControlList.Mapping mapping,
            HttpHead.Request head,
            boolean upgrade,
            ConnectorMetrics metrics,
            UserCredential user) {
        this.user = user;
        this.vertx = vertx;
        this.pool = pool;
        this.stream = stream;
        this.peerWindow = peerWindow;
        this.mapping = mapping;
        this.head = head;
        this.upgrade = upgrade;
        this.metrics = metrics;
        this.requestFraming = framingOf(head.headers());
    }

    /** The body framing proxy-service marked: Transfer-Encoding: chunked for unknown length, else Content-Length. */
    private static BodyFraming framingOf(List<Map.Entry<String, String>> fields) {
        if (Fields.hasElement(fields, "transfer-encoding", "chunked")) {
            return BodyFraming.CHUNKED;
        }
        try {
            long length = Intermediary.contentLength(fields, 400);
            return length < 0 ? BodyFraming.NONE : BodyFraming.length(length);
        } catch (HttpException e) {
            return BodyFraming.NONE;
        }
    }

    void start() {
        pool.acquire(mapping, user).onComplete(ar -> {
            if (ar.failed()) {
                String message = "backend of " + mapping.virtualAuthority() + " is unreachable: "
                        + BackendBridge.brief(ar.cause());
                metrics.openFailure(Reason.BACKEND_UNREACHABLE, message);
                LOG.debugf("stream %d: backend of %s unreachable", stream.id(), mapping.virtualAuthority());
                stream.reject(Reason.BACKEND_UNREACHABLE, message);
                return;
            }
            if (stream.state() != TunnelStream.State.OPENING) {
                // The proxy gave up (RST) while the connection was being made.
                ar.result().socket.close();
                return;
            }
            metrics.streamOpened();
            stream.closeHandler(v -> {
                vertx.cancelTimer(expectTimer);
                if (!released && connection != null) {
                    if (requestDone && responseDone) {
                        maybeRelease();
                    } else {
                        connection.socket.close();
                    }
                }
                metrics.streamClosed();
            });
            stream.accept(peerWindow);
            send(ar.result());
            if (requestFraming.hasBody()) {
                forwardBody();
            } else if (!upgrade) {
                stream.handler(data -> {
                    if (data.length() > 0) {
                        stream.reset(Reason.PROTOCOL_ERROR, "request body without Content-Length or chunked coding");
                    }
                });
                stream.endHandler(v -> {
                    requestDone = true;
                    maybeRelease();
                });
            } else {
                stream.pause();
            }
        });
    }

    /** Writes the request head on {@code next} and starts reading the response. */
    private void send(BackendPool.Connection next) {
        connection = next;
        // Handlers name this connection, not the field: a retry replaces the field.
        next.socket.exceptionHandler(e -> {
            LOG.debugf("stream %d: backend connection failed: %s", stream.id(), e.getMessage());
            next.socket.close();
        });
        next.socket.closeHandler(v -> {
            next.closed = true;
            if (next == connection && responseDone && !requestDone) {
                stream.reset(
                        Reason.CANCELLED,
                        "the backend closed the connection after its response; "
                                + "the rest of the request body was not read");
            }
        });
        byte[] requestHead;
        try {
            requestHead = Http1Writer.request(head.method(), head.uri(), requestFields());
        } catch (IllegalArgumentException e) {
            // Only a head the proxy never sends (characters above U+00FF) gets here.
            stream.reset(Reason.PROTOCOL_ERROR, "the request head cannot be written as HTTP/1.1: " + e.getMessage());
            return;
        }
        connection.socket.write(Buffer.buffer(requestHead));
        if (Intermediary.expectsContinue(head.headers()) && requestFraming.hasBody()) {
            expectTimer = vertx.setTimer(EXPECT_TIMEOUT_MS, t -> {
                if (!headReceived && !continueSent && stream.state() == TunnelStream.State.OPEN) {
                    continueSent = true;
                    writeHead(new HttpHead.Response(100, "Continue", List.of()));
                }
            });
        }
        readHead();
    }

    private List<Map.Entry<String, String>> requestFields() {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        boolean virtualHost = mapping.hostHeader() == AccessControlList.HostHeader.VIRTUAL;
        fields.add(Map.entry(
                "Host",
                virtualHost
                        ? authority(mapping.virtualHost(), mapping.virtualPort(), 80)
                        : authority(
                                mapping.internalHost(),
                                mapping.internalPort(),
                                mapping.protocol() == io.connectivityproxy.protocol.TargetProtocol.HTTPS ? 443 : 80)));
        for (Map.Entry<String, String> field : Intermediary.endToEnd(head.headers(), upgrade)) {
            String name = field.getKey().toLowerCase(Locale.ROOT);
            // A client's own SSL_CLIENT_CERT would let it log on as anyone at a backend that trusts the connector.
            if (!name.equals("host") && !name.equals("x-forwarded-host") && !clientCertificateField(name)) {
                fields.add(field);
            }
        }
        if (mapping.principalType() == AccessControlList.PrincipalType.X509
                && mapping.protocol() == io.connectivityproxy.protocol.TargetProtocol.HTTP) {
            // SAP's rule: an empty SSL_CLIENT_CERT when no user is propagated.
            fields.add(Map.entry(SSL_CLIENT_CERT, user == null ? "" : user.sslClientCertHeader()));
        }
        if (!virtualHost) {
            fields.add(Map.entry("X-Forwarded-Host", mapping.virtualAuthority()));
        }
        if (requestFraming.kind() == BodyFraming.Kind.CHUNKED) {
            fields.add(Map.entry("Transfer-Encoding", "chunked"));
        }
        if (upgrade) {
            fields.add(Map.entry("Connection", "Upgrade"));
        }
        return fields;
    }

    /** SSL_CLIENT_CERT and its chain fields, however the client spelled them (case, '-' for '_'). */
    static boolean clientCertificateField(String lowerCaseName) {
        String name = lowerCaseName.replace('-', '_');
        return name.equals("ssl_client_cert") || name.startsWith("ssl_client_cert_chain");
    }

    private static String authority(String host, int port, int defaultPort) {
        String name = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == defaultPort ? name : name + ":" + port;
    }

    /** The request body from the stream to the backend, with back-pressure both ways. */
    private void forwardBody() {
        BodyWriter writer = new BodyWriter(
                connection.socket,
                requestFraming.kind() == BodyFraming.Kind.CHUNKED
                        ? BodyWriter.Framing.CHUNKED
                        : BodyWriter.Framing.LENGTH,
                requestFraming.length());
        stream.handler(data -> {
            if (connection.closed || bodyWriteFailed) {
                return;
            }
            sentBodyBytes = true;
            writer.write(data).onFailure(this::bodyWriteFailed);
            if (writer.writeQueueFull()) {
                stream.pause();
                writer.drainHandler(v -> stream.resume());
            }
        });
        stream.endHandler(v -> writer.end().onComplete(ended -> {
            if (ended.failed()) {
                bodyWriteFailed(ended.cause());
                return;
            }
            requestDone = true;
            maybeRelease();
        }));
    }

    /**
     * The request body could not be written: a body longer or shorter than its Content-Length is
     * the proxy's fault; a broken connection is the backend's, and its response (which may
     * already be on the way, an early answer) or its close decides how the exchange ends.
     */
    private void bodyWriteFailed(Throwable cause) {
        if (bodyWriteFailed) {
            return;
        }
        bodyWriteFailed = true;
        if (cause instanceof IllegalStateException) {
            stream.reset(Reason.PROTOCOL_ERROR, "request body: " + cause.getMessage());
            return;
        }
        LOG.debugf("stream %d: writing the request body failed: %s", stream.id(), cause);
        if (responseDone) {
            stream.reset(
                    Reason.CANCELLED,
                    "the backend closed the connection after its response; "
                            + "the rest of the request body was not read");
        }
    }

    private void readHead() {
        BackendPool.Connection current = connection;
        current.reader.readHead(MAX_RESPONSE_HEAD, new Http1Reader.HeadHandler() {
            @Override
            public void head(byte[] bytes) {
                onHead(bytes);
            }

            @Override
            public void closed() {
                if (current.reused && !headReceived && !requestFraming.hasBody() && !sentBodyBytes) {
                    // A kept-alive connection the backend closed as it was reused: one fresh attempt.
                    retry();
                    return;
                }
                stream.reset(
                        Reason.BACKEND_RESET,
                        "backend of " + mapping.virtualAuthority() + " closed the connection without a response");
            }

            @Override
            public void failed(HttpException e) {
                String message = e.status() == 431
                        ? "its response head exceeds " + MAX_RESPONSE_HEAD + " bytes"
                        : "it closed the connection inside the response head";
                stream.reset(Reason.BACKEND_RESET, "backend of " + mapping.virtualAuthority() + " failed: " + message);
            }
        });
    }

    private void retry() {
        connection.socket.close();
        pool.connect(mapping, user).onComplete(ar -> {
            if (stream.state() == TunnelStream.State.CLOSED) {
                if (ar.succeeded()) {
                    ar.result().socket.close();
                }
                return;
            }
            if (ar.failed()) {
                stream.reset(
                        Reason.BACKEND_UNREACHABLE,
                        "backend of " + mapping.virtualAuthority() + " is unreachable: "
                                + BackendBridge.brief(ar.cause()));
                return;
            }
            send(ar.result());
        });
    }

    private void onHead(byte[] bytes) {
        Http1Response response;
        try {
            response = Http1Parser.parseResponse(bytes);
        } catch (HttpException e) {
            stream.reset(
                    Reason.BACKEND_RESET,
                    "backend of " + mapping.virtualAuthority() + " sent a malformed response: " + e.getMessage());
            return;
        }
        if (response.interim()) {
            if (response.status() == 100 && continueSent) {
                readHead();
                return;
            }
            continueSent |= response.status() == 100;
            writeHead(new HttpHead.Response(
                    response.status(), response.reason(), Intermediary.endToEnd(response.fields(), false)));
            readHead();
            return;
        }
        headReceived = true;
        vertx.cancelTimer(expectTimer);
        if (response.status() == 101) {
            switchProtocols(response);
            return;
        }
        if (upgrade) {
            // Upgrade refused: an ordinary exchange, whose request side ends with the proxy's FIN.
            stream.handler(data -> {});
            stream.endHandler(v -> {
                requestDone = true;
                maybeRelease();
            });
            stream.resume();
        }
        BodyFraming framing;
        try {
            framing = Intermediary.responseFraming(head.method(), response);
        } catch (HttpException e) {
            stream.reset(
                    Reason.BACKEND_RESET,
                    "backend of " + mapping.virtualAuthority() + " sent a malformed response: " + e.getMessage());
            return;
        }
        List<Map.Entry<String, String>> fields =
                new ArrayList<>(ResponseRewriter.rewrite(mapping, Intermediary.endToEnd(response.fields(), false)));
        if (!framing.codings().isEmpty()) {
            // The body keeps these codings; proxy-service announces them again (with chunked).
            fields.add(Map.entry("Transfer-Encoding", String.join(", ", framing.codings())));
        }
        keepAlive = Intermediary.backendKeepsAlive(response) && framing.kind() != BodyFraming.Kind.UNTIL_CLOSE;
        if (!writeHead(new HttpHead.Response(response.status(), response.reason(), fields))) {
            return;
        }
        ReadStream<Buffer> body = connection.reader.body(framing);
        body.handler(data -> {
            metrics.bytesToCloud(data.length());
            stream.write(data);
            if (stream.writeQueueFull()) {
                body.pause();
                stream.drainHandler(v -> body.resume());
            }
        });
        body.exceptionHandler(e -> stream.reset(
                Reason.BACKEND_RESET,
                "backend of " + mapping.virtualAuthority()
                        + " closed the connection before the response was complete"));
        body.endHandler(v -> {
            responseDone = true;
            // Released before the FIN: the FIN can complete the stream, whose close handler would
            // otherwise close a connection that is in sync.
            maybeRelease();
            stream.end();
            if (!requestDone && (connection.closed || bodyWriteFailed)) {
                stream.reset(
                        Reason.CANCELLED,
                        "the backend closed the connection after its response; "
                                + "the rest of the request body was not read");
            }
        });
    }

    /** A head as one DATA frame; false (and the stream reset) if it cannot be carried. */
    private boolean writeHead(HttpHead.Response response) {
        Buffer encoded;
        try {
            encoded = Buffer.buffer(HttpHead.encode(response));
        } catch (IllegalArgumentException e) {
            stream.reset(
                    Reason.BACKEND_RESET,
                    "backend of " + mapping.virtualAuthority() + " sent a response head that cannot be forwarded: "
                            + e.getMessage());
            return false;
        }
        if (encoded.length() > peerWindow) {
            stream.reset(
                    Reason.BACKEND_RESET,
                    "backend of " + mapping.virtualAuthority() + " sent a response head of " + encoded.length()
                            + " bytes, more than the proxy's window of " + peerWindow);
            return false;
        }
        stream.writeWhole(encoded);
        return true;
    }

    private void switchProtocols(Http1Response response) {
        if (!upgrade) {
            stream.reset(
                    Reason.BACKEND_RESET,
                    "backend of " + mapping.virtualAuthority()
                            + " switched protocols although no upgrade was asked for");
            return;
        }
        if (!writeHead(new HttpHead.Response(101, response.reason(), Intermediary.endToEnd(response.fields(), true)))) {
            return;
        }
        released = true;
        Buffer early = connection.reader.detach();
        if (early.length() > 0) {
            metrics.bytesToCloud(early.length());
            stream.write(early);
        }
        TcpRelay.bridge(connection.socket, stream, metrics::bytesToCloud, n -> {}, metrics::streamClosed);
    }

    /** Both halves complete: the connection goes back to the pool if it is still in sync. */
    private void maybeRelease() {
        if (!requestDone || !responseDone || released) {
            return;
        }
        released = true;
        if (keepAlive && !connection.closed && connection.reader.buffered() == 0) {
            pool.release(connection);
        } else {
            connection.socket.close();
        }
    }
}
