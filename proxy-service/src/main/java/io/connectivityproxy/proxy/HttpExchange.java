package io.connectivityproxy.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.protocol.HttpHead;
import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.stream.CountingWriteStream;
import io.connectivityproxy.stream.StreamException;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One request through the HTTP proxy: validates it, opens a stream to a connector that serves
 * the subaccount and location, streams the request body in and the response out, and decides
 * explicitly how each failure reads to the client — an error status while nothing was sent, a
 * closed connection once a response is under way (so a short body is never taken as complete).
 */
final class HttpExchange {

    private static final Logger LOG = Logger.getLogger(HttpExchange.class);
    static final String LOCATION_HEADER = "SAP-Connectivity-SCC-Location_ID";
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate", "host",
            LOCATION_HEADER.toLowerCase(Locale.ROOT));

    /** Where the exchange is; decides what a failure does. */
    enum State {
        /** Waiting for OPEN_OK. */
        OPENING,
        /** Stream open, request body flowing, no response head yet. */
        AWAITING_RESPONSE,
        /** Response head sent to the client; body flowing. */
        RESPONDING,
        DONE
    }

    private final Vertx vertx;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final TunnelClient tunnel;
    private final ProxySettings settings;
    private final ProxyMetrics metrics;
    private State state = State.OPENING;
    private TunnelStream stream;
    private long openTimer = -1;
    private long openStarted;

    HttpExchange(Vertx vertx, HttpServerRequest request, TunnelClient tunnel, ProxySettings settings,
            ProxyMetrics metrics) {
        this.vertx = vertx;
        this.request = request;
        this.response = request.response();
        this.tunnel = tunnel;
        this.settings = settings;
        this.metrics = metrics;
    }

    void start() {
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.uri());
        } catch (RequestTarget.Rejected e) {
            reply(e.status, e.getMessage());
            return;
        }
        String location = request.getHeader(LOCATION_HEADER);
        location = location == null ? "" : location.trim();
        if (!Ids.valid(location)) {
            reply(400, "invalid " + LOCATION_HEADER + " header: use letters, digits, '.', '_', '~' or '-', at most 128");
            return;
        }
        SessionKey key = new SessionKey(settings.subaccount(), location);
        String node = tunnel.pickNode(key);
        openStarted = System.nanoTime();
        if (node == null) {
            metrics.openFailed(Reason.NO_SESSION, openStarted);
            reply(503, "No connector connected for subaccount " + key.subaccount() + " and location "
                    + (location.isEmpty() ? "(default)" : location));
            return;
        }
        request.pause();
        Context context = vertx.getOrCreateContext();
        stream = tunnel.open(context, node, key, TargetProtocol.HTTP, target.host(), target.port(),
                HttpHead.encode(new HttpHead.Request(request.method().name(), target.originForm(), forwardedHeaders())));
        response.closeHandler(v -> {
            if (state != State.DONE) {
                state = State.DONE;
                stream.reset(Reason.CANCELLED, "the client closed the connection");
            }
        });
        openTimer = vertx.setTimer(settings.openTimeout().toMillis(), t -> {
            if (state == State.OPENING) {
                metrics.openFailed(Reason.TIMEOUT, openStarted);
                reply(504, "The connector did not answer within " + settings.openTimeout().toSeconds() + " s");
                stream.reset(Reason.TIMEOUT, "no answer from the connector within " + settings.openTimeout());
            }
        });
        stream.opened().onComplete(ar -> {
            vertx.cancelTimer(openTimer);
            if (state != State.OPENING) {
                return;
            }
            if (ar.failed()) {
                Reason reason = ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL;
                metrics.openFailed(reason, openStarted);
                reply(ClientErrors.httpStatus(reason), ar.cause().getMessage());
                return;
            }
            metrics.opened(openStarted);
            forward();
        });
    }

    /** The request's end-to-end headers; a body of unknown length is marked with Transfer-Encoding. */
    private List<Map.Entry<String, String>> forwardedHeaders() {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) && !name.startsWith("sap-connectivity-")) {
                headers.add(Map.entry(header.getKey(), header.getValue()));
            }
        }
        String transferEncoding = request.getHeader("Transfer-Encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            headers.add(Map.entry("Transfer-Encoding", "chunked"));
        }
        return headers;
    }

    private void forward() {
        state = State.AWAITING_RESPONSE;
        stream.handler(this::onResponseHead);
        stream.endHandler(v -> {
            if (state == State.AWAITING_RESPONSE) {
                reply(502, "The backend closed the connection without a response");
            }
        });
        stream.exceptionHandler(this::onStreamFailure);
        request.pipe().endOnFailure(false).to(new CountingWriteStream(stream, metrics::bytesToBackend))
                .onFailure(e -> {
                    if (state != State.DONE) {
                        stream.reset(Reason.CANCELLED, "the client's request body failed: " + e.getMessage());
                        abort();
                    }
                });
    }

    private void onResponseHead(Buffer first) {
        stream.pause();
        HttpHead.Response head;
        try {
            head = HttpHead.decodeResponse(first.getBytes());
        } catch (ProtocolException e) {
            stream.reset(Reason.PROTOCOL_ERROR, "malformed response head: " + e.getMessage());
            reply(502, "The connector sent a malformed response head");
            return;
        }
        state = State.RESPONDING;
        response.setStatusCode(head.status());
        if (!head.reason().isEmpty()) {
            response.setStatusMessage(head.reason());
        }
        boolean hasLength = false;
        for (Map.Entry<String, String> header : head.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(name)) {
                continue;
            }
            hasLength |= name.equals("content-length");
            response.headers().add(header.getKey(), header.getValue());
        }
        if (!hasLength && bodyAllowed(head.status())) {
            response.setChunked(true);
        }
        stream.pipe().endOnFailure(false).to(new CountingWriteStream(response, metrics::bytesToClient))
                .onComplete(done -> {
                    if (done.succeeded()) {
                        state = State.DONE;
                    } else {
                        LOG.debugf("response aborted: %s", done.cause().getMessage());
                        abort();
                    }
                });
    }

    private boolean bodyAllowed(int status) {
        return request.method() != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }

    private void onStreamFailure(Throwable cause) {
        if (state == State.AWAITING_RESPONSE) {
            Reason reason = cause instanceof StreamException e ? e.reason() : Reason.INTERNAL;
            reply(reason == Reason.CANCELLED ? 502 : ClientErrors.httpStatus(reason), cause.getMessage());
        } else if (state == State.RESPONDING) {
            abort();
        }
    }

    /** Answers with an error status and a one-line reason; only while nothing was sent yet. */
    private void reply(int status, String message) {
        state = State.DONE;
        if (response.headWritten() || response.ended() || response.closed()) {
            abort();
            return;
        }
        if (!request.isEnded()) {
            // The body was not read; closing is the only way to keep the connection in sync.
            response.putHeader("Connection", "close");
            request.resume();
        }
        response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(message + "\n");
    }

    /** A response is under way and cannot be completed: close, so the client sees it incomplete. */
    private void abort() {
        state = State.DONE;
        if (stream != null) {
            stream.reset(Reason.CANCELLED, "the client's response was aborted");
        }
        if (!response.closed()) {
            request.connection().close();
        }
    }
}
