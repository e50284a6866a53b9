package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.netty.channel.nio.NioEventLoopGroup;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;

/**
 * WebSocket through the HTTP forward proxy end to end: a real WebSocket client sends the upgrade
 * in absolute form to proxy-service, the connector lets it through only on a path with
 * {@code upgradeAllowed: true}, and after the backend's 101 the stream carries frames both ways.
 * The backend is a Vert.x WebSocket server on a real socket.
 */
class WebSocketIT {

    static final int MEGABYTES_10 = 10 * 1024 * 1024;
    static final String UPGRADE_HEADERS = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("websocket");

    static Vertx vertx;
    static NioEventLoopGroup clientLoop;
    static HttpServer backend;
    static final BlockingQueue<Short> closedAtBackend = new LinkedBlockingQueue<>();
    static LocalSystem system;
    static LocalSystem.Node tunnel;
    static LocalSystem.Node proxy;
    static LocalSystem.Node connector;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        clientLoop = new NioEventLoopGroup(1);
        backend = vertx.createHttpServer().requestHandler(WebSocketIT::handle);
        backend.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        system = e2e.system();
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        proxy = system.proxy("proxy");
        tunnel = tunnelStart.join();
        connector = system.connector(
                "connector",
                system.connectorYaml(
                        tunnel.port(),
                        "",
                        1,
                        mapping("echo", 8080, backend.actualPort(), "HTTP")
                                + "    paths:\n"
                                + "      - path: /ws\n"
                                + "        includeSubPaths: true\n"
                                + "        upgradeAllowed: true\n"
                                + "      - path: /plain\n"
                                + "        includeSubPaths: true\n"),
                true);
        system.awaitRegistered(proxy, "", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (clientLoop != null) {
            clientLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /** The premise of this class: what the client under test puts on the wire is a forward-proxy request. */
    @Test
    void theClientSendsItsUpgradeInAbsoluteFormToTheProxy() throws Exception {
        try (ServerSocket fakeProxy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<ProxiedWebSocket> client = CompletableFuture.supplyAsync(() -> {
                try {
                    return ProxiedWebSocket.connect(clientLoop, fakeProxy.getLocalPort(), "http://echo:8080/ws/echo");
                } catch (Exception e) {
                    return null;
                }
            });
            try (Socket accepted = fakeProxy.accept()) {
                accepted.setSoTimeout(10_000);
                String head = readHead(accepted.getInputStream());
                assertTrue(head.startsWith("GET http://echo:8080/ws/echo HTTP/1.1\r\n"), head);
                assertTrue(head.toLowerCase().contains("\r\nupgrade: websocket\r\n"), head);
            }
            client.get(40, TimeUnit.SECONDS);
        }
    }

    @Test
    void binaryAndTextMessagesEchoIntactAndTheCloseHandshakeCompletes() throws Exception {
        closedAtBackend.clear();
        double upgrades = HttpProxyIT.metricValue(proxy.metrics(), "cp_proxy_http_upgrades_total");
        long seed = System.nanoTime();
        byte[] data = random(seed, MEGABYTES_10);
        try (ProxiedWebSocket ws = ProxiedWebSocket.connect(clientLoop, proxy.port(), "http://echo:8080/ws/echo")) {
            CompletableFuture<String> echoed = ws.binaryReceived(data.length);
            // Messages of random sizes, written while the echo streams back (both directions at once).
            Random sizes = new Random(seed);
            for (int offset = 0; offset < data.length; ) {
                int length = Math.min(1 + sizes.nextInt(32 * 1024), data.length - offset);
                ws.sendBinary(data, offset, length);
                offset += length;
            }
            assertEquals(sha256(data), echoed.get(60, TimeUnit.SECONDS), "10 MB echoed, seed " + seed);

            List<String> texts = List.of("hello", "grüße, ünïcödé ✓", "x".repeat(60_000));
            for (String text : texts) {
                ws.sendText(text);
            }
            for (String text : texts) {
                assertEquals(text, ws.texts.poll(20, TimeUnit.SECONDS));
            }

            CompletableFuture<Void> tcpClosed = ws.tcpClosed();
            ws.sendClose(1000, "bye");
            ProxiedWebSocket.Close close = ws.closeReceived.get(20, TimeUnit.SECONDS);
            assertEquals(1000, close.status(), "the backend answers the close with the same status");
            assertEquals((short) 1000, closedAtBackend.poll(20, TimeUnit.SECONDS));
            // After the close handshake the server closes TCP; that end crosses the proxy to the client.
            tcpClosed.get(20, TimeUnit.SECONDS);
        }
        assertEquals(
                upgrades + 1,
                HttpProxyIT.metricValue(proxy.metrics(), "cp_proxy_http_upgrades_total"),
                "the proxy counts the protocol switch");
    }

    @Test
    void tenMegabytesEachWayAtTheSameTimeArriveIntact() throws Exception {
        closedAtBackend.clear();
        long fromBackendSeed = System.nanoTime();
        long fromClientSeed = fromBackendSeed + 1;
        byte[] fromClient = random(fromClientSeed, MEGABYTES_10);
        try (ProxiedWebSocket ws = ProxiedWebSocket.connect(
                clientLoop,
                proxy.port(),
                "http://echo:8080/ws/both?seed=" + fromBackendSeed + "&size=" + MEGABYTES_10)) {
            // The backend starts its 10 MB as soon as it accepted; the client sends its own meanwhile.
            CompletableFuture<String> fromBackend = ws.binaryReceived(MEGABYTES_10);
            for (int offset = 0; offset < fromClient.length; offset += 32 * 1024) {
                ws.sendBinary(fromClient, offset, Math.min(32 * 1024, fromClient.length - offset));
            }
            ws.sendText("sent");
            assertEquals(
                    "received " + MEGABYTES_10 + " " + sha256(fromClient),
                    ws.texts.poll(60, TimeUnit.SECONDS),
                    "what the backend received, seed " + fromClientSeed);
            assertEquals(
                    sha256(random(fromBackendSeed, MEGABYTES_10)),
                    fromBackend.get(60, TimeUnit.SECONDS),
                    "what the client received, seed " + fromBackendSeed);
            ws.sendClose(1000, "done");
            assertEquals(1000, ws.closeReceived.get(20, TimeUnit.SECONDS).status());
            assertEquals((short) 1000, closedAtBackend.poll(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void anUpgradeOnAPathWithoutUpgradeAllowedIs403WithTheReason() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String answer = raw.send("GET http://echo:8080/plain/chat HTTP/1.1\r\nHost: echo:8080\r\n" + UPGRADE_HEADERS
                            + "\r\n")
                    .readResponse();
            assertEquals(403, RawHttp.status(answer), answer);
            assertTrue(
                    answer.contains("Access denied to system echo:8080: protocol upgrade (WebSocket) is not "
                            + "allowed for path /plain/chat"),
                    answer);
        }
        ProxiedWebSocket.Refused refused = assertThrows(
                ProxiedWebSocket.Refused.class,
                () -> ProxiedWebSocket.connect(clientLoop, proxy.port(), "http://echo:8080/plain/chat"));
        assertEquals(403, refused.status, refused.getMessage());
        // The same path without an upgrade is allowed.
        Curl.Result plain = Curl.run(
                system.dir.resolve("client"), "-x", "http://127.0.0.1:" + proxy.port(), "http://echo:8080/plain/chat");
        assertEquals(200, plain.status(), plain.stderr());
        assertEquals("plain GET /plain/chat\n", plain.text());
    }

    @Test
    void anUpgradeOnAPathOutsideTheAclIs403() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String answer = raw.send(
                            "GET http://echo:8080/elsewhere HTTP/1.1\r\nHost: echo:8080\r\n" + UPGRADE_HEADERS + "\r\n")
                    .readResponse();
            assertEquals(403, RawHttp.status(answer), answer);
            assertTrue(answer.contains("Access denied to system echo:8080: path /elsewhere is not allowed"), answer);
        }
    }

    /**
     * A refused upgrade is an ordinary exchange: the client gets the 200 and the connection
     * serves the next request (the end of a body that came with its head must not be lost).
     */
    @Test
    void aBackendThatRefusesTheUpgradeGivesItsAnswerAndTheConnectionStaysUsable() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port())) {
            raw.socket.setSoTimeout(20_000);
            String answer = raw.send(
                            "GET http://echo:8080/ws/refuse HTTP/1.1\r\nHost: echo:8080\r\n" + UPGRADE_HEADERS + "\r\n")
                    .readResponse();
            assertEquals(200, RawHttp.status(answer), answer);
            assertTrue(answer.endsWith("\r\n\r\nno upgrade GET /ws/refuse (Upgrade: websocket)\n"), answer);
            assertTrue(!answer.toLowerCase().contains("connection: close"), answer);

            String next = raw.send("GET http://echo:8080/plain/next HTTP/1.1\r\nHost: echo:8080\r\n\r\n")
                    .readResponse();
            assertEquals(200, RawHttp.status(next), next);
            assertTrue(next.endsWith("\r\n\r\nplain GET /plain/next\n"), next);
        }
        ProxiedWebSocket.Refused refused = assertThrows(
                ProxiedWebSocket.Refused.class,
                () -> ProxiedWebSocket.connect(clientLoop, proxy.port(), "http://echo:8080/ws/refuse"));
        assertEquals(200, refused.status, refused.getMessage());
    }

    // ---- the backend ---------------------------------------------------------------------------

    /**
     * {@code /ws/echo} echoes every text and binary frame; {@code /ws/both?seed&size} sends size
     * seeded random bytes at once and answers the text "sent" with "received n sha256" of the
     * binary it got; {@code /ws/refuse} answers upgrades with a plain 200; anything else is a
     * plain 200 naming the request.
     */
    private static void handle(HttpServerRequest request) {
        String path = request.path();
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null || path.equals("/ws/refuse")) {
            String text = (upgrade == null ? "plain " : "no upgrade ") + request.method() + " " + request.uri()
                    + (upgrade == null ? "" : " (Upgrade: " + upgrade + ")") + "\n";
            request.response().putHeader("Content-Type", "text/plain").end(text);
            return;
        }
        request.toWebSocket().onSuccess(ws -> {
            ws.closeHandler(v -> closedAtBackend.add(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
            if (path.equals("/ws/both")) {
                both(ws, Long.parseLong(request.getParam("seed")), Integer.parseInt(request.getParam("size")));
            } else {
                echo(ws);
            }
        });
    }

    private static void echo(ServerWebSocket ws) {
        ws.frameHandler(frame -> {
            WebSocketFrame copy;
            if (frame.isText()) {
                copy = WebSocketFrame.textFrame(frame.textData(), frame.isFinal());
            } else if (frame.isBinary()) {
                copy = WebSocketFrame.binaryFrame(frame.binaryData(), frame.isFinal());
            } else if (frame.isContinuation()) {
                copy = WebSocketFrame.continuationFrame(frame.binaryData(), frame.isFinal());
            } else {
                return;
            }
            ws.writeFrame(copy);
            if (ws.writeQueueFull()) {
                ws.pause();
                ws.drainHandler(v -> ws.resume());
            }
        });
    }

    private static void both(ServerWebSocket ws, long seed, int size) {
        MessageDigest digest = Payload.digest();
        long[] received = new long[1];
        ws.frameHandler(frame -> {
            if (frame.isText() && frame.textData().equals("sent")) {
                ws.writeTextMessage(
                        "received " + received[0] + " " + HexFormat.of().formatHex(digest.digest()));
            } else if (frame.isBinary() || frame.isContinuation()) {
                byte[] bytes = frame.binaryData().getBytes();
                digest.update(bytes);
                received[0] += bytes.length;
            }
        });
        sendFrom(ws, random(seed, size), 0);
    }

    /** Writes binary messages from {@code offset} on, waiting for the drain whenever the queue is full. */
    private static void sendFrom(ServerWebSocket ws, byte[] data, int offset) {
        int position = offset;
        while (position < data.length && !ws.writeQueueFull()) {
            int length = Math.min(32 * 1024, data.length - position);
            ws.writeBinaryMessage(Buffer.buffer(Arrays.copyOfRange(data, position, position + length)));
            position += length;
        }
        if (position < data.length) {
            int next = position;
            ws.drainHandler(v -> sendFrom(ws, data, next));
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Payload.digest().digest(bytes));
    }

    private static String readHead(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
