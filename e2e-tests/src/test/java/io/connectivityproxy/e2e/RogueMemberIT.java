package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.HttpProxyIT.metricValue;
import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.vertx.core.Vertx;

/**
 * A JVM that joins the cluster's Hazelcast with the right name and members but without a
 * certificate of the cluster CA ({@link RogueMember}) registers fake sessions: one for the
 * location the real connector serves, one for a location only it claims. No stream ever reaches
 * it, nothing it sends reaches the real tunnel-service node, and proxy-service keeps serving from
 * the real session, ignores the rogue's entries, and says so in its metrics, log and admin endpoint.
 */
class RogueMemberIT {

    private static final String ROGUE_ONLY = "rogue-only";

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("rogue");

    static Vertx vertx;
    static LocalSystem system;
    static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backend = new TestBackend(vertx, "A");
        system = e2e.system();
    }

    @Test
    void aMemberWithoutTheClusterCertificateGetsNoStreamAndItsSessionsAreIgnored() throws Exception {
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        LocalSystem.Node proxy = system.proxy("proxy");
        LocalSystem.Node tunnel = tunnelStart.join();
        system.connector(
                "connector",
                system.connectorYaml(tunnel.port(), "", 1, mapping("app", 8080, backend.port(), "HTTP")),
                true);
        system.awaitRegistered(proxy, "", 1);

        ManagedProcess rogue = system.rogue("rogue-member", "", ROGUE_ONLY);
        rogue.await(
                "the rogue joined and registered its fake sessions",
                LocalSystem.START,
                () -> rogue.logContains("ROGUE registered"));
        String rogueId = group(rogue.logText(), "ROGUE joined node=(\\S+)");
        proxy.process()
                .await(
                        "proxy-service refuses the rogue",
                        Duration.ofSeconds(60),
                        () -> metricValue(proxy.metrics(), "cp_cluster_unverified_members") == 1);
        assertEquals(2, metricValue(proxy.metrics(), "cp_cluster_registry_entries_ignored"), proxy.metrics());
        String warning = "ignoring the session registry entries of cluster member " + rogueId;
        // The member is refused at its first failed probe; the warning waits for the second, a moment
        // later, as a real node's event bus address may arrive after its first registry entry.
        proxy.process().await("proxy-service warns about the rogue", Duration.ofSeconds(60), () -> proxy.process()
                .logContains(warning));
        assertEquals(
                1,
                proxy.process()
                        .logText()
                        .lines()
                        .filter(l -> l.contains(warning))
                        .count(),
                proxy.process().tail());
        String admin = proxy.admin("/admin/streams");
        assertTrue(admin.contains("\"node\" : \"" + rogueId + "\"") && admin.contains("\"entries\" : 2"), admin);
        // The real session is still the only one proxy-service uses for the shared key.
        system.awaitRegistered(proxy, "", 1);

        // (a) The location the rogue shares with the real connector: every request reaches the real backend.
        HttpClient client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port())))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            responses.add(client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://app:8080/r/" + i))
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> response = responses.get(i).get();
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("backend A GET /r/" + i + "\n", response.body());
        }

        // (b) The location only the rogue claims: the same answer as no connector at all.
        Path work = system.dir.resolve("client");
        Curl.Result rogueOnly = Curl.run(
                work,
                "-x",
                "http://127.0.0.1:" + proxy.port(),
                "-H",
                "SAP-Connectivity-SCC-Location_ID: " + ROGUE_ONLY,
                "http://app:8080/");
        Curl.Result nobody = Curl.run(
                work,
                "-x",
                "http://127.0.0.1:" + proxy.port(),
                "-H",
                "SAP-Connectivity-SCC-Location_ID: nobody",
                "http://app:8080/");
        assertEquals(503, rogueOnly.status(), rogueOnly.text());
        assertEquals(nobody.text().replace("nobody", ROGUE_ONLY), rogueOnly.text());
        assertTrue(
                metricValue(proxy.metrics(), "cp_proxy_stream_open_failures_total\\{reason=\"NO_SESSION\"\\}") >= 2,
                proxy.metrics());
        assertEquals(
                -1,
                metricValue(proxy.metrics(), "cp_proxy_stream_open_failures_total\\{reason=\"TIMEOUT\"\\}"),
                "no stream waited for the rogue");

        // Nothing crossed the event bus either way: the rogue tried to send, and received nothing.
        rogue.await(
                "the rogue tried to reach the real node a few times",
                Duration.ofSeconds(30),
                () -> lastSent(rogue.logText()) >= 5);
        String status = group(rogue.logText(), "(?s).*(ROGUE status [^\\n]*)");
        assertTrue(status.contains("received=0 ") && status.endsWith("answered=0"), status);
        assertFalse(rogue.logContains("ROGUE received"), rogue.tail());
        assertFalse(backend.uris.contains("/from-rogue"), "a forged OPEN reached the backend");
        assertTrue(tunnel.process().alive() && proxy.process().alive());

        // When it leaves, nothing of it is left.
        rogue.close();
        proxy.process()
                .await(
                        "proxy-service forgets the rogue",
                        Duration.ofSeconds(60),
                        () -> metricValue(proxy.metrics(), "cp_cluster_unverified_members") == 0);
        Curl.Result after = Curl.run(work, "-x", "http://127.0.0.1:" + proxy.port(), "http://app:8080/after");
        assertEquals(200, after.status(), after.stderr());
    }

    private static int lastSent(String log) {
        Matcher matcher =
                Pattern.compile("ROGUE status received=\\d+ sent=(\\d+)").matcher(log);
        int sent = 0;
        while (matcher.find()) {
            sent = Integer.parseInt(matcher.group(1));
        }
        return sent;
    }

    private static String group(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("no match for " + regex + " in\n" + text);
        }
        return matcher.group(1);
    }
}
