package io.connectivityproxy.connector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;

/**
 * Watches the connector's file by polling its content: every poll interval, on a worker thread,
 * it reads the file through its path and compares a digest of the bytes with the last ones seen.
 * Comparing content rather than modification times or directory events sees every way a file is
 * replaced: an edit in place, an editor's write-to-temporary-then-rename, and a Kubernetes
 * ConfigMap's atomic swap of the {@code ..data} symlink. A changed file that loads is handed to
 * the listener; one that does not leaves what is in force alone and is reported once per content.
 */
final class ConfigWatcher {

    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class);

    /** What the file on disk is compared with the configuration in force. */
    enum State {
        /** The file on disk is the configuration in force. */
        IN_FORCE,
        /** The file on disk cannot be used (unreadable, missing or invalid); the previous configuration stays. */
        REFUSED
    }

    /** A snapshot for readiness, metrics and the status page. */
    record Status(State state, String problem, Instant checkedAt, Instant appliedAt, List<String> needRestart) {}

    private final Vertx vertx;
    private final Path file;
    private final Duration interval;
    private final Consumer<ConnectorSettings> listener;
    private final ConnectorMetrics metrics;
    private byte[] digest;
    private volatile Status status;
    private volatile boolean stopped;
    private volatile long timer = -1;

    /** {@code initial} is the content the process started from (its digest is the baseline). */
    ConfigWatcher(
            Vertx vertx,
            Path file,
            Duration interval,
            byte[] initial,
            Consumer<ConnectorSettings> listener,
            ConnectorMetrics metrics) {
        this.vertx = vertx;
        this.file = file;
        this.interval = interval;
        this.listener = listener;
        this.metrics = metrics;
        this.digest = sha256(initial);
        Instant now = Instant.now();
        this.status = new Status(State.IN_FORCE, null, now, now, List.of());
    }

    void start() {
        LOG.infof(
                "watching %s for changes (checked every %s); access control list and service channels apply " + "live",
                file, interval.toMillis() + " ms");
        schedule();
    }

    void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
    }

    Status status() {
        return status;
    }

    Path file() {
        return file;
    }

    /** Records the fields that the file in force changes but only a restart applies. */
    void needRestart(List<String> fields) {
        Status now = status;
        status = new Status(now.state(), now.problem(), now.checkedAt(), now.appliedAt(), List.copyOf(fields));
    }

    private void schedule() {
        if (stopped) {
            return;
        }
        timer = vertx.setTimer(interval.toMillis(), id -> vertx.executeBlocking(
                        () -> {
                            check();
                            return null;
                        },
                        false)
                .onComplete(done -> {
                    if (done.failed()) {
                        LOG.errorf(done.cause(), "checking %s failed", file);
                    }
                    schedule();
                }));
    }

    /** One look at the file; blocking (file I/O), never on an event loop. */
    void check() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            refuse(null, file + ": file not found");
            return;
        } catch (IOException e) {
            refuse(null, file + ": cannot read: " + e.getMessage());
            return;
        }
        byte[] newDigest = sha256(content);
        if (Arrays.equals(newDigest, digest)) {
            return;
        }
        digest = newDigest;
        ConnectorSettings next;
        try {
            next = ConfigLoader.load(file);
        } catch (ConfigLoader.InvalidConfigException e) {
            refuse(newDigest, e.getMessage());
            return;
        }
        boolean wasRefused = status.state() == State.REFUSED;
        Instant now = Instant.now();
        status = new Status(State.IN_FORCE, null, now, now, status.needRestart());
        metrics.configInForce(true);
        metrics.configReloaded();
        if (wasRefused) {
            LOG.infof("%s is valid again", file);
        }
        listener.accept(next);
    }

    private void refuse(byte[] newDigest, String problem) {
        Status before = status;
        if (before.state() == State.REFUSED && problem.equals(before.problem())) {
            return;
        }
        digest = newDigest;
        status = new Status(State.REFUSED, problem, Instant.now(), before.appliedAt(), before.needRestart());
        metrics.configInForce(false);
        metrics.configReloadFailed();
        LOG.errorf(
                "invalid configuration, not applied: %s; the configuration read at %s stays in force",
                problem, before.appliedAt());
    }

    static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
