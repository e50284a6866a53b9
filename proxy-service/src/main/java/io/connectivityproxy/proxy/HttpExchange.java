package io.connectivityproxy.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.protocol.HttpHead;
import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.protocol.PrincipalTokens;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.protocol.http.BodyFraming;
import io.connectivityproxy.protocol.http.Fields;
import io.connectivityproxy.protocol.http.Http1Request;
import io.connectivityproxy.protocol.http.Http1Writer;
import io.connectivityproxy.protocol.http.HttpException;
import io.connectivityproxy.protocol.http.Intermediary;
import io.connectivityproxy.proxy.auth.ProxyAuthorization;
import io.connectivityproxy.stream.StreamException;
import io.connectivityproxy.stream.TcpRelay;
import io.connectivityproxy.stream.TunnelStream;
import io.connectivityproxy.stream.http.BodyWriter;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * One request through the HTTP proxy: checks it, opens a stream to a connector that serves the
 * subaccount and location, streams the request body in and the interim and final responses out.
 *
 * <p>The two halves end independently and this class alone decides what each order means:
 * <ul>
 * <li>request body done, then response done: the stream is complete; the connection is kept
 * if both sides allow it;
 * <li>response done first (a backend that answers an upload early): the response goes out at
 * once with {@code Connection: close}; the rest of the body is still passed on while the
 * connector takes it and dropped once it does not, for at most the lingering time; then the
 * connection closes and the stream is reset if it is still open;
 * <li>client gone: the stream is reset; backend gone before a response: an error status while
 * nothing was sent, a closed connection once a response is under way (a short body is never
 * passed off as complete).
 * </ul>
 */
final class HttpExchange {

    private static final Logger LOG = Logger.getLogger(HttpExchange.class);
    static final String LOCATION_HEADER = "SAP-Connectivity-SCC-Location_ID";

    /** Where the response side is; decides what a failure does. */
    private enum Response {
        /** Waiting for OPEN_OK. */
        OPENING,
        /** Stream open, no final response head yet (interim ones may have gone out). */
        AWAITING,
        /** Final head sent; the body is flowing. */
        BODY,
        /** Final response complete. */
        DONE,
        /** Switched protocols: the stream is a raw tunnel now. */
        TUNNEL
    }

    private final ClientConnection connection;
    private final Http1Request request;
    private final byte[] rawHead;
    private final TunnelClient tunnel;
    private final ProxySettings settings;
    private final ProxyMetrics metrics;
    private final ProxyAuthorization authorization;
    private Response response = Response.OPENING;
    private TunnelStream stream;
    private BodyFraming requestFraming;
    private boolean upgrade;
    private boolean expectsContinue;
    private boolean continueForwarded;
    private long bodyBytes;
    private boolean requestDone;
    private boolean discardBody;
    private boolean keepAlive;
    private boolean finished;
    private BodyWriter body;
    private ReadStream<Buffer> requestBody;
    private long openTimer = -1;
    private long lingerTimer = -1;
    private long quietTimer = -1;
    private long openStarted;

    HttpExchange(
            ClientConnection connection,
            Http1Request request,
            byte[] rawHead,
            TunnelClient tunnel,
            ProxySettings settings,
            ProxyMetrics metrics,
            ProxyAuthorization authorization) {
        this.authorization = authorization;
        this.connection = connection;
        this.request = request;
        this.rawHead = rawHead;
        this.tunnel = tunnel;
        this.settings = settings;
        this.metrics = metrics;
    }

