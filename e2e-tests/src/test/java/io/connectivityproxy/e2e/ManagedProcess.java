package io.connectivityproxy.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** One real executable started by a test: output goes to a log file the test can read. */
final class ManagedProcess implements AutoCloseable {

    static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    static final Path LOGS = ROOT.resolve("e2e-tests/target/e2e-logs");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Hazelcast asks for these on JDK 17; without them it logs a warning and runs slower. */
    static final List<String> OPENS = List.of(
            "--add-modules",
            "java.se",
            "--add-exports",
            "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.management/sun.management=ALL-UNNAMED",
            "--add-opens",
            "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    /**
     * Which build of the connector the tests start: {@code jvm} (the default, quarkus-run.jar) or
     * {@code native} ({@code -De2e.connector=native}: the executable of {@code mvn package -Dnative -pl connector}).
     */
    static final boolean NATIVE_CONNECTOR = nativeConnector(System.getProperty("e2e.connector", "jvm"));

    final String name;
    final Path log;
    private final Process process;

    private ManagedProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code java [jvmArgs] -jar <module>/target/quarkus-app/quarkus-run.jar}. */
    static ManagedProcess quarkusApp(String name, String module, List<String> jvmArgs) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(ROOT.resolve(module + "/target/quarkus-app/quarkus-run.jar").toString());
        return start(name, command);
    }

    /** Starts the connector, the JVM build or the native executable (see {@link #NATIVE_CONNECTOR}), with these options. */
    static ManagedProcess connector(String name, List<String> options) {
        return connector(name, options, List.of());
    }

    /** The same with program arguments after the options, e.g. {@code check}. */
    static ManagedProcess connector(String name, List<String> options, List<String> arguments) {
        List<String> command = new ArrayList<>();
        if (NATIVE_CONNECTOR) {
            command.add(nativeConnectorExecutable().toString());
            // A native executable takes -Xmx and -D options as the JVM does.
            command.addAll(options);
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(options);
            command.add("-jar");
            command.add(
                    ROOT.resolve("connector/target/quarkus-app/quarkus-run.jar").toString());
        }
        command.addAll(arguments);
        return start(name, command);
    }

    /** connector/target/*-runner; fails with the command that builds it when there is none. */
    static Path nativeConnectorExecutable() {
        try (var files = Files.list(ROOT.resolve("connector/target"))) {
            return files.filter(file -> file.getFileName().toString().endsWith("-runner") && Files.isExecutable(file))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("-De2e.connector=native, but connector/target has no"
                            + " native executable; build it with mvn -B package -Dnative -DskipTests -pl connector -am"
                            + " -Dquarkus.native.graalvm-home=<GraalVM or Mandrel>"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean nativeConnector(String which) {
        return switch (which) {
            case "jvm" -> false;
            case "native" -> true;
            default -> throw new IllegalArgumentException("e2e.connector is jvm or native, not " + which);
        };
    }

    static ManagedProcess start(String name, List<String> command) {
        return start(name, command, Map.of());
    }

    /** Starts {@code command} in the project root with these environment variables added. */
    static ManagedProcess start(String name, List<String> command, Map<String, String> environment) {
        try {
            Files.createDirectories(LOGS);
            Path log = LOGS.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .directory(ROOT.toFile())
                    .start();
            return new ManagedProcess(name, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until {@code url} answers 200; fails with the log's tail if the process dies or time runs out. */
    ManagedProcess awaitHttpOk(String url, Duration timeout) {
        await("GET " + url + " answers 200", timeout, () -> status(url) == 200);
        return this;
    }

    /** Waits for a condition; checks that this process is still alive while waiting. */
    void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        name + " exited with " + process.exitValue() + " while waiting until " + what + "\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + " (" + name + ")\n" + tail());
            }
            pause();
        }
    }

    boolean logContains(String text) {
        return logText().contains(text);
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    String tail() {
        String text = logText();
        return "---- last lines of " + log + " ----\n" + text.substring(Math.max(0, text.length() - 4000));
    }

    boolean alive() {
        return process.isAlive();
    }

    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + "\n" + tail());
        }
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: the process gets no chance to say goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL if it does not stop in time. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int status(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
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

    static String get(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polling interval of condition waits: these wait for a state, never for a fixed time. */
    static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
