package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static io.connectivityproxy.e2e.RawClient.Send.AFTER_CONTINUE;
import static io.connectivityproxy.e2e.RawClient.Send.BODY_BEFORE_READING;
import static io.connectivityproxy.e2e.RawClient.Send.WITH_HEAD;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.connectivityproxy.e2e.RawClient.Response;
import io.connectivityproxy.e2e.RawClient.Result;
import io.connectivityproxy.e2e.ScriptedBackend.After;
import io.connectivityproxy.e2e.ScriptedBackend.Request;

/**
 * HTTP/1.1 semantics of the HTTP proxy (RFC 9110, RFC 9112), tested differentially (issue 9):
 * each case sends the same raw request bytes once through Debian's squid and once through
 * proxy-service, to one scripted backend, and records what the client and the backend received.
 * Our proxy is held to the expected behaviour; squid's result is logged with it, and asserted
 * too where a case says we behave like squid. After every case the open-stream gauges of
 * proxy-service, tunnel-service and the connector must be back where they were.
 */
class HttpSemanticsIT {

    /** The virtual host the connector maps to the scripted backend. */
    private static final String VIRTUAL = "diff:8080";

    private static final Duration EARLY_RESPONSE_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STREAMS_SETTLE = Duration.ofSeconds(15);
    private static final int UPLOAD = 5 * 1024 * 1024;
    /** What our Via entries are: received-protocol and pseudonym (RFC 9110 section 7.6.3). */
    private static final String PSEUDONYM = "1.1 connectivity-proxy";
    /** How long the backend's scripts may still run after the client is done (reading an upload). */
    private static final Duration SCRIPTS_FINISH = Duration.ofSeconds(5);

    static ScriptedBackend backend;
    static Squid squid;

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("http-semantics");

    static LocalSystem system;
    static LocalSystem.Node tunnel;
    static LocalSystem.Node proxy;
    static LocalSystem.Node connector;