    void start() {
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.target());
            requestFraming = Intermediary.requestFraming(request);
        } catch (RequestTarget.Rejected e) {
            connection.reply(e.status, e.getMessage(), true);
            return;
        } catch (HttpException e) {
            connection.reply(e.status(), e.getMessage(), true);
            return;
        }
        String location = location(request);
        if (!Ids.valid(location)) {
            connection.reply(
                    400,
                    "invalid " + LOCATION_HEADER + " header: use letters, digits, '.', '_', '~' or '-', at most 128",
                    closeAfterReply());
            return;
        }
        PrincipalTokens principals;
        try {
            principals = PrincipalHeaders.read(request.fields());
        } catch (PrincipalHeaders.Malformed e) {
            connection.reply(400, e.getMessage(), closeAfterReply());
            return;
        }
        authorization
                .http(request.fields(), settings.http().authorizationEnabled())
                .onComplete(ar -> {
                    if (connection.closed()) {
                        return;
                    }
                    if (ar.failed()) {
                        refuse(connection, ar.cause(), closeAfterReply());
                        return;
                    }
                    proceed(target, location, ar.result(), principals);
                });
    }

    /** Answers a request whose authorization or tenant failed: 407 with a Bearer challenge, or 400. */
    static void refuse(ClientConnection connection, Throwable cause, boolean close) {
        if (cause instanceof ProxyAuthorization.Refused refused) {
            connection.reply(
                    refused.status,
                    refused.getMessage(),
                    close,
                    refused.status == 407 ? List.of(Map.entry("Proxy-Authenticate", "Bearer")) : List.of());
        } else {
            connection.reply(500, "the request's authorization could not be checked", true);
        }
    }

    private void proceed(RequestTarget target, String location, String subaccount, PrincipalTokens principals) {
        if (answeredHere()) {
            return;
        }
        // An upgrade request with a body is forwarded as a plain request (the Upgrade field dropped).
        upgrade = Intermediary.isUpgrade(request) && !requestFraming.hasBody();
        expectsContinue = Intermediary.expectsContinue(request.fields()) && requestFraming.hasBody();
        byte[] head;
        try {
            head = HttpHead.encode(new HttpHead.Request(request.method(), target.originForm(), forwardedFields()));
        } catch (IllegalArgumentException e) {
            connection.reply(400, "the request cannot be forwarded: " + e.getMessage(), closeAfterReply());
            return;
        }
        SessionKey key = new SessionKey(subaccount, location);
        String node = tunnel.pickNode(key);
        openStarted = System.nanoTime();
        if (node == null) {
            metrics.openFailed(key.subaccount(), Reason.NO_SESSION, openStarted);
            connection.reply(
                    503,
                    "No connector connected for subaccount " + key.subaccount() + " and location "
                            + (location.isEmpty() ? "(default)" : location),
                    closeAfterReply());
            return;
        }
        Context context = connection.vertx.getOrCreateContext();
        stream = tunnel.open(context, node, key, TargetProtocol.HTTP, target.host(), target.port(), head, principals);
        metrics.streamFor(key.subaccount());
        connection.onClientClosed(() -> {
            if (response == Response.DONE && requestBody != null) {
                // The client closed after the response: the body bytes it sent before are still
                // queued here and go on; the body's end (or its truncation) ends the exchange.
                return;
            }
            if (!finished) {
                finished = true;
                cancelTimers();
                stream.reset(Reason.CANCELLED, "the client closed the connection");
            }
        });
        stream.handler(this::onResponseData);
        stream.endHandler(v -> onStreamEnd());
        stream.exceptionHandler(this::onStreamFailure);
        if (!requestFraming.hasBody() && !upgrade) {
            // A request without a body is OPEN then FIN; the connector sends it on at once.
            requestDone = true;
            stream.end();
        }
        openTimer = connection.vertx.setTimer(settings.openTimeout().toMillis(), t -> {
            if (response == Response.OPENING && !finished) {
                finished = true;
                metrics.openFailed(key.subaccount(), Reason.TIMEOUT, openStarted);
                stream.reset(Reason.TIMEOUT, "no answer from the connector within " + settings.openTimeout());
                connection.reply(
                        504,
                        "The connector did not answer within "
                                + settings.openTimeout().toSeconds() + " s",
                        closeAfterReply());
            }
        });
        stream.opened().onComplete(ar -> {
            connection.vertx.cancelTimer(openTimer);
            if (finished || response != Response.OPENING) {
                return;
            }
            if (ar.failed()) {
                // onStreamFailure answers the client.
                Reason reason = ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL;
                metrics.openFailed(key.subaccount(), reason, openStarted);
                return;
            }
            metrics.opened(openStarted);
            response = Response.AWAITING;
            if (!requestDone && !upgrade) {
                forwardBody();
            }
        });
    }

    /** Max-Forwards: 0 on OPTIONS or TRACE is answered by this proxy (RFC 9110 section 7.6.2). */
    private boolean answeredHere() {
        String method = request.method();
        if (!(method.equals("OPTIONS") || method.equals("TRACE")) || Intermediary.maxForwards(request.fields()) != 0) {
            return false;
        }
        boolean close = closeAfterReply();
        byte[] body = method.equals("TRACE") ? rawHead : new byte[0];
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        if (method.equals("TRACE")) {
            fields.add(Map.entry("Content-Type", "message/http"));
        } else {
            fields.add(Map.entry("Allow", "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT"));
        }
        fields.add(Map.entry("Content-Length", Integer.toString(body.length)));
        fields.add(Map.entry("Via", Intermediary.VIA));
        if (close) {
            fields.add(Map.entry("Connection", "close"));
        }
        connection.socket.write(
                Buffer.buffer(Http1Writer.response(200, "", fields)).appendBytes(body));
        connection.exchangeDone(!close);
        return true;
    }

    /** The request's end-to-end fields, with Via, Max-Forwards counted down and the body's framing marked. */
    private List<Map.Entry<String, String>> forwardedFields() {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        long maxForwards = Intermediary.maxForwards(request.fields());
        for (Map.Entry<String, String> field : Intermediary.endToEnd(request.fields(), upgrade)) {
            String name = field.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("host")
                    || name.startsWith("sap-connectivity-")
                    || name.startsWith("sap-cp-connectivity-")) {
                continue;
            }
            if (name.equals("max-forwards") && maxForwards > 0) {
                fields.add(Map.entry(field.getKey(), Long.toString(maxForwards - 1)));
                continue;
            }
            fields.add(field);
        }
        if (requestFraming.kind() == BodyFraming.Kind.CHUNKED) {
            // Marks a body of unknown length for the connector (the DATA is de-chunked).
            fields.add(Map.entry("Transfer-Encoding", "chunked"));
        }
        return Intermediary.withVia(fields);
    }

    /** Request body into the stream, with back-pressure; dropped once the stream no longer takes it. */
    private void forwardBody() {
        requestBody = connection.reader.body(requestFraming);
        requestBody.handler(data -> {
            bodyBytes += data.length();
            quietTimerRestart();
            if (discardBody || stream.state() == TunnelStream.State.CLOSED) {
                return;
            }
            metrics.bytesToBackend(data.length());
            stream.write(data);
            if (stream.writeQueueFull()) {
                requestBody.pause();
                stream.drainHandler(v -> requestBody.resume());
            }
        });
        requestBody.endHandler(v -> {
            requestDone = true;
            if (!discardBody && stream.state() != TunnelStream.State.CLOSED) {
                stream.end();
            }
            if (response == Response.DONE) {
                finish(false);
            }
        });
        requestBody.exceptionHandler(e -> {
            if (finished) {
                return;
            }
            if (e instanceof HttpException bad) {
                stream.reset(Reason.CANCELLED, "the client's request body is malformed: " + bad.getMessage());
                if (response == Response.OPENING || response == Response.AWAITING) {
                    finished = true;
                    connection.reply(400, "malformed request body: " + bad.getMessage(), true);
                    return;
                }
            } else {
                stream.reset(Reason.CANCELLED, "the client's request body failed: " + e.getMessage());
            }
            abort();
        });
    }

    private void onResponseData(Buffer data) {
        if (response == Response.BODY) {
            metrics.bytesToClient(data.length());
            body.write(data).onFailure(e -> {
                stream.reset(Reason.CANCELLED, "the response cannot be delivered: " + e.getMessage());
                abort();
            });
            if (body.writeQueueFull()) {
                stream.pause();
                body.drainHandler(v -> stream.resume());
            }
            return;
        }
        if (response != Response.AWAITING) {
            return;
        }
        HttpHead.Response head;
        try {
            head = HttpHead.decodeResponse(data.getBytes());
        } catch (ProtocolException e) {
            stream.reset(Reason.PROTOCOL_ERROR, "malformed response head: " + e.getMessage());
            replyError(502, "The connector sent a malformed response head");
            return;
        }
        if (head.status() >= 100 && head.status() < 200 && head.status() != 101) {
            interim(head);
        } else if (head.status() == 101) {
            switchProtocols(head);
        } else {
            finalHead(head);
        }
    }

    /** 1xx: forwarded to an HTTP/1.1 client (RFC 9110 section 15.2); HTTP/1.0 clients never get one. */
    private void interim(HttpHead.Response head) {
        if (request.minorVersion() == 0) {
            return;
        }
        List<Map.Entry<String, String>> fields = Intermediary.endToEnd(head.headers(), false);
        continueForwarded |= head.status() == 100;
        connection.socket.write(Buffer.buffer(Http1Writer.response(head.status(), head.reason(), fields)));
    }

    private void switchProtocols(HttpHead.Response head) {
        if (!upgrade) {
            stream.reset(Reason.PROTOCOL_ERROR, "101 Switching Protocols to a request that asked for no upgrade");
            replyError(502, "The backend switched protocols although the request asked for no upgrade");
            return;
        }
        stream.pause();
        response = Response.TUNNEL;
        finished = true;
        metrics.upgraded();
        cancelTimers();
        List<Map.Entry<String, String>> fields = new ArrayList<>(Intermediary.endToEnd(head.headers(), true));
        fields.add(Map.entry("Connection", "Upgrade"));
        connection.socket.write(Buffer.buffer(Http1Writer.response(101, head.reason(), Intermediary.withVia(fields))));
        Buffer early = connection.reader.detach();
        if (early.length() > 0) {
            metrics.bytesToBackend(early.length());
            stream.write(early);
        }
        connection.onClientClosed(() -> {});
        TcpRelay.bridge(connection.socket, stream, metrics::bytesToBackend, metrics::bytesToClient, () -> {});
    }

    private void finalHead(HttpHead.Response head) {
        if (upgrade && !requestDone) {
            // Refused upgrade: an ordinary response, and this side's half of the stream ends.
            requestDone = true;
            stream.end();
        }
        List<String> codings = Fields.elements(head.headers(), "transfer-encoding");
        List<Map.Entry<String, String>> fields = new ArrayList<>(Intermediary.endToEnd(head.headers(), false));
        int status = head.status();
        boolean bodyless = request.method().equals("HEAD") || status == 204 || status == 304;
        boolean http10 = request.minorVersion() == 0;
        BodyWriter.Framing framing;
        long length = -1;
        if (bodyless) {
            framing = BodyWriter.Framing.LENGTH;
            length = 0;
        } else {
            try {
                length = Intermediary.contentLength(head.headers(), 502);
            } catch (HttpException e) {
                stream.reset(Reason.PROTOCOL_ERROR, e.getMessage());
                replyError(502, "The backend's response has an invalid Content-Length");
                return;
            }
            if (length >= 0 && codings.isEmpty()) {
                framing = BodyWriter.Framing.LENGTH;
            } else if (!http10) {
                framing = BodyWriter.Framing.CHUNKED;
                List<String> all = new ArrayList<>(codings);
                all.add("chunked");
                fields.add(Map.entry("Transfer-Encoding", String.join(", ", all)));
            } else if (codings.isEmpty()) {
                framing = BodyWriter.Framing.RAW;
            } else {
                stream.reset(Reason.CANCELLED, "transfer-coded response for an HTTP/1.0 client");
                replyError(
                        502,
                        "The backend's response uses transfer coding " + String.join(", ", codings)
                                + ", which an HTTP/1.0 client cannot receive");
                return;
            }
        }
        if (!requestDone) {
            metrics.earlyResponse();
        }
        keepAlive = Intermediary.clientKeepsAlive(request) && requestDone && framing != BodyWriter.Framing.RAW;
        if (!keepAlive) {
            fields.add(Map.entry("Connection", "close"));
        }
        byte[] bytes;
        try {
            bytes = Http1Writer.response(status, head.reason(), Intermediary.withVia(fields));
        } catch (IllegalArgumentException e) {
            stream.reset(Reason.PROTOCOL_ERROR, e.getMessage());
            replyError(502, "The backend's response head cannot be forwarded: " + e.getMessage());
            return;
        }
        response = Response.BODY;
        connection.socket.write(Buffer.buffer(bytes));
        body = new BodyWriter(connection.socket, framing, bodyless ? 0 : length);
    }

    private void onStreamEnd() {
        if (response == Response.AWAITING) {
            replyError(502, "The backend closed the connection without a response");
            return;
        }
        if (response != Response.BODY) {
            return;
        }
        body.end().onComplete(ended -> {
            if (ended.failed()) {
                LOG.debugf("response incomplete: %s", ended.cause().getMessage());
                abort();
                return;
            }
            response = Response.DONE;
            if (requestDone) {
                finish(keepAlive);
            } else {
                linger();
            }
        });
    }

    private void onStreamFailure(Throwable cause) {
        Reason reason = cause instanceof StreamException e ? e.reason() : Reason.INTERNAL;
        switch (response) {
            case OPENING:
            case AWAITING:
                replyError(reason == Reason.CANCELLED ? 502 : ClientErrors.httpStatus(reason), cause.getMessage());
                break;
            case BODY:
                abort();
                break;
            case DONE:
                // The connector stopped taking the rest of an early-answered body: drop it from now on.
                discardBody = true;
                if (requestBody != null) {
                    requestBody.resume();
                }
                break;
            default:
                break;
        }
    }

    /**
     * The response is complete but the request body is not: pass on or drop the rest for at most
     * the lingering time, and at most the lingering timeout without a byte, then close.
     */
    private void linger() {
        if (expectsContinue && !continueForwarded && bodyBytes == 0) {
            // The client waits for a 100 that will not come, so it sends no body (RFC 9110
            // section 10.1.1): nothing is left to read, close at once.
            finish(false);
            return;
        }
        if (requestBody != null) {
            requestBody.resume();
        } else {
            discardBody = true;
        }
        lingerTimer = connection.vertx.setTimer(settings.http().lingeringTime().toMillis(), t -> {
            stream.reset(Reason.CANCELLED, "the rest of the request body did not arrive within the lingering time");
            finish(false);
        });
        quietTimerRestart();
    }

    private void quietTimerRestart() {
        if (response != Response.DONE || finished) {
            return;
        }
        if (quietTimer >= 0) {
            connection.vertx.cancelTimer(quietTimer);
        }
        quietTimer =
                connection.vertx.setTimer(settings.http().lingeringTimeout().toMillis(), t -> {
                    stream.reset(Reason.CANCELLED, "the client sent no more of the request body after the response");
                    finish(false);
                });
    }

    /** An error status while nothing of a response was sent; a closed connection otherwise. */
    private void replyError(int status, String message) {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimers();
        if (stream != null && stream.state() != TunnelStream.State.CLOSED) {
            stream.reset(Reason.CANCELLED, "the exchange failed: " + message);
        }
        if (response == Response.BODY) {
            connection.socket.close();
            return;
        }
        connection.reply(status, message, closeAfterReply());
    }

    /** After an answer of this proxy's own: close if request bytes are left unread or the client asked to. */
    private boolean closeAfterReply() {
        return (requestFraming.hasBody() && !requestDone) || !Intermediary.clientKeepsAlive(request);
    }

    /** The location id the request names (SAP-Connectivity-SCC-Location_ID), "" for the default. */
    static String location(Http1Request request) {
        String location = request.field(LOCATION_HEADER);
        return location == null ? "" : location.trim();
    }

    private void finish(boolean keep) {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimers();
        if (stream.state() != TunnelStream.State.CLOSED) {
            if (!requestDone) {
                stream.reset(Reason.CANCELLED, "the exchange ended before the request body was complete");
            } else {
                // The body's last bytes may still wait for credit: give them the lingering timeout.
                connection.vertx.setTimer(
                        settings.http().lingeringTimeout().toMillis(),
                        t -> stream.reset(Reason.CANCELLED, "the connector did not take the end of the request body"));
            }
        }
        connection.exchangeDone(keep);
    }

    /** A response is under way and cannot be completed: close, so the client sees it incomplete. */
    private void abort() {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimers();
        if (stream != null) {
            stream.reset(Reason.CANCELLED, "the client's response was aborted");
        }
        connection.socket.close();
    }

    private void cancelTimers() {
        for (long timer : new long[] {openTimer, lingerTimer, quietTimer}) {
            if (timer >= 0) {
                connection.vertx.cancelTimer(timer);
            }
        }
    }
}
