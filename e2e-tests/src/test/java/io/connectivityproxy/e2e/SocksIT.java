package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.connectivityproxy.cluster.CertificateAuthority;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * SOCKS5 (the proxy's SOCKS5 port, SAP's 20004), RFC and LDAP (SAP's 20001) and HTTP CONNECT
 * (20003) end to end: real tunnel-service, proxy-service and two connectors on loopback, driven
 * by curl, by ldapsearch wrapped in socksify against a real slapd, and by hand-written bytes
 * where the test must control every byte (design.md section 3).
 */
class SocksIT {

    static final String JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzb2Nrcy1pdCJ9.c2lnbmF0dXJl";
    static final int STREAMS = 1000;
    static final int STREAM_BYTES = 64 * 1024;
    static final long BULK_ANSWER_BYTES = 256L * 1024 * 1024;

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("socks");

    static Vertx vertx;
    static LocalSystem system;
    static TestBackend backendA;
    static TestBackend backendSecond;
    static HttpServer secureBackend;
    static NetServer echoBackend;
    static BlockingServer digestBackend;
    static BlockingServer farewellBackend;
    static BlockingServer bulkBackend;
    static final BlockingQueue<String> farewellReceived = new LinkedBlockingQueue<>();
    static LocalSystem.Node tunnel;
    static LocalSystem.Node proxy;
    static int socksPort;
    static int rfcPort;
    static int slapdPort;
    static ManagedProcess slapd;
    static Path work;
    static Path backendCa;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        system = e2e.system();
        work = system.dir.resolve("client");
        backendA = new TestBackend(vertx, "A");
        backendSecond = new TestBackend(vertx, "second");
        secureBackend = startSecureBackend(system.dir.resolve("secure-backend"));
        echoBackend = vertx.createNetServer().connectHandler(socket -> socket.pipeTo(socket));
        echoBackend
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        // Reads until the client's EOF, and only then answers: SHA-256 and length of what it read.
        digestBackend = new BlockingServer("digest", socket -> {
            long[] length = new long[1];
            String sha = Payload.sha256(socket.getInputStream(), length);
            socket.getOutputStream().write((sha + " " + length[0] + "\n").getBytes(StandardCharsets.US_ASCII));
        });
        // Says goodbye and half-closes first, then still reads what the client sends.
        farewellBackend = new BlockingServer("farewell", socket -> {
            socket.getOutputStream().write("farewell\n".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            long[] length = new long[1];
            String sha = Payload.sha256(socket.getInputStream(), length);
            farewellReceived.add(sha + " " + length[0]);
        });
        // Reads the client's request until its EOF, then answers far more than every buffer on the
        // way back holds (socket buffers, stream windows), so a client that reads little keeps
        // proxy-service's writes waiting; it stops when the connection fails.
        bulkBackend = new BlockingServer("bulk", socket -> {
            socket.getInputStream().readAllBytes();
            byte[] block = new byte[Payload.BLOCK];
            for (long offset = 0; offset < BULK_ANSWER_BYTES; offset += block.length) {
                Payload.fill(block, offset);
                socket.getOutputStream().write(block);
            }
        });
        slapdPort = LocalSystem.freePort();
        int closedPort = LocalSystem.freePort();

        socksPort = LocalSystem.freePort();
        rfcPort = LocalSystem.freePort();
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        proxy = system.proxy(
                "proxy",
                Map.of(
                        "proxy.socks5.port", Integer.toString(socksPort),
                        "proxy.rfc-and-ldap.port", Integer.toString(rfcPort),
                        "proxy.socks-handshake-timeout", "2s"));
        tunnel = tunnelStart.join();
        var secondStart = system.inBackground(() -> system.connector(
                "connector-second",
                system.connectorYaml(
                        tunnel.port(),
                        "second",
                        1,
                        mapping("tcp-a", 8080, backendSecond.port(), "TCP"),
                        mapping("secure-https", 443, secureBackend.actualPort(), "HTTPS")),
                true));
        system.connector(
                "connector-default",
                withBackendCa(system.connectorYaml(
                        tunnel.port(),
                        "",
                        1,
                        mapping("tcp-a", 8080, backendA.port(), "TCP"),
                        mapping("http-a", 8080, backendA.port(), "HTTP"),
                        mapping("secure-backend", 443, secureBackend.actualPort(), "TCP"),
                        mapping("secure-https", 443, secureBackend.actualPort(), "HTTPS"),
                        mapping("ldap-server", 389, slapdPort, "LDAP"),
                        mapping("closed", 9, closedPort, "TCP"),
                        mapping("echo", 7, echoBackend.actualPort(), "TCP"),
                        mapping("digest", 7000, digestBackend.port(), "TCP"),
                        mapping("farewell", 7001, farewellBackend.port(), "TCP"),
                        mapping("bulk", 7002, bulkBackend.port(), "TCP"))),
                true);
        secondStart.join();
        system.awaitRegistered(proxy, "", 1);
        system.awaitRegistered(proxy, "second", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (slapd != null) {
            slapd.close();
        }
        if (digestBackend != null) {
            digestBackend.close();
        }
        if (farewellBackend != null) {
            farewellBackend.close();
        }
        if (bulkBackend != null) {
            bulkBackend.close();
        }
    }

    // ---- 1. curl through SOCKS5, TLS end to end ----------------------------------------------

    @Test
    void curlReachesAnHttpsBackendThroughSocks5AndVerifiesItsCertificate() throws Exception {
        String socks = "127.0.0.1:" + socksPort;
        Curl.Result result = Curl.run(
                work,
                "--socks5-hostname",
                socks,
                "--cacert",
                backendCa.toString(),
                "https://secure-backend:443/over/socks");
        assertEquals(200, result.status(), result.stderr());
        assertEquals("secure backend GET /over/socks\n", result.text());

        // The proxy does not terminate TLS: without the backend's CA curl refuses its certificate.
        Curl.Result untrusted = Curl.run(work, "--socks5-hostname", socks, "https://secure-backend:443/");
        assertEquals(60, untrusted.exitCode(), "curl must reject the certificate: " + untrusted.stderr());
    }

    // ---- 2. ldapsearch in socksify against a real slapd ------------------------------------

    @Test
    void ldapsearchThroughSocksifyReachesSlapdOnTheRfcAndLdapPortOnly() throws Exception {
        startSlapd();
        // No "-o nettimeout": libldap then connects non-blocking, which socksify (dante 1.4) breaks
        // even with a plain relay as proxy; the blocking connect is what socksify supports.
        Command search = Command.run(
                work,
                Map.of("SOCKS_CONF", socksConf(rfcPort).toString()),
                tool("socksify", "dante-client"),
                tool("ldapsearch", "ldap-utils"),
                "-x",
                "-LLL",
                "-H",
                "ldap://ldap-server:389",
                "-D",
                "cn=admin,dc=example,dc=org",
                "-w",
                "secret",
                "-b",
                "ou=people,dc=example,dc=org",
                "(objectClass=inetOrgPerson)",
                "cn",
                "mail");
        assertEquals(0, search.exitCode(), search.output());
        assertTrue(
                search.output()
                        .contains("dn: uid=alice,ou=people,dc=example,dc=org\ncn: Alice Example\n"
                                + "mail: alice@example.org\n"),
                search.output());
        assertTrue(
                search.output().contains("dn: uid=bob,ou=people,dc=example,dc=org\ncn: Bob Example\n"),
                search.output());
        assertTrue(
                search.output().contains("dn: uid=carol,ou=people,dc=example,dc=org\ncn: Carol Example\n"),
                search.output());
        assertEquals(
                3,
                search.output().lines().filter(line -> line.startsWith("dn: ")).count(),
                search.output());

        // The SOCKS5 port serves TCP mappings only; this one is LDAP.
        Command refused = Command.run(
                work,
                Map.of("SOCKS_CONF", socksConf(socksPort).toString()),
                tool("socksify", "dante-client"),
                tool("ldapsearch", "ldap-utils"),
                "-x",
                "-LLL",
                "-H",
                "ldap://ldap-server:389",
                "-b",
                "ou=people,dc=example,dc=org",
                "(objectClass=inetOrgPerson)",
                "cn");
        assertNotEquals(0, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("Can't contact LDAP server"), refused.output());
        assertTrue(!refused.output().contains("uid=alice"), refused.output());
        try (SocksClient client = new SocksClient(socksPort)) {
            assertEquals(0x02, client.connect("ldap-server", 389));
            assertTrue(client.closedByProxy());
        }
    }

    // ---- 3. SAP's method 0x80 selects a connector by location ----------------------------------

    @Test
    void methodSapWithABase64LocationReachesTheSecondConnector() throws Exception {
        try (SocksClient client = new SocksClient(socksPort)) {
            client.send(hex("05 01 80"));
            assertEquals("0580", client.readHex(2));
            byte[] auth = SocksClient.sapAuthBytes(JWT, "second");
            assertEquals(
                    "01" + String.format("%08x", JWT.length()), HexFormat.of().formatHex(auth, 0, 5));
            assertEquals("c2Vjb25k", new String(auth, 6 + JWT.length(), 8, StandardCharsets.US_ASCII));
            client.send(auth);
            assertEquals("0100", client.readHex(2));
            assertEquals(0x00, client.request(domainRequest("tcp-a", 8080)));
            String response = client.exchangeHttp("GET /who HTTP/1.1\r\nHost: tcp-a:8080\r\nConnection: close\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("backend second GET /who\n"), response);
        }
        // The same virtual host without a location is the default connector's backend.
        try (SocksClient client = new SocksClient(socksPort)) {
            assertEquals(0x00, client.sapConnect(JWT, "", "tcp-a", 8080));
            assertTrue(client.exchangeHttp("GET /who HTTP/1.1\r\nHost: tcp-a\r\nConnection: close\r\n\r\n")
                    .endsWith("backend A GET /who\n"));
        }
        try (SocksClient client = new SocksClient(socksPort)) {
            assertEquals(0x00, client.connect("tcp-a", 8080));
            assertTrue(client.exchangeHttp("GET /who HTTP/1.1\r\nHost: tcp-a\r\nConnection: close\r\n\r\n")
                    .endsWith("backend A GET /who\n"));
        }
    }

    // ---- 4. every reply code from a real cause ------------------------------------------------

    /** 0x05 (authentication failure) needs proxy authorization, which is not implemented yet. */
    @Test
    void everyReplyCodeComesFromARealCause() throws Exception {
        try (SocksClient client = new SocksClient(socksPort)) {
            assertEquals(0x00, client.connect("tcp-a", 8080), "succeeded");
        }
        assertRefused(socksPort, 0x01, "a host name no host can have", domainRequest("bad host!", 8080));
        assertRefused(socksPort, 0x01, "port 0", domainRequest("tcp-a", 0));
        assertRefused(socksPort, 0x02, "no mapping for the host", domainRequest("nowhere", 8080));
        assertRefused(socksPort, 0x02, "an LDAP mapping on the SOCKS5 port", domainRequest("ldap-server", 389));
        assertRefused(socksPort, 0x02, "an HTTP mapping on the SOCKS5 port", domainRequest("http-a", 8080));
        assertRefused(socksPort, 0x02, "an HTTPS mapping on the SOCKS5 port", domainRequest("secure-https", 443));
        assertRefused(rfcPort, 0x02, "a TCP mapping on the RFC and LDAP port", domainRequest("tcp-a", 8080));
        try (SocksClient client = new SocksClient(socksPort)) {
            assertEquals(
                    0x03,
                    client.sapConnect(JWT, "no-such-location", "tcp-a", 8080),
                    "no connector connected for the location");
            assertTrue(client.closedByProxy());
        }
        assertRefused(socksPort, 0x04, "the mapped backend port is closed", domainRequest("closed", 9));
        assertRefused(socksPort, 0x07, "BIND", hex("05 02 00 01 7f 00 00 01 1f 90"));
        assertRefused(socksPort, 0x07, "UDP ASSOCIATE", hex("05 03 00 01 00 00 00 00 00 00"));
        assertRefused(
                socksPort, 0x08, "IPv6", hex("05 01 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 1f 90"));
        String metrics = proxy.metrics();
        assertTrue(
                HttpProxyIT.metricValue(
                                metrics, "cp_proxy_stream_open_failures_total\\{reason=\"PROTOCOL_NOT_ALLOWED\"\\}")
                        >= 4,
                metrics);
        assertTrue(
                HttpProxyIT.metricValue(metrics, "cp_proxy_stream_open_failures_total\\{reason=\"NO_SESSION\"\\}") >= 1,
                metrics);
    }

    private static void assertRefused(int port, int code, String cause, byte[] request) throws IOException {
        try (SocksClient client = new SocksClient(port)) {
            client.send(hex("05 01 00"));
            assertEquals("0500", client.readHex(2), cause);
            assertEquals(code, client.request(request), cause);
            assertTrue(client.closedByProxy(), cause + ": the proxy closes the connection after the reply");
        }
    }

    // ---- 5. malformed handshakes fail cleanly; the proxy keeps serving ------------------------

    @Test
    void malformedHandshakesFailCleanlyAndTheProxyKeepsServing() throws Exception {
        double refusedBefore = Math.max(0, refusedHandshakes());
        int refusals = 0;

        try (SocksClient socks4 = new SocksClient(socksPort)) {
            socks4.send(hex("04 01 00 50 7f 00 00 01 00"));
            assertEquals("", socks4.readHexToEof(), "another version gets no SOCKS5 answer, only a close");
            refusals++;
        }
        try (SocksClient http = new SocksClient(socksPort)) {
            http.send("GET / HTTP/1.1\r\nHost: tcp-a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("", http.readHexToEof());
            refusals++;
        }
        try (SocksClient unknownMethod = new SocksClient(socksPort)) {
            unknownMethod.send(hex("05 01 02"));
            assertEquals("05ff", unknownMethod.readHexToEof());
            refusals++;
        }
        try (SocksClient noMethods = new SocksClient(socksPort)) {
            noMethods.send(hex("05 00"));
            assertEquals("05ff", noMethods.readHexToEof());
            refusals++;
        }
        for (String length : List.of("ff ff ff ff", "00 00 40 01")) {
            try (SocksClient oversize = new SocksClient(socksPort)) {
                oversize.send(hex("05 01 80"));
                assertEquals("0580", oversize.readHex(2));
                oversize.send(hex("01 " + length));
                assertEquals("0101", oversize.readHexToEof(), "token length " + length);
                refusals++;
            }
        }
        // Truncated at every byte, then closed by the client: the proxy answers what was complete and closes.
        List<byte[]> handshakes = List.of(
                concat(hex("05 01 00"), domainRequest("tcp-a", 8080)),
                concat(hex("05 01 80"), SocksClient.sapAuthBytes(JWT, "second"), domainRequest("tcp-a", 8080)));
        for (byte[] handshake : handshakes) {
            for (int cut = 1; cut < handshake.length; cut++) {
                try (SocksClient truncated = new SocksClient(socksPort)) {
                    truncated.send(Arrays.copyOf(handshake, cut));
                    truncated.socket.shutdownOutput();
                    String answered = truncated.readHexToEof();
                    String expected = cut < 3
                            ? ""
                            : handshake[2] == 0 ? "0500" : cut < 3 + 6 + JWT.length() + 8 ? "0580" : "05800100";
                    assertEquals(expected, answered, "handshake " + hex(handshake) + " cut at " + cut);
                }
            }
        }
        // Slowloris: one byte (or a greeting), then silence; the handshake timeout (2 s) closes it.
        try (SocksClient slow = new SocksClient(socksPort)) {
            slow.send(hex("05"));
            assertEquals("", slow.readHexToEof());
            refusals++;
        }
        try (SocksClient slow = new SocksClient(socksPort)) {
            slow.send(hex("05 01 00"));
            assertEquals("0500", slow.readHexToEof());
            refusals++;
        }

        try (SocksClient wellFormed = new SocksClient(socksPort)) {
            assertEquals(0x00, wellFormed.connect("tcp-a", 8080));
            assertTrue(wellFormed
                    .exchangeHttp("GET /after HTTP/1.1\r\nHost: tcp-a\r\nConnection: close\r\n\r\n")
                    .endsWith("backend A GET /after\n"));
        }
        double expected = refusedBefore + refusals;
        proxy.process()
                .await(
                        "cp_proxy_socks_handshakes_refused_total reaches " + expected,
                        Duration.ofSeconds(30),
                        () -> refusedHandshakes() >= expected);
    }

    private static double refusedHandshakes() {
        return HttpProxyIT.metricValue(proxy.metrics(), "cp_proxy_socks_handshakes_refused_total");
    }

    // ---- 6. half-close in both directions --------------------------------------------------

    @Test
    void aClientThatShutsDownItsOutputStillReceivesTheWholeAnswer() throws Exception {
        long size = 3L * 1024 * 1024 + 17;
        try (SocksClient client = new SocksClient(socksPort)) {
            assertEquals(0x00, client.connect("digest", 7000));
            byte[] block = new byte[Payload.BLOCK];
            for (long offset = 0; offset < size; offset += block.length) {
                Payload.fill(block, offset);
                client.out.write(block, 0, (int) Math.min(block.length, size - offset));
            }
            client.out.flush();
            client.socket.shutdownOutput();
            // The backend answers only after it has seen the client's EOF.
            String answer = new String(client.in.readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(Payload.sha256(size) + " " + size + "\n", answer);
        }
    }

    @Test
    void aBackendThatShutsDownItsOutputStillReceivesWhatTheClientSendsAfterwards() throws Exception {
        long size = 512L * 1024;
        try (SocksClient client = new SocksClient(socksPort)) {
            assertEquals(0x00, client.connect("farewell", 7001));
            assertEquals("farewell\n", new String(client.in.readAllBytes(), StandardCharsets.US_ASCII));
            byte[] block = new byte[Payload.BLOCK];
            for (long offset = 0; offset < size; offset += block.length) {
                Payload.fill(block, offset);
                client.out.write(block, 0, (int) Math.min(block.length, size - offset));
            }
            client.out.flush();
            client.socket.shutdownOutput();
            String received = farewellReceived.poll(60, TimeUnit.SECONDS);
            assertEquals(Payload.sha256(size) + " " + size, received, "what the backend read after its own FIN");
        }
    }

    /**
     * Clients that go away with a RST while the echo of what they sent is still coming (bench/soak.sh
     * reported streams left counted after such resets, docs/benchmarks.md "Soak"): every stream must
     * be released on every process, which the check after each test proves.
     */
    @Test
    void aClientThatResetsWithTheEchoUnreadLeavesNoStreamBehind() throws Exception {
        // bench/soak.sh's reproduction: 64 KiB sent, then a RST with the echo unread (20 times)...
        for (int i = 0; i < 20; i++) {
            try (SocksClient client = new SocksClient(socksPort)) {
                assertEquals(0x00, client.connect("echo", 7));
                byte[] block = new byte[64 * 1024];
                Payload.fill(block, 0);
                client.out.write(block);
                client.out.flush();
                client.socket.setSoLinger(true, 0);
            }
        }
        // ... and a client that half-closes first, so proxy-service reads no more from it and learns
        // of the RST only when a write of the echo fails.
        for (int i = 0; i < 3; i++) {
            try (SocksClient client = new SocksClient(socksPort)) {
                // A small receive buffer: the echo cannot all be delivered while the client reads nothing.
                client.socket.setReceiveBufferSize(4096);
                assertEquals(0x00, client.connect("echo", 7));
                java.util.concurrent.CompletableFuture<Void> sent =
                        java.util.concurrent.CompletableFuture.runAsync(() -> {
                            try {
                                byte[] block = new byte[Payload.BLOCK];
                                for (long offset = 0; offset < 2L * 1024 * 1024; offset += block.length) {
                                    Payload.fill(block, offset);
                                    client.out.write(block);
                                }
                                client.out.flush();
                                client.socket.shutdownOutput();
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                try {
                    sent.get(20, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // The echo filled every buffer on the way back before all was sent: reset now anyway.
                }
                // Unread echo in the receive buffer: closing now sends a RST.
                client.socket.setSoLinger(true, 0);
            }
        }
        // ... and clients that half-close after a short request and reset while a large answer is
        // still coming (the bench setup's echo showed it with 4 MiB sent, docs/benchmarks.md "Soak"):
        // proxy-service has already sent FIN for them, so only the failed write of the answer tells
        // it the client is gone. Before the fix that failure left the stream open on proxy-service, and, its
        // window never given back, on tunnel-service and the connector too.
        for (int i = 0; i < 3; i++) {
            try (SocksClient client = new SocksClient(socksPort)) {
                client.socket.setReceiveBufferSize(4096);
                assertEquals(0x00, client.connect("bulk", 7002));
                client.send("GET /everything\n".getBytes(StandardCharsets.US_ASCII));
                client.socket.shutdownOutput();
                assertTrue(client.in.read() >= 0, "the answer started");
                client.socket.setSoLinger(true, 0);
            }
        }
        try (SocksClient client = new SocksClient(socksPort)) {
            assertEquals(0x00, client.connect("echo", 7), "the proxy keeps serving");
        }
    }

    // ---- 7. a thousand concurrent streams through one connector session ---------------------

    @Test
    void aThousandConcurrentStreamsThroughOneConnectorSessionCarryTheirOwnBytes() throws Exception {
        SocksClient[] clients = new SocksClient[STREAMS];
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Callable<Integer>> opens = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                int index = i;
                opens.add(() -> {
                    clients[index] = new SocksClient(socksPort);
                    return clients[index].connect("echo", 7);
                });
            }
            List<String> failures = new ArrayList<>();
            List<Future<Integer>> opened = pool.invokeAll(opens);
            for (int i = 0; i < STREAMS; i++) {
                try {
                    int code = opened.get(i).get();
                    if (code != 0) {
                        failures.add("stream " + i + ": reply " + code);
                    }
                } catch (ExecutionException e) {
                    failures.add("stream " + i + ": " + e.getCause());
                }
            }
            assertEquals(
                    List.of(),
                    failures.subList(0, Math.min(10, failures.size())),
                    failures.size() + " of " + STREAMS + " streams did not open");
            // All of them are open at the same time, on the one session of the default connector.
            assertTrue(HttpProxyIT.metricValue(proxy.metrics(), "cp_proxy_streams_open") >= STREAMS, proxy.metrics());
            system.awaitRegistered(proxy, "", 1);

            List<Callable<Void>> exchanges = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                int index = i;
                exchanges.add(() -> {
                    SocksClient client = clients[index];
                    byte[] sent = new byte[STREAM_BYTES];
                    Payload.fill(sent, (long) index * STREAM_BYTES);
                    client.out.write(sent);
                    client.out.flush();
                    byte[] echoed = client.in.readNBytes(STREAM_BYTES);
                    assertArrayEquals(sent, echoed, "stream " + index);
                    client.close();
                    return null;
                });
            }
            List<Future<Void>> done = pool.invokeAll(exchanges);
            for (int i = 0; i < STREAMS; i++) {
                try {
                    done.get(i).get();
                } catch (ExecutionException e) {
                    failures.add("stream " + i + ": " + e.getCause());
                }
            }
            assertEquals(
                    List.of(),
                    failures.subList(0, Math.min(10, failures.size())),
                    failures.size() + " of " + STREAMS + " streams did not echo their bytes");
        } finally {
            pool.shutdownNow();
            for (SocksClient client : clients) {
                if (client != null) {
                    client.close();
                }
            }
        }
        proxy.process()
                .await(
                        "all streams are released",
                        Duration.ofSeconds(60),
                        () -> HttpProxyIT.metricValue(proxy.metrics(), "cp_proxy_streams_open") == 0);
    }

    // ---- 8. HTTP CONNECT ---------------------------------------------------------------------

    @Test
    void httpConnectReachesTcpMappingsAndIsRefusedForHttpMappings() throws Exception {
        String httpProxy = "http://127.0.0.1:" + proxy.port();
        Curl.Result tunnelled = Curl.run(work, "-p", "-x", httpProxy, "http://tcp-a:8080/through/connect");
        assertEquals(200, tunnelled.status(), tunnelled.stderr());
        assertEquals("backend A GET /through/connect\n", tunnelled.text());

        // TLS passes through untouched: curl verifies the backend's own certificate.
        Curl.Result tls = Curl.run(
                work, "-x", httpProxy, "--cacert", backendCa.toString(), "https://secure-backend:443/through/connect");
        assertEquals(200, tls.status(), tls.stderr());
        assertEquals("secure backend GET /through/connect\n", tls.text());

        try (RawHttp raw = new RawHttp(proxy.port())) {
            String answer = raw.send("CONNECT http-a:8080 HTTP/1.1\r\nHost: http-a:8080\r\n\r\n")
                    .readResponse();
            assertEquals(405, RawHttp.status(answer), answer);
            assertTrue(answer.contains("CONNECT is only allowed for connector mappings of protocol TCP"), answer);
            assertTrue(answer.contains("the mapping is for protocol HTTP"), answer);
        }
        Curl.Result refused = Curl.run(work, "-p", "-x", httpProxy, "http://http-a:8080/");
        assertNotEquals(0, refused.exitCode());
        assertTrue(refused.stderr().contains("405"), refused.stderr());
    }

    @Test
    void anHttpsMappingMakesTheConnectorSpeakVerifiedTlsToTheBackend() throws Exception {
        String httpProxy = "http://127.0.0.1:" + proxy.port();
        Curl.Result result = Curl.run(work, "-x", httpProxy, "http://secure-https:443/via/https-mapping");
        assertEquals(200, result.status(), result.stderr());
        assertEquals("secure backend GET /via/https-mapping\n", result.text());

        // The second connector does not trust the backend's CA: the request fails, and says why.
        Curl.Result untrusted = Curl.run(
                work, "-x", httpProxy, "-H", "SAP-Connectivity-SCC-Location_ID: second", "http://secure-https:443/");
        assertEquals(502, untrusted.status());
        assertEquals(
                "backend of secure-https:443 is unreachable: TLS handshake with the backend failed\n",
                untrusted.text());
    }

    /** The connector file with backendTls trusting the secure backend's CA. */
    private static String withBackendCa(String yaml) {
        return yaml.replace("accessControl:\n", "backendTls:\n  ca: " + backendCa + "\naccessControl:\n");
    }

    // ---- backends and clients ------------------------------------------------------------------

    private static HttpServer startSecureBackend(Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("SocksIT backend CA");
        ca.ca().write(dir, "ca");
        ca.issueServer("secure-backend", List.of("secure-backend"), List.of("127.0.0.1"))
                .write(dir, "secure-backend");
        backendCa = dir.resolve("ca.pem");
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                        .setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions()
                                .setCertPath(dir.resolve("secure-backend.pem").toString())
                                .setKeyPath(
                                        dir.resolve("secure-backend-key.pem").toString())))
                .requestHandler(request -> request.response()
                        .putHeader("Content-Type", "text/plain")
                        .end("secure backend " + request.method() + " " + request.uri() + "\n"));
        return server.listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    /** Seeds and starts a private slapd on {@link #slapdPort}, as the user running the test. */
    private static synchronized void startSlapd() throws Exception {
        if (slapd != null) {
            return;
        }
        String slapdBinary = tool("slapd", "slapd");
        String slapadd = tool("slapadd", "slapd");
        tool("ldapsearch", "ldap-utils");
        tool("socksify", "dante-client");
        Path dir = system.dir.resolve("slapd");
        Files.createDirectories(dir.resolve("data"));
        Path conf = dir.resolve("slapd.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "include /etc/ldap/schema/core.schema",
                        "include /etc/ldap/schema/cosine.schema",
                        "include /etc/ldap/schema/inetorgperson.schema",
                        "pidfile " + dir.resolve("slapd.pid"),
                        "argsfile " + dir.resolve("slapd.args"),
                        "modulepath /usr/lib/ldap",
                        "moduleload back_mdb",
                        "database mdb",
                        "maxsize 16777216",
                        "suffix \"dc=example,dc=org\"",
                        "rootdn \"cn=admin,dc=example,dc=org\"",
                        "rootpw secret",
                        "directory " + dir.resolve("data"),
                        ""));
        Path seed = dir.resolve("seed.ldif");
        StringBuilder ldif =
                new StringBuilder("dn: dc=example,dc=org\nobjectClass: dcObject\nobjectClass: organization\n"
                        + "dc: example\no: Example\n\ndn: ou=people,dc=example,dc=org\nobjectClass: organizationalUnit\n"
                        + "ou: people\n");
        for (String name : List.of("Alice", "Bob", "Carol")) {
            String uid = name.toLowerCase();
            ldif.append("\ndn: uid=")
                    .append(uid)
                    .append(",ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\n")
                    .append("uid: ")
                    .append(uid)
                    .append("\ncn: ")
                    .append(name)
                    .append(" Example\nsn: Example\n")
                    .append("mail: ")
                    .append(uid)
                    .append("@example.org\n");
        }
        Files.writeString(seed, ldif);
        Command load = Command.run(dir, Map.of(), slapadd, "-f", conf.toString(), "-l", seed.toString());
        assertEquals(0, load.exitCode(), "slapadd: " + load.output());
        slapd = ManagedProcess.start(
                "socks-slapd",
                List.of(slapdBinary, "-d", "256", "-f", conf.toString(), "-h", "ldap://127.0.0.1:" + slapdPort + "/"));
        slapd.await("slapd listens on " + slapdPort, Duration.ofSeconds(30), () -> listening(slapdPort));
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A socksify configuration sending every TCP connection, host name unresolved, to {@code port}. */
    private static Path socksConf(int port) throws IOException {
        Path conf = system.dir.resolve("socks-" + port + ".conf");
        // "fake" resolution: socksify hands the host name to the proxy instead of resolving it here.
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "logoutput: stderr",
                        "resolveprotocol: fake",
                        "route {",
                        "    from: 0.0.0.0/0 to: 0.0.0.0/0 via: 127.0.0.1 port = " + port,
                        "    protocol: tcp",
                        "    proxyprotocol: socks_v5",
                        "    method: none",
                        "}",
                        ""));
        return conf;
    }

    /** The path of an installed executable; fails (never skips) naming the Debian package that has it. */
    static String tool(String name, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        fail(name + " is not installed: install the Debian package " + debianPackage
                + " (.ci/run installs slapd ldap-utils dante-client)");
        return null;
    }

    /** A command run to completion with a deadline; stdout and stderr together. */
    record Command(int exitCode, String output) {
        static Command run(Path dir, Map<String, String> env, String... command) throws Exception {
            Files.createDirectories(dir);
            Path output = Files.createTempFile(dir, "command-", ".out");
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("did not finish within 90 s: " + String.join(" ", command) + "\n" + Files.readString(output));
            }
            return new Command(process.exitValue(), Files.readString(output));
        }
    }

    /** A TCP server of blocking sockets, one thread per connection: backends that read to EOF. */
    static final class BlockingServer implements AutoCloseable {

        interface Handler {
            void handle(Socket socket) throws IOException;
        }

        private final ServerSocket server;

        BlockingServer(String name, Handler handler) throws IOException {
            server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(
                    () -> {
                        while (!server.isClosed()) {
                            Socket socket;
                            try {
                                socket = server.accept();
                            } catch (IOException e) {
                                return;
                            }
                            Thread connection = new Thread(
                                    () -> {
                                        try (socket) {
                                            handler.handle(socket);
                                        } catch (IOException e) {
                                            // The client went away; the test asserting on this backend reports it.
                                        }
                                    },
                                    name + "-connection");
                            connection.setDaemon(true);
                            connection.start();
                        }
                    },
                    name + "-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A hand-driven SOCKS5 client on a plain socket: the test spells out every byte. */
    static final class SocksClient implements AutoCloseable {

        final Socket socket;
        final InputStream in;
        final OutputStream out;

        SocksClient(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(60_000);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        String readHex(int count) throws IOException {
            return HexFormat.of().formatHex(in.readNBytes(count));
        }

        /** Everything until the proxy closes the connection, as hex; fails if it stays open. */
        String readHexToEof() throws IOException {
            try {
                return HexFormat.of().formatHex(in.readAllBytes());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the proxy did not close the connection", e);
            }
        }

        /** True when the proxy closed the connection and sent nothing more. */
        boolean closedByProxy() throws IOException {
            return readHexToEof().isEmpty();
        }

        /** Greeting with method 0x00, then CONNECT; returns the reply code. */
        int connect(String host, int port) throws IOException {
            send(hex("05 01 00"));
            assertEquals("0500", readHex(2));
            return request(domainRequest(host, port));
        }

        /** Greeting with method 0x80, its JWT and location, then CONNECT; returns the reply code. */
        int sapConnect(String token, String location, String host, int port) throws IOException {
            send(hex("05 01 80"));
            assertEquals("0580", readHex(2));
            send(sapAuthBytes(token, location));
            assertEquals("0100", readHex(2));
            return request(domainRequest(host, port));
        }

        /** Method 0x80: 01, u32 big-endian JWT length, JWT, u8 length, base64(location id). */
        static byte[] sapAuthBytes(String token, String location) {
            byte[] jwt = token.getBytes(StandardCharsets.US_ASCII);
            byte[] encoded = Base64.getEncoder().encode(location.getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(1);
            bytes.write(jwt.length >>> 24);
            bytes.write(jwt.length >>> 16);
            bytes.write(jwt.length >>> 8);
            bytes.write(jwt.length);
            bytes.writeBytes(jwt);
            bytes.write(encoded.length);
            bytes.writeBytes(encoded);
            return bytes.toByteArray();
        }

        /** Sends a CONNECT request; returns the reply code after checking the reply's layout. */
        int request(byte[] request) throws IOException {
            send(request);
            byte[] reply = in.readNBytes(10);
            String hex = HexFormat.of().formatHex(reply);
            assertEquals(10, reply.length, "a whole reply, got " + hex);
            assertEquals(5, reply[0], hex);
            assertEquals("0001000000000000", hex.substring(4), "RSV, ATYP IPv4, 0.0.0.0:0: " + hex);
            return reply[1] & 0xff;
        }

        /** Sends an HTTP request over the established stream; returns everything until EOF. */
        String exchangeHttp(String request) throws IOException {
            send(request.getBytes(StandardCharsets.US_ASCII));
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing is best effort.
            }
        }
    }

    static byte[] domainRequest(String host, int port) {
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        return concat(
                hex("05 01 00 03"), new byte[] {(byte) name.length}, name, new byte[] {(byte) (port >>> 8), (byte) port
                });
    }

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
