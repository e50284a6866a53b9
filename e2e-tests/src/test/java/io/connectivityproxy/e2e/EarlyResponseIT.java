package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Backends that answer an upload before reading it, end to end: curl POSTs 5 MB through the
 * HTTP proxy and must get the backend's status and body, with and without
 * {@code Expect: 100-continue}, well within {@code --max-time 20} (the proxy's idle timeout is
 * 120 s, so a hang fails as a curl timeout). After each case no stream is left open on any hop.
 */
class EarlyResponseIT {

    static final long SIZE = 5L * 1024 * 1024;
    /** curl's options for the three ways of sending Expect: explicit, disabled, and curl's default. */
    static final Map<String, List<String>> EXPECT = Map.of(
            "100-continue", List.of("-H", "Expect: 100-continue"),
            "none", List.of("-H", "Expect:"),
            "default", List.of());

    /**
     * Each Expect variant several times: whether the connector is still writing the body when the
     * backend's close arrives is a race, and a stream left open by it shows only in some rounds.
     */
    static final List<String> ROUNDS = Collections.nCopies(5, List.of("100-continue", "none", "default")).stream()
            .flatMap(List::stream)
            .toList();

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("early-response");

    static Vertx vertx;
    static HttpServer backend;
    static final BlockingQueue<String> readToTheEnd = new LinkedBlockingQueue<>();
    /** Body bytes /early/reading has read so far, for the failure message. */
    static final AtomicLong backendRead = new AtomicLong();