    @BeforeAll
    static void start() throws Exception {
        if (Squid.executable().isEmpty()) {
            throw new AssertionError("squid is not installed; HttpSemanticsIT compares against it: apt-get install"
                    + " squid (.ci/run does)");
        }
        backend = new ScriptedBackend();
        system = e2e.system();
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        // An idle timeout far beyond the client's read timeout, so a stuck exchange is never rescued by it.
        var proxyStart = system.inBackground(() -> system.proxy("proxy", Map.of("proxy.http.idle-timeout", "120s")));
        squid = Squid.start("http-semantics-squid", system.dir.resolve("squid"));
        tunnel = tunnelStart.join();
        proxy = proxyStart.join();
        connector = system.connector(
                "connector",
                system.connectorYaml(tunnel.port(), "", 1, mapping("diff", 8080, backend.port(), "HTTP")),
                true);
        system.awaitRegistered(proxy, "", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (squid != null) {
            squid.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void behavesAsRfc9110And9112Say(Case c) {
        Observation reference = run(c, squid.port, "127.0.0.1:" + backend.port(), Squid.PSEUDONYM);
        double[] before = openStreams();
        Observation ours = run(c, proxy.port(), VIRTUAL, PSEUDONYM);
        List<String> failures = c.verify(ours);
        String leak = awaitStreamsBackTo(before);
        if (leak != null) {
            failures.add(leak);
        }
        List<String> squidFailures = c.matchesSquid ? c.verify(reference) : List.of();
        String report = report(c, reference, ours, failures, squidFailures);
        // One line per case for a table of both proxies; the whole record is logged or fails the case.
        System.out.printf(
                "SUMMARY %s | squid: %s | ours: %s | %s%n",
                c.name,
                brief(reference),
                brief(ours),
                failures.isEmpty() ? "PASS" : "FAIL " + failures.get(0).replace('\n', ' '));
        if (!failures.isEmpty() || !squidFailures.isEmpty()) {
            throw new AssertionError(report);
        }
        System.out.println(report);
    }

    private static Observation run(Case c, int port, String authority, String pseudonym) {
        backend.begin(request -> request.target().endsWith("/second")
                ? answer(request, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond")
                : c.script.serve(request));
        byte[] followUp = c.followUp ? bytes(get("/second").replace("{a}", authority)) : null;
        RawClient.Plan plan = new RawClient.Plan(
                bytes(c.request.replace("{a}", authority)),
                c.body,
                c.send,
                c.finals,
                followUp,
                c.probeClose,
                c.timeout);
        Result result = RawClient.exchange(port, plan);
        return new Observation(result, backend.received(SCRIPTS_FINISH), pseudonym);
    }

    /** proxy-service's, tunnel-service's and the connector's open-stream gauges; -1 where unreadable. */
    private static double[] openStreams() {
        return new double[] {
            gauge(proxy, "cp_proxy_streams_open"),
            gauge(tunnel, "cp_tunnel_streams_open"),
            gauge(connector, "cp_connector_streams_open")
        };
    }

    private static double gauge(LocalSystem.Node node, String name) {
        try {
            return HttpProxyIT.metricValue(node.metrics(), name);
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    /** Null once every gauge is back to its value before the case, else what is still open. */
    private static String awaitStreamsBackTo(double[] before) {
        try {
            proxy.process()
                    .await(
                            "every stream of the case is closed",
                            STREAMS_SETTLE,
                            () -> Arrays.equals(openStreams(), before));
            return null;
        } catch (AssertionError e) {
            if (!proxy.process().alive()) {
                throw e;
            }
            return "streams still open " + STREAMS_SETTLE.toSeconds() + " s after the case (proxy, tunnel, connector):"
                    + " before " + Arrays.toString(before) + ", now " + Arrays.toString(openStreams());
        }
    }

    // ---- The cases ------------------------------------------------------------------------

    /** Every case, or with {@code -Dhttp-semantics.case=text} those whose name contains the text. */
    static Stream<Case> cases() {
        String only = System.getProperty("http-semantics.case", "");
        return Stream.of(
                        earlyResponses(),
                        expectContinue(),
                        interimResponses(),
                        fieldCountsAndLimits(),
                        transferCodings(),
                        hopByHopAndVia(),
                        targetAndBodilessResponses(),
                        connectionHandling(),
                        requestSmuggling(),
                        responseSmuggling())
                .flatMap(s -> s)
                .filter(c -> c.name.contains(only));
    }

    /** 1. A backend that answers before it has read the upload (RFC 9112 section 9.3, RFC 9110 section 15.5.14). */
    static Stream<Case> earlyResponses() {
        String upload = "POST http://{a}/upload HTTP/1.1\r\nHost: {a}\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + UPLOAD + "\r\n";
        return Stream.of(
                // Squid answers the same, closes, but labels the answer Connection: keep-alive;
                // RFC 9112 section 9.6 asks a server that is going to close to say close.
                new Case("early 413, backend closes; client writes 5 MB first")
                        .send(upload + "\r\n", payload(UPLOAD), BODY_BEFORE_READING)
                        .timeout(EARLY_RESPONSE_TIMEOUT)
                        .probeClose()
                        .backend(r -> early(r, "413 Content Too Large"))
                        .expect(HttpSemanticsIT::earlyAnswerThenClose),
                // Squid answers the same, closes, but labels the answer Connection: keep-alive;
                // RFC 9112 section 9.6 asks a server that is going to close to say close.
                new Case("early 200, backend closes; client writes 5 MB first")
                        .send(upload + "\r\n", payload(UPLOAD), BODY_BEFORE_READING)
                        .timeout(EARLY_RESPONSE_TIMEOUT)
                        .probeClose()
                        .backend(r -> early(r, "200 OK"))
                        .expect(HttpSemanticsIT::earlyAnswerThenClose),
                // Squid answers the same, closes, but labels the answer Connection: keep-alive;
                // RFC 9112 section 9.6 asks a server that is going to close to say close.
                new Case("early 413 to Expect: 100-continue; client waits for 100")
                        .send(upload + "Expect: 100-continue\r\n\r\n", payload(UPLOAD), AFTER_CONTINUE)
                        .timeout(EARLY_RESPONSE_TIMEOUT)
                        .probeClose()
                        .backend(r -> early(r, "413 Content Too Large"))
                        .expect((o, v) -> {
                            earlyAnswerThenClose(o, v);
                            v.that(o.client.interims().isEmpty(), "no 100 (Continue) before the 413");
                            v.that(
                                    o.client.bodySent().equals("never"),
                                    "the client never had reason to send the" + " body (it was sent "
                                            + o.client.bodySent() + ")");
                        }),
                // Squid stops relaying the upload once the response is complete and resets the
                // client's connection; RFC 9112 section 9.3 lets the exchange finish, so we relay
                // the rest to a backend that reads it.
                new Case("early 200, backend then reads the whole 5 MB")
                        .send(upload + "\r\n", payload(UPLOAD), BODY_BEFORE_READING)
                        .timeout(EARLY_RESPONSE_TIMEOUT)
                        .backend(r -> {
                            r.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                            r.readBytes(UPLOAD);
                            return After.KEEP_ALIVE;
                        })
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(o.client.answer().text().equals("ok"), "the client gets the body 'ok'");
                            v.that(
                                    o.backend.size() == 1
                                            && Arrays.equals(o.backend.get(0).body(), payload(UPLOAD)),
                                    "the backend gets all " + UPLOAD + " bytes of the upload, got "
                                            + o.backend.stream()
                                                    .map(r -> r.body().length)
                                                    .toList());
                        }));
    }

    static After early(Request request, String status) throws IOException {
        return answerAndClose(
                request,
                "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                        + "Connection: close\r\n\r\nearly");
    }

    static void earlyAnswerThenClose(Observation o, Verdict v) {
        Response answer = o.client.answer();
        v.that(
                answer.status() != 100 && answer.text().equals("early"),
                "the client gets the backend's early answer with its body 'early'");
        v.that(answer.tokens("Connection").contains("close"), "the answer carries Connection: close");
        v.that(Boolean.TRUE.equals(o.client.closed()), "the connection is closed after the answer");
    }

    /** 2. Expect: 100-continue (RFC 9110 sections 10.1.1 and 15.2.1). */
    static Stream<Case> expectContinue() {
        String post = "POST http://{a}/continue HTTP/1.1\r\nHost: {a}\r\nContent-Length: 1000\r\n"
                + "Expect: 100-continue\r\n\r\n";
        return Stream.of(
                new Case("Expect: backend sends 100, then reads the body")
                        .send(post, payload(1000), AFTER_CONTINUE)
                        .backend(r -> {
                            r.write("HTTP/1.1 100 Continue\r\nX-Continue: backend\r\n\r\n");
                            r.readBytes(1000);
                            r.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                            return After.KEEP_ALIVE;
                        })
                        .expect((o, v) -> {
                            v.that(
                                    o.client.interims().size() == 1
                                            && o.client.interims().get(0).status() == 100
                                            && o.client
                                                    .interims()
                                                    .get(0)
                                                    .field("X-Continue")
                                                    .isPresent(),
                                    "the backend's own 100 (with its X-Continue field) reaches the client");
                            headBeforeBody(o, v);
                            v.status(o, 200);
                        })
                        .matchesSquid(),
                new Case("Expect: backend sends no 100, waits for the body")
                        .send(post, payload(1000), AFTER_CONTINUE)
                        .backend(r -> {
                            r.readBytes(1000);
                            r.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                            return After.KEEP_ALIVE;
                        })
                        // Squid forwards the Expect and waits with the client; the connector
                        // answers 100 itself after about a second, so clients need not time out.
                        .expect((o, v) -> {
                            v.that(
                                    o.client.bodySent().equals("after 100"),
                                    "the client gets a 100 (Continue)"
                                            + " within " + RawClient.CONTINUE_WAIT.toSeconds() + " s (body sent "
                                            + o.client.bodySent() + ")");
                            headBeforeBody(o, v);
                            v.status(o, 200);
                        }));
    }

    static void headBeforeBody(Observation o, Verdict v) {
        v.that(o.backend.size() == 1, "one request reaches the backend, got " + o.backend.size());
        if (o.backend.size() == 1) {
            Request request = o.backend.get(0);
            v.that(
                    o.client.bodySentAt() == 0 || request.headAt < o.client.bodySentAt(),
                    "the head reaches the backend before the client sends any body byte");
            v.that(
                    Arrays.equals(request.body(), payload(1000)),
                    "the backend gets the 1000 body bytes, got " + request.body().length);
        }
    }

    /** 3. Interim responses (RFC 9110 section 15.2): forwarded to HTTP/1.1 clients, never to HTTP/1.0 ones. */
    static Stream<Case> interimResponses() {
        return Stream.of(
                new Case("102 Processing, then 200")
                        .send(get("/102"))
                        .backend(r -> answer(
                                r,
                                "HTTP/1.1 102 Processing\r\n\r\n",
                                "HTTP/1.1 200 OK\r\n" + "Content-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.that(statuses(o).equals(List.of(102, 200)), "the client gets 102, then 200");
                            v.that(o.client.answer().text().equals("ok"), "body 'ok'");
                        })
                        .matchesSquid(),
                new Case("103 Early Hints with Link, then 200")
                        .send(get("/103"))
                        .backend(r -> answer(
                                r,
                                "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload;" + " as=style\r\n\r\n",
                                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.that(statuses(o).equals(List.of(103, 200)), "the client gets 103, then 200");
                            v.that(
                                    !o.client.interims().isEmpty()
                                            && o.client
                                                    .interims()
                                                    .get(0)
                                                    .field("Link")
                                                    .orElse("")
                                                    .contains("</style.css>"),
                                    "the 103 keeps its Link field");
                        })
                        .matchesSquid(),
                new Case("unsolicited 100 before 200, no Expect")
                        .send(get("/unsolicited-100"))
                        .backend(r -> answer(
                                r,
                                "HTTP/1.1 100 Continue\r\n\r\n",
                                "HTTP/1.1 200 OK\r\n" + "Content-Length: 2\r\n\r\nok"))
                        .expect((o, v) ->
                                v.that(statuses(o).equals(List.of(100, 200)), "the client gets the 100, then 200"))
                        .matchesSquid(),
                new Case("102 and 103 to an HTTP/1.0 client")
                        .send("GET http://{a}/interim-http10 HTTP/1.0\r\nHost: {a}\r\n\r\n")
                        .backend(r -> answer(
                                r,
                                "HTTP/1.1 102 Processing\r\n\r\n",
                                "HTTP/1.1 103 Early Hints\r\n" + "Link: </a.css>; rel=preload\r\n\r\n",
                                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + "\r\nok"))
                        .expect((o, v) -> {
                            v.that(statuses(o).equals(List.of(200)), "only the final 200 reaches an HTTP/1.0 client");
                            v.that(o.client.answer().text().equals("ok"), "body 'ok'");
                        })
                        .matchesSquid());
    }

    /** 4. Many fields each way; the head limits (RFC 9110 section 15.5.20 via RFC 6585 431, 15.6.3 502). */
    static Stream<Case> fieldCountsAndLimits() {
        String requestFields = IntStream.rangeClosed(1, 300)
                .mapToObj(i -> "X-F" + i + ": v" + i + "\r\n")
                .collect(Collectors.joining());
        String responseFields = IntStream.rangeClosed(1, 300)
                .mapToObj(i -> "X-R" + i + ": v" + i + "\r\n")
                .collect(Collectors.joining());
        String hugeResponseHead = IntStream.rangeClosed(1, 70)
                .mapToObj(i -> "X-Big" + i + ": " + "b".repeat(1000) + "\r\n")
                .collect(Collectors.joining());
        return Stream.of(
                new Case("300 request fields")
                        .send("GET http://{a}/fields HTTP/1.1\r\nHost: {a}\r\n" + requestFields + "\r\n")
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            List<Integer> missing = IntStream.rangeClosed(1, 300)
                                    .filter(i -> o.backend.isEmpty()
                                            || !o.backend
                                                    .get(0)
                                                    .fields("X-F" + i)
                                                    .equals(List.of("v" + i)))
                                    .boxed()
                                    .toList();
                            v.that(
                                    missing.isEmpty(),
                                    "all 300 fields reach the backend; " + missing.size()
                                            + " missing or changed, the first: X-F"
                                            + missing.stream().limit(5).toList());
                        })
                        .matchesSquid(),
                new Case("300 response fields")
                        .send(get("/fields"))
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\n" + responseFields + "Content-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            List<Integer> missing = IntStream.rangeClosed(1, 300)
                                    .filter(i ->
                                            !o.client.answer().values("X-R" + i).equals(List.of("v" + i)))
                                    .boxed()
                                    .toList();
                            v.that(
                                    missing.isEmpty(),
                                    "all 300 fields reach the client; " + missing.size()
                                            + " missing or changed, the first: X-R"
                                            + missing.stream().limit(5).toList());
                        })
                        .matchesSquid(),
                new Case("request head over 8192 bytes")
                        .send("GET http://{a}/big HTTP/1.1\r\nHost: {a}\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n")
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 431);
                            v.nothingReachedBackend(o);
                        })
                        .matchesSquid(),
                new Case("response head over 65536 bytes")
                        .send(get("/huge-head"))
                        .backend(r ->
                                answer(r, "HTTP/1.1 200 OK\r\n" + hugeResponseHead + "Content-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 502);
                            v.that(!o.client.answer().text().isBlank(), "the 502 says why in its body");
                            v.that(o.client.answer().field("X-Big1").isEmpty(), "none of the backend's fields");
                        })
                        .matchesSquid());
    }

    /** 5. Transfer codings (RFC 9112 sections 6.1 and 7; RFC 9110 section 15.6.2 501). */
    static Stream<Case> transferCodings() {
        byte[] gzip = gzip("hello, gzip-coded world\n".repeat(20));
        String xchunkedBody = "raw bytes of an unknown coding\r\n0\r\n\r\nstill body";
        return Stream.of(
                new Case("request TE: gzip, chunked")
                        .send(chunkedPost("gzip, chunked"))
                        .backend(HttpSemanticsIT::readAndOk)
                        .expect((o, v) -> {
                            v.status(o, 501);
                            v.nothingReachedBackend(o);
                        })
                        .matchesSquid(),
                new Case("request TE: xchunked")
                        .send(chunkedPost("xchunked"))
                        .backend(HttpSemanticsIT::readAndOk)
                        .expect((o, v) -> {
                            v.status(o, 501);
                            v.nothingReachedBackend(o);
                        })
                        .matchesSquid(),
                // Squid answers 501; RFC 9112 section 6.3 asks for 400 when chunked is not the
                // final coding of a request.
                new Case("request TE: chunked, gzip (chunked not last)")
                        .send(chunkedPost("chunked, gzip"))
                        .backend(HttpSemanticsIT::readAndOk)
                        .expect((o, v) -> {
                            v.status(o, 400);
                            v.nothingReachedBackend(o);
                        }),
                // Squid 5.7 answers 502 to a response coding other than chunked; RFC 9112 section
                // 6.1 lets a proxy pass codings on that it does not know, the client decodes them.
                new Case("response TE: gzip, chunked")
                        .send(get("/gzip-chunked"))
                        .backend(r -> answer(
                                r,
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                                Integer.toHexString(gzip.length) + "\r\n",
                                new String(gzip, StandardCharsets.ISO_8859_1),
                                "\r\n0\r\n\r\n"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            Response answer = o.client.answer();
                            v.that(
                                    answer.tokens("Transfer-Encoding").equals(List.of("gzip", "chunked")),
                                    "the client gets Transfer-Encoding: gzip, chunked");
                            v.that(
                                    answer.incomplete() == null && Arrays.equals(answer.body(), gzip),
                                    "the de-chunked bytes are the backend's gzip bytes, untouched");
                        }),
                // Squid 5.7 answers 502 to a response coding other than chunked; RFC 9112 section
                // 6.1 lets a proxy pass codings on that it does not know, the client decodes them.
                new Case("response TE: xchunked, body until close")
                        .send(get("/xchunked"))
                        .backend(r -> answerAndClose(
                                r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n" + xchunkedBody))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            Response answer = o.client.answer();
                            v.that(
                                    answer.tokens("Transfer-Encoding").equals(List.of("xchunked", "chunked")),
                                    "an HTTP/1.1 client gets Transfer-Encoding: xchunked, chunked");
                            v.that(
                                    answer.incomplete() == null && answer.text().equals(xchunkedBody),
                                    "the de-chunked bytes are the raw bytes the backend sent until it closed");
                        }));
    }

    /** 6. Connection-specific fields, Via, Max-Forwards (RFC 9110 sections 7.6.1, 7.6.2, 7.6.3). */
    static Stream<Case> hopByHopAndVia() {
        return Stream.of(
                new Case("hop-by-hop request fields and an existing Via")
                        .send("GET http://{a}/hop HTTP/1.1\r\nHost: {a}\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n"
                                + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
                                + "Upgrade: websocket\r\nVia: 1.0 client-side\r\nX-End: kept\r\n\r\n")
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(o.backend.size() == 1, "the request reaches the backend");
                            if (o.backend.size() == 1) {
                                Request request = o.backend.get(0);
                                for (String name :
                                        List.of("X-Hop", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade")) {
                                    v.that(request.fields(name).isEmpty(), name + " is removed");
                                }
                                v.that(
                                        !request.field("Connection")
                                                .orElse("")
                                                .toLowerCase()
                                                .contains("x-hop"),
                                        "Connection does not name X-Hop any more");
                                v.that(request.fields("X-End").equals(List.of("kept")), "X-End is kept");
                                v.that(
                                        request.field("Via").orElse("").equals("1.0 client-side, " + o.pseudonym),
                                        "Via is '1.0 client-side, " + o.pseudonym + "'");
                            }
                        })
                        .matchesSquid(),
                new Case("hop-by-hop response fields and an existing Via")
                        .send(get("/hop-response"))
                        .backend(r -> answer(
                                r,
                                "HTTP/1.1 200 OK\r\nConnection: X-Hop-Resp\r\nX-Hop-Resp: 1\r\n"
                                        + "Keep-Alive: timeout=5, max=100\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\n"
                                        + "Via: 1.0 origin-side\r\nX-End: kept\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            Response answer = o.client.answer();
                            for (String name : List.of("X-Hop-Resp", "Keep-Alive", "Proxy-Connection", "Upgrade")) {
                                v.that(answer.values(name).isEmpty(), name + " is removed");
                            }
                            v.that(
                                    !answer.tokens("Connection").contains("x-hop-resp"),
                                    "Connection does not name X-Hop-Resp any more");
                            v.that(answer.values("X-End").equals(List.of("kept")), "X-End is kept");
                            v.that(
                                    answer.field("Via").orElse("").equals("1.0 origin-side, " + o.pseudonym),
                                    "Via is '1.0 origin-side, " + o.pseudonym + "'");
                        })
                        .matchesSquid(),
                new Case("Via added both ways")
                        .send(get("/via"))
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(
                                    !o.backend.isEmpty()
                                            && o.backend
                                                    .get(0)
                                                    .field("Via")
                                                    .orElse("")
                                                    .endsWith(o.pseudonym),
                                    "the backend sees a Via ending in '" + o.pseudonym + "'");
                            v.that(
                                    o.client.answer().field("Via").orElse("").endsWith(o.pseudonym),
                                    "the client sees a Via ending in '" + o.pseudonym + "'");
                        })
                        .matchesSquid(),
                // Squid answers 501 (it does not answer OPTIONS itself); RFC 9110 section 7.6.2
                // makes the proxy the final recipient, and a final recipient answers 200.
                new Case("OPTIONS with Max-Forwards: 0")
                        .send("OPTIONS http://{a}/ HTTP/1.1\r\nHost: {a}\r\nMax-Forwards: 0\r\n\r\n")
                        .backend(r -> answer(r, "HTTP/1.1 204 No Content\r\nAllow: GET\r\n\r\n"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.nothingReachedBackend(o);
                        }),
                new Case("TRACE with Max-Forwards: 0")
                        .send("TRACE http://{a}/trace HTTP/1.1\r\nHost: {a}\r\nMax-Forwards: 0\r\n"
                                + "X-Traced: yes\r\n\r\n")
                        .backend(r -> answer(
                                r, "HTTP/1.1 200 OK\r\nContent-Type: message/http\r\nContent-Length: 2" + "\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.nothingReachedBackend(o);
                            Response answer = o.client.answer();
                            v.that(
                                    answer.field("Content-Type").orElse("").startsWith("message/http"),
                                    "Content-Type: message/http");
                            v.that(
                                    answer.text().startsWith("TRACE ")
                                            && answer.text().contains("X-Traced: yes"),
                                    "the body is the request as received");
                        })
                        .matchesSquid(),
                // Only OPTIONS and TRACE: on other methods a proxy may ignore Max-Forwards (squid does).
                new Case("OPTIONS with Max-Forwards: 5 is decremented")
                        .send("OPTIONS http://{a}/max-forwards HTTP/1.1\r\nHost: {a}\r\nMax-Forwards: 5\r\n\r\n")
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(
                                    !o.backend.isEmpty()
                                            && o.backend
                                                    .get(0)
                                                    .fields("Max-Forwards")
                                                    .equals(List.of("4")),
                                    "the backend sees Max-Forwards: 4");
                        })
                        .matchesSquid());
    }

    /** 7 and 8. The request target's bytes; responses without a body (RFC 9110 sections 6.4.1, 8.6, 9.3.2). */
    static Stream<Case> targetAndBodilessResponses() {
        return Stream.of(
                new Case("raw UTF-8 bytes in the target")
                        .send("GET http://{a}/caf\u00c3\u00a9 HTTP/1.1\r\nHost: {a}\r\n\r\n")
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(
                                    !o.backend.isEmpty()
                                            && o.backend.get(0).target().equals("/caf\u00c3\u00a9"),
                                    "the backend gets the target /caf\\xc3\\xa9 byte for byte");
                        })
                        .matchesSquid(),
                new Case("304 without Content-Length")
                        .send("GET http://{a}/304 HTTP/1.1\r\nHost: {a}\r\nIf-None-Match: \"x\"\r\n\r\n")
                        .followUp()
                        .backend(r -> answer(r, "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"))
                        .expect((o, v) -> {
                            v.status(o, 304);
                            v.that(o.client.answer().field("Content-Length").isEmpty(), "no Content-Length added");
                            v.followUpServed(o);
                        })
                        .matchesSquid(),
                new Case("304 with Content-Length: 10")
                        .send("GET http://{a}/304 HTTP/1.1\r\nHost: {a}\r\nIf-None-Match: \"x\"\r\n\r\n")
                        .followUp()
                        .backend(r -> answer(
                                r, "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n" + "Content-Length: 10\r\n\r\n"))
                        .expect((o, v) -> {
                            v.status(o, 304);
                            v.that(
                                    o.client.answer().values("Content-Length").equals(List.of("10")),
                                    "Content-Length: 10 is kept");
                            v.followUpServed(o);
                        })
                        .matchesSquid(),
                new Case("HEAD with Content-Length: 1000")
                        .send("HEAD http://{a}/head HTTP/1.1\r\nHost: {a}\r\n\r\n")
                        .followUp()
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(
                                    o.client.answer().values("Content-Length").equals(List.of("1000")),
                                    "Content-Length: 1000 is kept");
                            v.followUpServed(o);
                        })
                        .matchesSquid(),
                new Case("204 without a body")
                        .send(get("/204"))
                        .followUp()
                        .backend(r -> answer(r, "HTTP/1.1 204 No Content\r\n\r\n"))
                        .expect((o, v) -> {
                            v.status(o, 204);
                            v.that(
                                    o.client.answer().field("Content-Length").isEmpty()
                                            && o.client
                                                    .answer()
                                                    .field("Transfer-Encoding")
                                                    .isEmpty(),
                                    "neither Content-Length nor Transfer-Encoding added");
                            v.followUpServed(o);
                        })
                        .matchesSquid());
    }

    /** 9 to 12. Trailers, close-delimited bodies, pipelining, HTTP/1.0 (RFC 9112 sections 6.3, 7.1.2, 9). */
    static Stream<Case> connectionHandling() {
        String closeDelimited = "a body delimited by the backend closing\n";
        return Stream.of(
                // Trailer fields may be dropped (RFC 9110 section 6.5.1); the body must be intact.
                new Case("chunked response with trailers")
                        .send(get("/trailers"))
                        .backend(r -> answer(
                                r,
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum"
                                        + "\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(
                                    o.client.answer().incomplete() == null
                                            && o.client.answer().text().equals("hello world"),
                                    "the body is 'hello world'");
                        })
                        .matchesSquid(),
                new Case("close-delimited response to HTTP/1.1")
                        .send(get("/close-delimited"))
                        .followUp()
                        .backend(r -> answerAndClose(
                                r, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + closeDelimited))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(o.client.answer().framing().equals("chunked"), "the client gets it chunked");
                            v.that(o.client.answer().text().equals(closeDelimited), "the body is intact");
                            v.followUpServed(o);
                        })
                        .matchesSquid(),
                new Case("close-delimited response to HTTP/1.0")
                        .send("GET http://{a}/close-delimited HTTP/1.0\r\nHost: {a}\r\n\r\n")
                        .backend(r -> answerAndClose(
                                r, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + closeDelimited))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(o.client.answer().framing().equals("close"), "the client gets it close-delimited");
                            v.that(o.client.answer().text().equals(closeDelimited), "the body is intact");
                            v.that(Boolean.TRUE.equals(o.client.closed()), "the connection is closed after it");
                        })
                        .matchesSquid(),
                new Case("two pipelined requests")
                        .send(get("/p1") + get("/p2"))
                        .finals(2)
                        .backend(r -> answer(
                                r,
                                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
                                        + r.target().substring(r.target().lastIndexOf('/') + 1)))
                        .expect((o, v) -> v.that(
                                o.client.finals().stream()
                                        .map(Response::text)
                                        .toList()
                                        .equals(List.of("p1", "p2")),
                                "two responses in order: p1, p2"))
                        .matchesSquid(),
                new Case("HTTP/1.0 client")
                        .send("GET http://{a}/http10 HTTP/1.0\r\nHost: {a}\r\n\r\n")
                        .probeClose()
                        .backend(r -> answer(r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(o.client.answer().text().equals("ok"), "body 'ok'");
                            v.that(o.client.answer().tokens("Connection").contains("close"), "Connection: close");
                            v.that(Boolean.TRUE.equals(o.client.closed()), "the connection is closed after it");
                        })
                        .matchesSquid());
    }

    /**
     * 13. Request heads that frame a body ambiguously (RFC 9112 sections 2.2, 5, 5.2, 6.1, 6.3;
     * RFC 9110 section 5.5). Squid is laxer with several: it decodes Content-Length with chunked
     * by the chunked coding (what follows the last chunk becomes a request of its own), unfolds
     * obs-fold in ordinary fields, turns a bare CR into SP, and answers 411 or 501 rather than
     * 400 to bad Content-Length values and a folded Transfer-Encoding. The RFCs let a server
     * reject each with 400, and we do: one rule, nothing guessed, nothing reaches the backend.
     */
    static Stream<Case> requestSmuggling() {
        String post = "POST http://{a}/smuggle HTTP/1.1\r\nHost: {a}\r\n";
        String body = "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        return Stream.of(
                smuggle(
                        "Content-Length with Transfer-Encoding: chunked",
                        post + "Content-Length: " + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body),
                smuggle(
                        "two Content-Length fields, 5 and 6",
                        post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                smuggle("Content-Length: 5, 6", post + "Content-Length: 5, 6\r\n\r\nhello!"),
                smuggle(
                        "obs-fold in Transfer-Encoding",
                        post + "Transfer-Encoding: identity\r\n chunked\r\nContent-Length: 3\r\n\r\n" + body),
                smuggle("obs-fold in an ordinary field", post + "X-Folded: a\r\n\tb\r\nContent-Length: 2\r\n\r\nhi"),
                smuggle("bare CR in the head", post + "X-A: a\rb\r\nContent-Length: 2\r\n\r\nhi"),
                smuggle("NUL in a field value", post + "X-A: a\u0000b\r\nContent-Length: 2\r\n\r\nhi"),
                smuggle(
                        "whitespace before the colon",
                        post + "Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\n" + body),
                smuggle("Content-Length: -1", post + "Content-Length: -1\r\n\r\nhi"),
                smuggle("Content-Length: 1a", post + "Content-Length: 1a\r\n\r\nhi"),
                // RFC 9112 section 2.2 lets a recipient take a bare LF as a line end. That is safe
                // here because the head is written anew with CRLF: the backend cannot read the
                // lines differently, so the request is forwarded rather than refused.
                new Case("request: bare LF line ends")
                        .send("POST http://{a}/lf HTTP/1.1\nHost: {a}\nContent-Length: 2\nX-A: a\n\nhi")
                        .backend(HttpSemanticsIT::readAndOk)
                        .expect((o, v) -> {
                            v.status(o, 200);
                            v.that(o.backend.size() == 1, "the request reaches the backend");
                            if (o.backend.size() == 1) {
                                String head = o.backend.get(0).head;
                                v.that(
                                        head.replace("\r\n", "").indexOf('\n') < 0,
                                        "the backend's head has CRLF line ends only");
                                v.that(o.backend.get(0).field("X-A").orElse("").equals("a"), "X-A arrives");
                                v.that(
                                        new String(o.backend.get(0).body(), StandardCharsets.ISO_8859_1).equals("hi"),
                                        "the body 'hi' arrives");
                            }
                        }));
    }

    static Case smuggle(String name, String request) {
        return new Case("request: " + name)
                .send(request)
                .backend(HttpSemanticsIT::readAndOk)
                .expect((o, v) -> {
                    v.status(o, 400);
                    v.nothingReachedBackend(o);
                });
    }

    /** 13. Backend responses that frame their body ambiguously or wrongly: never delivered as if complete. */
    static Stream<Case> responseSmuggling() {
        return Stream.of(
                // Squid decodes it by the chunked coding and answers 200; RFC 9112 section 6.3
                // says such a message ought to be handled as an error, so we answer 502.
                badResponse(
                        "response: Content-Length with Transfer-Encoding: chunked",
                        true,
                        false,
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "5\r\nhello\r\n0\r\n\r\n"),
                badResponse(
                        "response: two Content-Length fields",
                        true,
                        true,
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"),
                badResponse(
                        "response: invalid first chunk size",
                        false,
                        true,
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                badResponse(
                        "response: invalid chunk size after a good chunk",
                        false,
                        true,
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n"));
    }

    /**
     * {@code headError}: the error is in the head, so the client must get a 502; otherwise the
     * head may be out already, and the client must get a 502 or a body that is visibly cut short.
     */
    static Case badResponse(String name, boolean headError, boolean squidToo, String response) {
        Case c = new Case(name)
                .send(get("/bad-response"))
                .backend(r -> answerAndClose(r, response))
                .expect((o, v) -> {
                    Response answer = o.client.answer();
                    if (headError) {
                        v.status(o, 502);
                    } else {
                        v.that(
                                answer.status() == 502 || answer.incomplete() != null,
                                "a 502, or a response whose body is visibly incomplete (got status " + answer.status()
                                        + ", " + answer.framing() + ", complete)");
                    }
                });
        return squidToo ? c.matchesSquid() : c;
    }

    // ---- Backend scripts ------------------------------------------------------------------

    /** Reads the request's body as its head declares, then writes {@code parts} one send each. */
    static After answer(Request request, String... parts) throws IOException {
        request.readBody();
        for (String part : parts) {
            request.write(part);
        }
        return After.KEEP_ALIVE;
    }

    /** Writes the response without reading any body, then closes the connection (lingering). */
    static After answerAndClose(Request request, String response) throws IOException {
        request.write(response);
        return After.CLOSE;
    }

    static After readAndOk(Request request) throws IOException {
        return answer(request, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }

    // ---- Requests -------------------------------------------------------------------------

    static String get(String path) {
        return "GET http://{a}" + path + " HTTP/1.1\r\nHost: {a}\r\n\r\n";
    }

    static String chunkedPost(String codings) {
        return "POST http://{a}/coded HTTP/1.1\r\nHost: {a}\r\nTransfer-Encoding: " + codings + "\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n";
    }

    static byte[] payload(int length) {
        byte[] bytes = new byte[length];
        Payload.fill(bytes, 0);
        return bytes;
    }

    static byte[] gzip(String text) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                gzip.write(text.getBytes(StandardCharsets.UTF_8));
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static List<Integer> statuses(Observation o) {
        return o.client.responses().stream().map(Response::status).toList();
    }

    // ---- Reporting ------------------------------------------------------------------------

    private static String report(
            Case c, Observation reference, Observation ours, List<String> failures, List<String> squidFailures) {
        StringBuilder text = new StringBuilder("==== ").append(c.name).append('\n');
        text.append("  sent (")
                .append(c.send)
                .append(c.body.length > 0 ? ", body " + c.body.length + " bytes" : "")
                .append("):\n    ")
                .append(RawClient.printable(c.request.replace("{a}", VIRTUAL), 1200)
                        .replace("\n", "\n    "))
                .append('\n');
        if (!failures.isEmpty()) {
            text.append("  OURS FAILS:\n");
            failures.forEach(f -> text.append("    - ").append(f).append('\n'));
        }
        text.append("  ours, client received:\n")
                .append(RawClient.describe(ours.client))
                .append('\n');
        text.append("  ours, backend received:\n").append(describe(ours.backend));
        text.append("  squid, client received")
                .append(c.matchesSquid ? " (we claim to match)" : "")
                .append(":\n")
                .append(RawClient.describe(reference.client))
                .append('\n');
        text.append("  squid, backend received:\n").append(describe(reference.backend));
        if (!squidFailures.isEmpty()) {
            text.append("  SQUID DOES NOT DO WHAT WE CLAIM TO SHARE WITH IT:\n");
            squidFailures.forEach(f -> text.append("    - ").append(f).append('\n'));
        }
        return text.toString();
    }

    private static String describe(List<Request> requests) {
        if (requests.isEmpty()) {
            return "    (nothing)\n";
        }
        StringBuilder text = new StringBuilder();
        for (Request request : requests) {
            text.append("    ")
                    .append(RawClient.printable(request.head, 1500).strip().replace("\n", "\n    "))
                    .append("\n    [body read: ")
                    .append(request.body().length)
                    .append(" bytes]\n");
        }
        return text.toString();
    }

    private static String brief(Observation o) {
        String statuses = o.client.responses().stream()
                .map(r -> r.status() + (r.incomplete() != null ? "(cut)" : ""))
                .collect(Collectors.joining(","));
        return (statuses.isEmpty() ? "no response" : statuses)
                + (o.client.error() != null ? " [" + o.client.error() + "]" : "")
                + (Boolean.TRUE.equals(o.client.closed()) ? " closed" : "")
                + ", backend got " + o.backend.size();
    }

    // ---- Case model -----------------------------------------------------------------------

    /** What the client and the backend received in one run of a case. */
    record Observation(Result client, List<Request> backend, String pseudonym) {}

    @FunctionalInterface
    interface Check {
        void check(Observation observation, Verdict verdict);
    }

    /** Collects every unmet expectation of a case, so one failure message lists them all. */
    static final class Verdict {

        final List<String> failures = new ArrayList<>();

        void that(boolean met, String expectation) {
            if (!met) {
                failures.add(expectation);
            }
        }

        void status(Observation o, int status) {
            List<Response> finals = o.client.finals();
            that(
                    !finals.isEmpty() && finals.get(0).status() == status,
                    "status " + status + ", got "
                            + (finals.isEmpty()
                                    ? "no response (" + o.client.error() + ")"
                                    : finals.get(0).status()));
        }

        void nothingReachedBackend(Observation o) {
            that(
                    o.backend.isEmpty(),
                    "nothing reaches the backend, but it got " + o.backend.size() + " request(s): "
                            + o.backend.stream().map(Request::requestLine).toList());
        }

        void followUpServed(Observation o) {
            List<Response> finals = o.client.finals();
            that(
                    finals.size() == 2 && finals.get(1).text().equals("second"),
                    "a second request on the same"
                            + " connection gets its own answer 'second' ("
                            + (finals.size() < 2
                                    ? o.client.error()
                                    : "got " + finals.get(1).status() + " '"
                                            + finals.get(1).text() + "'")
                            + ")");
        }
    }

    /** One differential case: the request, how the backend answers, what our proxy must do. */
    static final class Case {

        final String name;
        String request;
        byte[] body = new byte[0];
        RawClient.Send send = WITH_HEAD;
        int finals = 1;
        boolean followUp;
        boolean probeClose;
        boolean matchesSquid;
        Duration timeout = TIMEOUT;
        ScriptedBackend.Script script;
        Check check;

        Case(String name) {
            this.name = name;
        }

        /** The raw request; {@code {a}} stands for the authority (squid: the backend's, ours: the virtual one). */
        Case send(String template) {
            this.request = template;
            return this;
        }

        Case send(String head, byte[] body, RawClient.Send send) {
            this.request = head;
            this.body = body;
            this.send = send;
            return this;
        }

        Case finals(int count) {
            this.finals = count;
            return this;
        }

        /** After the response(s), a GET /second on the same connection must get its own answer. */
        Case followUp() {
            this.followUp = true;
            return this;
        }

        /** After the response(s), find out whether the proxy closed the connection. */
        Case probeClose() {
            this.probeClose = true;
            return this;
        }

        Case timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        Case backend(ScriptedBackend.Script script) {
            this.script = script;
            return this;
        }

        Case expect(Check check) {
            this.check = check;
            return this;
        }

        /** Squid meets the same expectations; a case without this says in a comment why we differ. */
        Case matchesSquid() {
            this.matchesSquid = true;
            return this;
        }

        List<String> verify(Observation observation) {
            Verdict verdict = new Verdict();
            try {
                check.check(observation, verdict);
            } catch (AssertionError | RuntimeException e) {
                verdict.failures.add(String.valueOf(e.getMessage()));
            }
            return verdict.failures;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
