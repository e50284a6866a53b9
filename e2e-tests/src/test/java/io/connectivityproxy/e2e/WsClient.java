package io.connectivityproxy.e2e;

import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/** A hand-driven tunnel client: sends any bytes as WebSocket messages, collects decoded frames. */
final class WsClient implements AutoCloseable {

    final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closed = new CompletableFuture<>();
    private final HttpClient client;
    private WebSocket ws;

    private WsClient(HttpClient client) {
        this.client = client;
    }

    /** Mutual TLS with the given client certificate. */
    static WsClient tls(Vertx vertx, Path certificate, Path key, Path ca) {
        return new WsClient(vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(certificate.toString())
                        .setKeyPath(key.toString()))));
    }

    /** TLS without a client certificate. */
    static WsClient anonymousTls(Vertx vertx, Path ca) {
        return new WsClient(vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))));
    }

    /** Plain WebSocket, as behind a gateway that terminated TLS. */
    static WsClient plain(Vertx vertx) {
        return new WsClient(vertx.createHttpClient(new HttpClientOptions()));
    }

    /** Connects; returns the HTTP status if the upgrade was refused, else 101. */
    int connect(int port, String... headers) throws Exception {
        WebSocketConnectOptions options =
                new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI("/tunnel");
        for (int i = 0; i < headers.length; i += 2) {
            options.addHeader(headers[i], headers[i + 1]);
        }
        try {
            ws = client.webSocket(options)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof io.vertx.core.http.UpgradeRejectedException rejected) {
                return rejected.getStatus();
            }
            throw e;
        }
        ws.binaryMessageHandler(message -> {
            try {
                frames.add(FrameCodec.decode(message.getBytes()));
            } catch (Exception e) {
                frames.add(new Frame.GoAway(io.connectivityproxy.protocol.Reason.INTERNAL, "undecodable: " + e));
            }
        });
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
        return 101;
    }

    void send(Frame frame) {
        ws.writeBinaryMessage(Buffer.buffer(FrameCodec.encode(frame)));
    }

    void sendRaw(byte[] bytes) {
        ws.writeBinaryMessage(Buffer.buffer(bytes));
    }

    void sendText(String text) {
        ws.writeTextMessage(text);
    }

    /** The next frame that is not a PING, or fails after the timeout. */
    Frame next() throws InterruptedException {
        while (true) {
            Frame frame = frames.poll(20, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within 20 s");
            }
            if (!(frame instanceof Frame.Ping)) {
                return frame;
            }
        }
    }

    @Override
    public void close() {
        if (ws != null && !ws.isClosed()) {
            ws.close();
        }
        client.close();
    }
}