    static LocalSystem system;
    static LocalSystem.Node tunnel;
    static LocalSystem.Node proxy;
    static LocalSystem.Node connector;
    static Path work;
    static Path upload;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backend = vertx.createHttpServer().requestHandler(EarlyResponseIT::handle);
        backend.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        system = e2e.system();
        work = system.dir.resolve("client");
        Files.createDirectories(work);
        upload = work.resolve("upload-5MB.bin");
        try (var out = Files.newOutputStream(upload)) {
            byte[] block = new byte[Payload.BLOCK];
            for (long offset = 0; offset < SIZE; offset += block.length) {
                Payload.fill(block, offset);
                out.write(block);
            }
        }
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        proxy = system.proxy("proxy", Map.of("proxy.http.idle-timeout", "120s"));
        tunnel = tunnelStart.join();
        connector = system.connector(
                "connector",
                system.connectorYaml(tunnel.port(), "", 1, mapping("uploads", 8080, backend.actualPort(), "HTTP")),
                true);
        system.awaitRegistered(proxy, "", 1);
    }

    /**
     * The backend answers 200 and closes with the upload unread. Whether the connector is still
     * writing the body when the close arrives is a race: a failed body write once reset the
     * stream before the answer already sent was relayed (502 "Broken pipe"), and Netty's
     * auto-close on a failed write once discarded that answer. Several rounds catch both.
     */
    @Test
    void aBackendThatAnswers200AndClosesWithoutReadingIsHeard() throws Exception {
        for (String expect : ROUNDS) {
            StreamGauges before = StreamGauges.read(proxy, tunnel, connector);
            Curl.Result result = post("/early/200", expect);
            assertEquals(0, result.exitCode(), "Expect " + expect + ": " + result.stderr());
            assertEquals(200, result.status(), "Expect " + expect + ": " + result.stderr() + result.text());
            assertEquals("accepted before the body (expect=" + sent(expect) + ")\n", result.text(), "Expect " + expect);
            StreamGauges.awaitBack("Expect " + expect, before, proxy, tunnel, connector);
        }
    }

    /**
     * As for the 200 above, with 413: the stream must end on all three hops in every round (a
     * failed body write without a message once broke the connector's reset and left it open).
     */
    @Test
    void aBackendThatAnswers413AndClosesWithoutReadingIsHeard() throws Exception {
        double early = HttpProxyIT.metricValue(proxy.metrics(), "cp_proxy_http_early_responses_total");
        for (String expect : ROUNDS) {
            StreamGauges before = StreamGauges.read(proxy, tunnel, connector);
            Curl.Result result = post("/early/413", expect);
            assertEquals(0, result.exitCode(), "Expect " + expect + ": " + result.stderr());
            assertEquals(413, result.status(), "Expect " + expect + ": " + result.stderr() + result.text());
            assertEquals("too large (expect=" + sent(expect) + ")\n", result.text(), "Expect " + expect);
            StreamGauges.awaitBack("Expect " + expect, before, proxy, tunnel, connector);
        }
        // Every answer came before its 5 MB body was complete, and the proxy counted it as early.
        assertEquals(
                early + ROUNDS.size(), HttpProxyIT.metricValue(proxy.metrics(), "cp_proxy_http_early_responses_total"));
    }

    /**
     * A client that sends its whole body although the answer came first: curl is not one (it
     * stops sending once it has a complete response with Connection: close, as the proxy's early
     * answers say), so the bytes are written by hand, from a second thread, while the answer is read.
     */
    @Test
    void aBackendThatAnswersEarlyAndKeepsReadingReceivesTheWholeBody() throws Exception {
        readToTheEnd.clear();
        StreamGauges before = StreamGauges.read(proxy, tunnel, connector);
        try (RawHttp raw = new RawHttp(proxy.port())) {
            raw.socket.setSoTimeout(20_000);
            raw.send("POST http://uploads:8080/early/reading HTTP/1.1\r\nHost: uploads:8080\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + SIZE + "\r\n\r\n");
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    Files.copy(upload, raw.socket.getOutputStream());
                    raw.socket.getOutputStream().flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String answer = raw.readResponse();
            assertEquals(200, RawHttp.status(answer), answer);
            assertTrue(answer.endsWith("\r\n\r\nanswered early, still reading\n"), answer);
            sent.get(20, TimeUnit.SECONDS);
            assertEquals(
                    Payload.sha256(SIZE) + " " + SIZE,
                    readToTheEnd.poll(20, TimeUnit.SECONDS),
                    "what the backend read after its answer (" + backendRead.get() + " bytes so far)");
        }
        StreamGauges.awaitBack(before, proxy, tunnel, connector);
    }

    private static Curl.Result post(String path, String expect) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "-x",
                "http://127.0.0.1:" + proxy.port(),
                "--data-binary",
                "@" + upload,
                "-H",
                "Content-Type: application/octet-stream",
                "--max-time",
                "20"));
        args.addAll(EXPECT.get(expect));
        args.add("http://uploads:8080" + path);
        return Curl.run(work, args.toArray(String[]::new));
    }

    /** The Expect value the backend sees: curl sends 100-continue by default for a body this large. */
    private static String sent(String expect) {
        return expect.equals("none") ? "none" : "100-continue";
    }

    /**
     * {@code /early/200} and {@code /early/413} answer at once, read nothing and close;
     * {@code /early/reading} answers at once and then reads the body to its end, recording its
     * SHA-256 and length. Each answer names the Expect field the request came with.
     */
    private static void handle(HttpServerRequest request) {
        String expect = request.getHeader("Expect") == null ? "none" : request.getHeader("Expect");
        switch (request.path()) {
            case "/early/200", "/early/413" -> {
                // Paused: not a byte of the body is read; the unread input is there when it closes.
                request.pause();
                boolean ok = request.path().equals("/early/200");
                request.response()
                        .setStatusCode(ok ? 200 : 413)
                        .putHeader("Content-Type", "text/plain")
                        .putHeader("Connection", "close")
                        .end((ok ? "accepted before the body" : "too large") + " (expect=" + expect + ")\n")
                        .onComplete(v -> request.connection().close());
            }
            case "/early/reading" -> {
                MessageDigest digest = Payload.digest();
                long[] length = new long[1];
                backendRead.set(0);
                request.handler(data -> {
                    digest.update(data.getBytes());
                    length[0] += data.length();
                    backendRead.addAndGet(data.length());
                });
                request.endHandler(v -> readToTheEnd.add(HexFormat.of().formatHex(digest.digest()) + " " + length[0]));
                request.response().putHeader("Content-Type", "text/plain").end("answered early, still reading\n");
            }
            default -> request.response().setStatusCode(404).end();
        }
    }
}
