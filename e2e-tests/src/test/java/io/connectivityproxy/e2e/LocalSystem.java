package io.connectivityproxy.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A whole system of real processes on 127.0.0.1 for one test class: tunnel-service and
 * proxy-service nodes in their own Hazelcast cluster (a unique name and port range, so test
 * classes never meet) with an event bus over mutual TLS (a development cluster CA of the
 * system's own), and connectors with the configuration each test writes.
 */
final class LocalSystem implements AutoCloseable {

    static final Duration START = Duration.ofSeconds(90);
    static final String SUBACCOUNT = "dev-subaccount";
    /** Where {@link #freePort()} looks: above run-local.sh's fixed ports, below the ephemeral range. */
    private static final int FIRST_PORT = 21000;

    private static final int LAST_PORT = 32000;
    private static int nextPort = FIRST_PORT + ThreadLocalRandom.current().nextInt(5000);

    final Path dir;
    final Path certs;
    private final String name;
    private final String clusterName = "e2e-" + UUID.randomUUID();
    /**
     * Hazelcast member ports: the first six are the members every node is told to join; a node
     * takes the next free one, so up to twelve members run at once without hunting into ports
     * handed out to other processes.
     */
    private final int hazelcastBase = freePorts(12);

    private final List<ManagedProcess> processes = Collections.synchronizedList(new ArrayList<>());
    private final List<Node> nodes = Collections.synchronizedList(new ArrayList<>());
    private final List<FutureTask<?>> background = Collections.synchronizedList(new ArrayList<>());
    /**
     * Whether connectors started by {@link #connector} run their doctor's checks (each connects to
     * every backend once at the start); off unless a test looks at them, so that backends see only
     * the test's own connections.
     */
    boolean connectorChecks;

    LocalSystem(String name) {
        this.name = name;
        this.dir = ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/" + name + "-" + System.currentTimeMillis());
        this.certs = dir.resolve("certs");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a node runs; it decides which gauges {@link #awaitIdle} reads on it. */
    enum Kind {
        TUNNEL,
        PROXY,
        CONNECTOR
    }

    record Node(Kind kind, ManagedProcess process, int port, int management) {
        String health() {
            return "http://127.0.0.1:" + management + "/q/health/ready";
        }

        String metrics() {
            return ManagedProcess.get("http://127.0.0.1:" + management + "/q/metrics");
        }

        String admin(String path) {
            return ManagedProcess.get("http://127.0.0.1:" + management + path);
        }
    }

    /** Starts a tunnel-service node (mutual TLS with development certificates unless overridden). */
    Node tunnel(String id, Map<String, String> properties) {
        return tunnel(id, freePort(), properties);
    }

    Node tunnel(String id, int port, Map<String, String> properties) {
        int management = freePort();
        List<String> args = jvm(256);
        args.add("-Dquarkus.http.port=" + management);
        args.add("-Dtunnel.port=" + port);
        args.add("-Dtunnel.tls.dev-certificates-dir=" + certs);
        properties.forEach((k, v) -> args.add("-D" + k + "=" + v));
        Node node = node(new Node(
                Kind.TUNNEL,
                start(ManagedProcess.quarkusApp(name + "-" + id, "tunnel-service", args)),
                port,
                management));
        node.process().awaitHttpOk(node.health(), START);
        return node;
    }

    /** Starts a proxy-service node; its HTTP proxy port is {@link Node#port()}. */
    Node proxy(String id) {
        return proxy(id, Map.of());
    }

    Node proxy(String id, Map<String, String> properties) {
        int port = freePort();
        int management = freePort();
        Node node = node(new Node(Kind.PROXY, proxyProcess(id, properties, port, management), port, management));
        node.process().awaitHttpOk(node.health(), START);
        return node;
    }

    /** Starts a proxy-service node without waiting for it (e.g. to see it refuse its configuration). */
    ManagedProcess proxyProcess(String id, Map<String, String> properties) {
        return proxyProcess(id, properties, freePort(), freePort());
    }

    private ManagedProcess proxyProcess(String id, Map<String, String> properties, int port, int management) {
        List<String> args = jvm(256);
        args.add("-Dquarkus.http.port=" + management);
        args.add("-Dproxy.http.port=" + port);
        args.add("-Dproxy.subaccount=" + SUBACCOUNT);
        // Free ports for the SOCKS listeners too, so several proxy nodes never collide.
        args.add("-Dproxy.socks5.port=" + freePort());
        args.add("-Dproxy.rfc-and-ldap.port=" + freePort());
        properties.forEach((k, v) -> args.add("-D" + k + "=" + v));
        return start(ManagedProcess.quarkusApp(name + "-" + id, "proxy-service", args));
    }

    /**
     * Starts a connector (the JVM build, or the native executable with {@code -De2e.connector=native}) with
     * the given YAML; waits until it has a session unless told not to.
     */
    Node connector(String id, String yaml, boolean awaitSession) {
        return connector(id, yaml, awaitSession, List.of());
    }

    /** The same, with more options for the process (e.g. log levels). */
    Node connector(String id, String yaml, boolean awaitSession, List<String> options) {
        Path config = dir.resolve(id + ".yaml");
        try {
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int management = freePort();
        List<String> args = new ArrayList<>(List.of(
                "-Xmx128m",
                "-Dquarkus.http.port=" + management,
                "-Dconnector.config=" + config,
                "-Dconnector.checks=" + connectorChecks));
        args.addAll(options);
        Node node =
                node(new Node(Kind.CONNECTOR, start(ManagedProcess.connector(name + "-" + id, args)), 0, management));
        if (awaitSession) {
            node.process().awaitHttpOk(node.health(), START);
        }
        return node;
    }

    /** Starts a connector whose file is {@code config} as it is (the test writes and changes it). */
    Node connectorAt(String id, Path config, boolean awaitSession) {
        int management = freePort();
        List<String> args = new ArrayList<>(
                List.of("-Xmx128m", "-Dquarkus.http.port=" + management, "-Dconnector.config=" + config));
        Node node =
                node(new Node(Kind.CONNECTOR, start(ManagedProcess.connector(name + "-" + id, args)), 0, management));
        if (awaitSession) {
            node.process().awaitHttpOk(node.health(), START);
        }
        return node;
    }

    /** Runs {@code connector check} on {@code config}; the caller waits for its exit. */
    ManagedProcess connectorCheck(String id, Path config) {
        return start(ManagedProcess.connector(
                name + "-" + id, List.of("-Xmx128m", "-Dconnector.config=" + config), List.of("check")));
    }

    /** Waits until {@code proxy} sees a session for the location in the cluster registry. */
    void awaitRegistered(Node proxy, String location, int sessions) {
        String key = "\"" + SUBACCOUNT + "/" + (location.isEmpty() ? "(default)" : location) + "\"";
        proxy.process().await(sessions + " session(s) for " + key + " registered", START, () -> {
            String admin = proxy.admin("/admin/streams");
            int at = admin.indexOf(key);
            if (at < 0) {
                return sessions == 0;
            }
            int end = admin.indexOf(']', at);
            long count = admin.substring(at, end).chars().filter(c -> c == '|').count();
            return count == sessions;
        });
    }

    private Node node(Node node) {
        nodes.add(node);
        return node;
    }

    /** The gauges of every running node now, for {@link #awaitIdle} to compare against later. */
    IdleState idleState() {
        return IdleState.read(liveNodes());
    }

    /**
     * Waits until every running node is idle again: no stream open or pending on any hop, the
     * window budget of each node seen in {@code before} back where it was, and as many sessions
     * held by tunnel-service nodes as the running connectors say they hold. Fails naming each
     * gauge that is not.
     */
    void awaitIdle(String what, IdleState before) {
        long deadline = System.nanoTime() + IdleState.SETTLE.toNanos();
        List<String> problems = IdleState.read(liveNodes()).problems(before);
        while (!problems.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not idle " + IdleState.SETTLE.toSeconds() + " s after " + what + ": "
                        + String.join("; ", problems));
            }
            ManagedProcess.pause();
            problems = IdleState.read(liveNodes()).problems(before);
        }
    }

    private List<Node> liveNodes() {
        synchronized (nodes) {
            return nodes.stream().filter(node -> node.process().alive()).toList();
        }
    }

    /** Every process this system started, in order (e.g. to read all their logs). */
    List<ManagedProcess> processes() {
        return List.copyOf(processes);
    }

    private ManagedProcess start(ManagedProcess process) {
        processes.add(process);
        return process;
    }

    private List<String> jvm(int heapMegabytes) {
        List<String> args = new ArrayList<>(ManagedProcess.OPENS);
        args.add("-Xmx" + heapMegabytes + "m");
        args.add("-Dcluster.name=" + clusterName);
        args.add("-Dcluster.port=" + hazelcastBase);
        args.add("-Dcluster.members=" + hazelcastMembers());
        // The event bus: a port of its own per node, mutual TLS with this system's development cluster CA.
        args.add("-Dcluster.event-bus-port=" + freePort());
        args.add("-Dcluster.tls.dev-certificates-dir=" + certs);
        return args;
    }

    private String hazelcastMembers() {
        return IntStream.range(0, 6)
                .mapToObj(i -> "127.0.0.1:" + (hazelcastBase + i))
                .collect(Collectors.joining(","));
    }

    /**
     * Starts {@link RogueMember} in a JVM of its own: in this system's Hazelcast cluster, with the
     * right name and members, but without a certificate of its cluster CA. It registers fake
     * sessions of {@link #SUBACCOUNT} for {@code locations}.
     */
    ManagedProcess rogue(String id, String... locations) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagedProcess.OPENS);
        command.addAll(List.of(
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                RogueMember.class.getName(),
                clusterName,
                hazelcastMembers(),
                Integer.toString(hazelcastBase),
                dir.resolve(id + "-certs").toString(),
                SUBACCOUNT));
        command.addAll(List.of(locations));
        return start(ManagedProcess.start(name + "-" + id, command));
    }

    /** A connector configuration for the development certificates of this system. */
    /**
     * The tests' reconnect settings: short, so that a test does not wait for the product's
     * backoff (1 s to 30 s, fast phase up to 1.5 s) unless it is about that backoff.
     */
    static final String TEST_RECONNECT = "reconnect:\n  initialDelay: 200ms\n  maxDelay: 2s\n  fastMaxDelay: 300ms\n";

    /** {@code yaml} from {@link #connectorYaml} with the product's reconnect defaults instead of the tests'. */
    static String productReconnect(String yaml) {
        if (!yaml.contains(TEST_RECONNECT)) {
            throw new IllegalArgumentException("no test reconnect settings in\n" + yaml);
        }
        return yaml.replace(TEST_RECONNECT, "");
    }

    String connectorYaml(int tunnelPort, String location, int sessions, String... mappings) {
        return connectorYaml(
                tunnelPort,
                location,
                sessions,
                certs.resolve("connector.pem"),
                certs.resolve("connector-key.pem"),
                mappings);
    }

    String connectorYaml(
            int tunnelPort, String location, int sessions, Path certificate, Path key, String... mappings) {
        StringBuilder yaml = new StringBuilder()
                .append("tunnel:\n")
                .append("  url: wss://localhost:")
                .append(tunnelPort)
                .append("/tunnel\n")
                .append("  certificate: ")
                .append(certificate)
                .append('\n')
                .append("  key: ")
                .append(key)
                .append('\n')
                .append("  ca: ")
                .append(certs.resolve("ca.pem"))
                .append('\n')
                .append("  pingInterval: 1s\n")
                .append("  idleTimeout: 5s\n")
                .append("subaccount: ")
                .append(SUBACCOUNT)
                .append('\n')
                .append("locationId: \"")
                .append(location)
                .append("\"\n")
                .append("connectorId: connector-")
                .append(location.isEmpty() ? "default" : location)
                .append('\n')
                .append("sessions: ")
                .append(sessions)
                .append('\n')
                .append(TEST_RECONNECT)
                .append("accessControl:\n");
        for (String mapping : mappings) {
            yaml.append(mapping);
        }
        return yaml.toString();
    }

    /** One access control entry in YAML; {@code paths} like "/api" or "/api/*" (with sub-paths). */
    static String mapping(String virtualHost, int virtualPort, int internalPort, String protocol, String... paths) {
        StringBuilder yaml = new StringBuilder()
                .append("  - virtualHost: ")
                .append(virtualHost)
                .append('\n')
                .append("    virtualPort: ")
                .append(virtualPort)
                .append('\n')
                .append("    internalHost: 127.0.0.1\n")
                .append("    internalPort: ")
                .append(internalPort)
                .append('\n')
                .append("    protocol: ")
                .append(protocol)
                .append('\n');
        if (paths.length > 0) {
            yaml.append("    paths:\n");
            for (String path : paths) {
                boolean sub = path.endsWith("/*");
                yaml.append("      - path: ")
                        .append(sub ? path.substring(0, path.length() - 2) : path)
                        .append('\n')
                        .append("        includeSubPaths: ")
                        .append(sub)
                        .append('\n');
            }
        }
        return yaml.toString();
    }

    /**
     * Runs {@code start} (a node's start and its wait for readiness, say) on a thread of its own,
     * so that nodes that do not need each other start side by side; {@link Background#join}
     * returns what it returned or throws what it threw. {@link #close} waits for every one first,
     * so that no process starts after the system has stopped.
     */
    <T> Background<T> inBackground(Callable<T> start) {
        FutureTask<T> task = new FutureTask<>(start);
        background.add(task);
        Thread thread = new Thread(task, name + "-start-" + background.size());
        thread.setDaemon(true);
        thread.start();
        return new Background<>(task);
    }

    /** A start running beside the test's thread (see {@link #inBackground}). */
    static final class Background<T> {
        private final FutureTask<T> task;

        private Background(FutureTask<T> task) {
            this.task = task;
        }

        T join() throws Exception {
            try {
                return task.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                if (e.getCause() instanceof Error cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }

    @Override
    public void close() {
        for (FutureTask<?> task : new ArrayList<>(background)) {
            try {
                task.get(START.toSeconds() + 30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Its failure, if any, is the test's to report; the processes it started stop below.
                task.cancel(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<ManagedProcess> all = new ArrayList<>(processes);
        Collections.reverse(all);
        all.forEach(ManagedProcess::close);
    }

    /**
     * A port nothing listens on, from below the kernel's ephemeral range (32768 and up here), so
     * that no outgoing connection (Hazelcast's, a client's) can take it between now and the bind;
     * ports handed out once in this JVM are not handed out again.
     */
    static int freePort() {
        return freePorts(1);
    }

    /** The first of {@code count} consecutive free ports (see {@link #freePort()}). */
    static synchronized int freePorts(int count) {
        for (int attempt = 0; attempt < 2000; attempt++) {
            int base = nextPort;
            nextPort += count;
            if (nextPort > LAST_PORT) {
                nextPort = FIRST_PORT;
                continue;
            }
            if (bindable(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException(
                "no " + count + " free consecutive ports between " + FIRST_PORT + " and " + LAST_PORT);
    }

    private static boolean bindable(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
