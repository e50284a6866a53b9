package io.connectivityproxy.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.http.Http1Parser;
import io.connectivityproxy.protocol.http.Http1Request;
import io.connectivityproxy.protocol.http.Http1Writer;
import io.connectivityproxy.protocol.http.HttpException;
import io.connectivityproxy.stream.http.Http1Reader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * One client connection to the HTTP proxy port: reads request heads one after another
 * (keep-alive and pipelining: the next head is read only when the previous exchange is over),
 * hands each to an {@link HttpExchange} or, for CONNECT, to {@link TcpExchange}, and answers
 * what cannot be forwarded itself. Closing is explicit: after a response that said
 * {@code Connection: close}, unread request bytes are drained for a bounded time first
 * (a lingering close), so the client reads the response instead of a reset.
 */
final class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class);

    final Vertx vertx;
    final NetSocket socket;
    final Http1Reader reader;
    final ProxySettings settings;
    private final ExchangeFactory exchanges;
    private Runnable onClientClosed = () -> {};
    private boolean closed;
    private boolean closing;

    /** Starts the exchange for one request; the connection waits until it calls {@link #exchangeDone}. */
    interface ExchangeFactory {
        void start(ClientConnection connection, Http1Request request, byte[] head);
    }

    ClientConnection(Vertx vertx, NetSocket socket, ProxySettings settings, ExchangeFactory exchanges) {
        this.vertx = vertx;
        this.socket = socket;
        this.settings = settings;
        this.exchanges = exchanges;
        this.reader = new Http1Reader(socket);
    }

    void start() {
        socket.closeHandler(v -> {
            closed = true;
            Runnable handler = onClientClosed;
            onClientClosed = () -> {};
            handler.run();
        });
        socket.exceptionHandler(e -> {
            LOG.debugf("client connection failed: %s", e.getMessage());
            socket.close();
        });
        next();
    }

    boolean closed() {
        return closed;
    }

    /** Runs once if the client's connection closes while an exchange is under way. */
    void onClientClosed(Runnable handler) {
        this.onClientClosed = handler;
    }

    private void next() {
        reader.readHead(settings.http().maxHeaderSize(), new Http1Reader.HeadHandler() {
            @Override
            public void head(byte[] head) {
                Http1Request request;
                try {
                    request = Http1Parser.parseRequest(head);
                } catch (HttpException e) {
                    reply(e.status(), "malformed HTTP request: " + e.getMessage(), true);
                    return;
                }
                exchanges.start(ClientConnection.this, request, head);
            }

            @Override
            public void closed() {
                socket.close();
            }

            @Override
            public void failed(HttpException e) {
                String message = e.status() == 431
                        ? "the request head exceeds " + settings.http().maxHeaderSize() + " bytes"
                        : "malformed HTTP request: " + e.getMessage();
                reply(e.status(), message, true);
            }
        });
    }

    /** The exchange is over: read the next request, or close. */
    void exchangeDone(boolean keepAlive) {
        onClientClosed = () -> {};
        if (closed) {
            return;
        }
        if (keepAlive) {
            next();
        } else {
            close();
        }
    }

    /**
     * Answers with a status and a one-line plain-text reason, as the end of the exchange.
     * {@code close} when the request's body (or the rest of the connection) cannot be read on.
     */
    void reply(int status, String message, boolean close) {
        reply(status, message, close, List.of());
    }

    void reply(int status, String message, boolean close, List<Map.Entry<String, String>> extra) {
        if (closed) {
            return;
        }
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        List<Map.Entry<String, String>> fields = new ArrayList<>(extra);
        fields.add(Map.entry("Content-Type", "text/plain; charset=utf-8"));
        fields.add(Map.entry("Content-Length", Integer.toString(body.length)));
        if (close) {
            fields.add(Map.entry("Connection", "close"));
        }
        socket.write(Buffer.buffer(Http1Writer.response(status, "", fields)).appendBytes(body));
        exchangeDone(!close);
    }

    /**
     * Closes after everything written so far has gone out. Bytes the client still sends are read
     * and dropped until it closes or goes quiet for the lingering timeout, so that a close with
     * unread input (which the kernel answers with a reset) cannot destroy the response.
     */
    void close() {
        if (closing || closed) {
            return;
        }
        closing = true;
        reader.detach();
        long timer = vertx.setTimer(settings.http().lingeringTimeout().toMillis(), t -> socket.close());
        socket.closeHandler(v -> {
            closed = true;
            vertx.cancelTimer(timer);
        });
        socket.handler(data -> {});
        socket.endHandler(v -> socket.close());
        socket.write(Buffer.buffer()).onComplete(flushed -> {
            io.connectivityproxy.stream.TcpRelay.shutdownOutput(socket);
            socket.resume();
        });
    }
}
