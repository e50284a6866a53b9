package io.connectivityproxy.operator.reconciler;

import static io.connectivityproxy.operator.reconciler.Cluster.TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.State;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.btp.ServiceBinding;
import io.connectivityproxy.operator.model.btp.ServiceInstance;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * The built operator executable, started as a separate process against the fabric8 mock API server
 * in CRUD mode, as a cluster runs it: the JVM build ({@code target/quarkus-app}) or, with
 * {@code -Dnative}, the native executable ({@code native.image.path}). The CRDs come from
 * {@code deploy/crds}, the resource from {@code deploy/default-cr.yaml}; the operator installs
 * everything, reports Ready, removes what it created when the resource is deleted, and stops
 * cleanly on SIGTERM.
 */
class OperatorExecutableIT {

    static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    static final String NS = "kyma-system";
    static final String NAME = "connectivity-proxy";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private KubernetesServer server;
    private KubernetesClient client;
    private Process operator;
    private Path log;
    private int managementPort;

    @BeforeEach
    void startMockClusterAndOperator() throws IOException {
        server = new KubernetesServer(false, true, InetAddress.getLoopbackAddress(), 0, List.of());
        server.before();
        client = server.getClient();
        for (String crd : List.of(
                "connectivityproxies.connectivityproxy.sap.com.yaml",
                "servicemappings.connectivityproxy.sap.com.yaml")) {
            apply(ROOT.resolve("deploy/crds").resolve(crd));
        }
        Cluster cluster = new Cluster(client);
        cluster.installIstio();
        cluster.installBtpOperator();
        cluster.shootInfo("c-1234.kyma.example.com");

        managementPort = freePort();
        List<String> command = launcher(List.of(
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + managementPort,
                // fabric8's own settings, as in a pod without a service account: Quarkus fixes its
                // quarkus.kubernetes-client.* at build time, and an empty one defers to these.
                "-Dkubernetes.master=" + client.getConfiguration().getMasterUrl(),
                "-Dkubernetes.trust.certificates=true",
                // Never a kubeconfig or service account token of the machine running the test.
                "-Dkubernetes.auth.tryKubeConfig=false",
                "-Dkubernetes.auth.tryServiceAccount=false",
                "-Dconnectivity-proxy.operator.retry-interval=1s"));
        Path logs = ROOT.resolve("operator/target/it-logs");
        Files.createDirectories(logs);
        log = logs.resolve("operator-" + System.currentTimeMillis() + ".log");
        operator = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    @AfterEach
    void stop() {
        if (operator != null && operator.isAlive()) {
            operator.destroyForcibly();
        }
        if (server != null) {
            server.after();
        }
    }

    @Test
    void installsTheDefaultResourceRemovesItOnDeletionAndStopsOnSigterm() throws Exception {
        awaitOperator("is ready", () -> status("/q/health/ready") == 200);

        apply(ROOT.resolve("deploy/default-cr.yaml"));
        Cluster cluster = new Cluster(client);
        await().atMost(TIMEOUT).until(() -> get(ServiceBinding.class, NS, Names.SERVICE_BINDING) != null);
        assertEquals(
                "connectivity_proxy",
                get(ServiceInstance.class, NS, Names.SERVICE_INSTANCE).getSpec().servicePlanName());
        cluster.serviceKeySecret(NS, "0a1b2c3d-sub", "my-subdomain");
        cluster.rolledOut(NS, Names.PROXY);
        cluster.rolledOut(NS, Names.TUNNEL);
        cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Ready);
        // The TLS material is generated in the process (BouncyCastle): a native build must carry it.
        Secret ca = get(Secret.class, NS, Names.CA_SECRET);
        assertNotNull(ca, "the CA secret exists");
        assertTrue(
                new String(
                                java.util.Base64.getDecoder()
                                        .decode(ca.getData().values().iterator().next()),
                                StandardCharsets.US_ASCII)
                        .contains("-----BEGIN"),
                "the CA secret holds PEM");
        assertTrue(metrics().contains("operator_sdk_reconciliations_started_total"), "JOSDK metrics are served");

        client.resource(cluster.cp(NS, NAME)).delete();
        await().atMost(TIMEOUT).until(() -> cluster.cp(NS, NAME) == null);
        assertNull(cluster.deployment(NS, Names.PROXY), "the proxy Deployment is gone");
        assertNull(cluster.statefulSet(NS, Names.TUNNEL), "the tunnel StatefulSet is gone");
        assertNull(
                client.services()
                        .inNamespace(NS)
                        .withName("connectivity-proxy-tunnel-0")
                        .get(),
                "the replica Service is gone");
        assertNull(get(Secret.class, "istio-system", Names.GATEWAY_TLS_SECRET), "the cross-namespace secret is gone");

        operator.destroy();
        assertTrue(operator.waitFor(30, TimeUnit.SECONDS), "the operator stops within 30 s of SIGTERM\n" + tail());
        // 128 + SIGTERM: how the JVM, and a native executable alike, exit once the shutdown hooks have run.
        assertEquals(143, operator.exitValue(), "exit code after SIGTERM\n" + tail());
        String text = Files.readString(log);
        assertTrue(text.contains("connectivity-proxy-operator stopped in"), "Quarkus logs its shutdown\n" + tail());
        assertFalse(text.contains(" ERROR "), "no ERROR line\n" + tail());
    }

    /**
     * {@code native.image.path} (set by the native profile) or {@code java -jar target/quarkus-app/quarkus-run.jar},
     * with these {@code -D} options (both take them; the JVM before {@code -jar}).
     */
    private static List<String> launcher(List<String> options) {
        List<String> command = new ArrayList<>();
        String nativeImage = System.getProperty("native.image.path");
        if (nativeImage != null && !nativeImage.isBlank()) {
            Path executable = Path.of(nativeImage);
            assertTrue(Files.isExecutable(executable), "no native executable at " + executable);
            command.add(executable.toString());
            command.addAll(options);
            return command;
        }
        Path jar = ROOT.resolve("operator/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), "no " + jar);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    private void apply(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            for (HasMetadata item : client.load(in).items()) {
                client.resource(item).create();
            }
        }
    }

    private <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
        return client.resources(type).inNamespace(namespace).withName(name).get();
    }

    private void awaitOperator(String what, java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .alias("the operator " + what)
                .until(() -> {
                    if (!operator.isAlive()) {
                        throw new AssertionError("the operator exited with " + operator.exitValue() + "\n" + tail());
                    }
                    return condition.call();
                });
    }

    private int status(String path) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String metrics() throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private String tail() {
        try {
            String text = Files.readString(log);
            return "---- last lines of " + log + " ----\n" + text.substring(Math.max(0, text.length() - 4000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
