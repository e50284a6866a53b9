package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A tunnel-service replica killed with SIGKILL under load, with a second replica holding a
 * session of the same location: the streams through the dead replica fail with an incomplete
 * response (never a short one that looks complete), and new requests go to the survivor.
 * Killed (SIGKILL: its connections reset) and frozen (SIGSTOP: its connections stay open and
 * silent, as when its node is cut off): proxy-service suspects a replica whose event-bus heartbeat
 * has been silent for cluster.liveness-timeout (3 s), fails its streams and routes new ones to the
 * survivor. A replica frozen briefly and then resumed is routable again and releases what it held.
 */
class TunnelNodeFailureIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("tunnel-node-failure");

    /** Issue 13's bound for a dead replica's streams to fail and for new ones to succeed. */
    private static final Duration NOTICED = Duration.ofSeconds(5);

    /**
     * Hazelcast's own failure detection (product default 5 s) later than the liveness check on
     * every node here: what notices the frozen replica is the check, and a replica frozen for a
     * few seconds is still a member when it resumes.
     */
    private static final Map<String, String> CLUSTER = Map.of("cluster.failure-timeout", "10s");

    @Test
    void streamsThroughAKilledReplicaFailAndNewOnesGoToTheSurvivor() throws Exception {
        failOver("killed", process -> process.kill(), false);
    }

    /**
     * SIGSTOP: the replica's sockets stay open and say nothing, as when its node is cut off. Then
     * SIGCONT: once heard again it is routable, carries requests, and releases what it held.
     */
    @Test
    void streamsThroughAFrozenReplicaFailNewOnesGoToTheSurvivorAndItServesAgainOnceResumed() throws Exception {
        failOver("frozen", process -> signal(process, "STOP"), true);
    }

    private interface Failure {
        void apply(ManagedProcess process) throws Exception;
    }

    private static void failOver(String how, Failure failure, boolean resume) throws Exception {
        LocalSystem system = e2e.system();
        TestBackend backend = new TestBackend(e2e.vertx(), how);
        Path client = system.dir.resolve("client");
        var tunnel1Start = system.inBackground(() -> system.tunnel(how + "-tunnel-1", CLUSTER));
        var tunnel2Start = system.inBackground(() -> system.tunnel(how + "-tunnel-2", CLUSTER));
        LocalSystem.Node proxy = system.proxy(how + "-proxy", CLUSTER);
        LocalSystem.Node tunnel1 = tunnel1Start.join();
        LocalSystem.Node tunnel2 = tunnel2Start.join();
        var connector1Start = system.inBackground(() -> system.connector(
                how + "-connector-1",
                system.connectorYaml(tunnel1.port(), how, 1, mapping("app", 8080, backend.port(), "HTTP")),
                true));
        system.connector(
                how + "-connector-2",
                system.connectorYaml(tunnel2.port(), how, 1, mapping("app", 8080, backend.port(), "HTTP")),
                true);
        connector1Start.join();
        system.awaitRegistered(proxy, how, 2);

        long size = 1024L * 1024 * 1024;
        LocalSystem.Node carrier = null;
        boolean resumed = false;
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String head = raw.send("GET http://app:8080/bytes/" + size + " HTTP/1.1\r\nHost: app\r\n"
                            + "SAP-Connectivity-SCC-Location_ID: " + how + "\r\n\r\n")
                    .readHead();
            assertEquals(200, RawHttp.status(head), head);
            assertEquals(1024 * 1024, raw.readBody(1024 * 1024));
            carrier = IdleState.sum(tunnel1.metrics(), "cp_tunnel_streams_open") == 1 ? tunnel1 : tunnel2;
            assertEquals(1, IdleState.sum(carrier.metrics(), "cp_tunnel_streams_open"));

            long failed = System.nanoTime();
            failure.apply(carrier.process());
            long rest = raw.readToEof((int) NOTICED.toMillis());
            long failedAfter = System.nanoTime() - failed;
            assertTrue(rest >= 0, "the proxy must close the client's connection once the replica is gone");
            assertTrue(1024 * 1024 + rest < size, "the body must end short of its Content-Length");

            int[] failures = new int[1];
            proxy.process().await("a new request goes through the survivor", NOTICED, () -> {
                try {
                    if (Curl.run(
                                            client,
                                            "-x",
                                            "http://127.0.0.1:" + proxy.port(),
                                            "--max-time",
                                            "2",
                                            "-H",
                                            "SAP-Connectivity-SCC-Location_ID: " + how,
                                            "http://app:8080/after")
                                    .status()
                            == 200) {
                        return true;
                    }
                } catch (Exception e) {
                    // Counted below like any other failed request.
                }
                failures[0]++;
                return false;
            });
            long servedAfter = System.nanoTime() - failed;
            System.out.printf(
                    "tunnel-service replica %s: its stream failed after %d ms, a new request was served"
                            + " after %d ms (%d failed in between)%n",
                    how, failedAfter / 1_000_000, servedAfter / 1_000_000, failures[0]);
            assertTrue(failedAfter < NOTICED.toNanos(), "the stream failed after " + failedAfter / 1_000_000 + " ms");
            assertTrue(servedAfter < NOTICED.toNanos(), "served after " + servedAfter / 1_000_000 + " ms");
            assertTrue(
                    proxy.process().logContains("left: failing 1 streams")
                            || proxy.process().logContains("suspected, no new streams go there; failing 1 streams"),
                    proxy.process().tail());
            if (resume) {
                resumeAndServe(system, proxy, carrier, how);
                resumed = true;
            }
        } finally {
            // A stopped process takes SIGKILL too; a resumed one stays, and must end idle.
            if (carrier != null && !resumed) {
                carrier.process().kill();
            }
        }
    }

    /** SIGCONT: the replica's heartbeat is heard again and requests are carried through it again. */
    private static void resumeAndServe(LocalSystem system, LocalSystem.Node proxy, LocalSystem.Node carrier, String how)
            throws Exception {
        assertTrue(
                proxy.process().logContains("suspected, no new streams go there"),
                "frozen until suspected: " + proxy.process().tail());
        assertEquals(1.0, IdleState.sum(proxy.metrics(), "cp_proxy_tunnel_nodes_suspected"));
        signal(carrier.process(), "CONT");
        proxy.process().await("the resumed replica is heard again", NOTICED, () -> proxy.process()
                .logContains("is heard again: routing streams to it again"));
        assertEquals(0.0, IdleState.sum(proxy.metrics(), "cp_proxy_tunnel_nodes_suspected"));
        assertTrue(IdleState.sum(proxy.metrics(), "cp_proxy_tunnel_node_suspicions_total") >= 1);
        double carried = IdleState.sum(carrier.metrics(), "cp_tunnel_bytes_total");
        Path client = system.dir.resolve("client");
        proxy.process().await("a request is carried by the resumed replica", Duration.ofSeconds(30), () -> {
            try {
                assertEquals(
                        200,
                        Curl.run(
                                        client,
                                        "-x",
                                        "http://127.0.0.1:" + proxy.port(),
                                        "-H",
                                        "SAP-Connectivity-SCC-Location_ID: " + how,
                                        "http://app:8080/resumed")
                                .status());
                return IdleState.sum(carrier.metrics(), "cp_tunnel_bytes_total") > carried;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void signal(ManagedProcess process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
    }
}
