package io.connectivityproxy.tunnel.channel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.connectivityproxy.tunnel.channel.MappingFile.NotYamlException;
import io.connectivityproxy.tunnel.channel.ServiceMappingReader.MappingSet;
import io.vertx.core.Vertx;

/**
 * ServiceMappings from a YAML file, checked every poll interval on a Vert.x timer and read on a
 * worker thread. A changed file that parses replaces the mappings; one that cannot be parsed (or
 * read) leaves the previous mappings in force and is reported once; a missing file means no
 * mappings. The content is compared, not the modification time, so a ConfigMap's atomic
 * symlink swap and a same-second edit are both seen.
 */
final class FileSource implements MappingSource {

    private static final Logger LOG = Logger.getLogger(FileSource.class);

    /** What the file on disk is, as of the last check. */
    enum State {
        NOT_READ,
        /** It does not exist: no mappings. */
        MISSING,
        /** Its content is in force. */
        IN_FORCE,
        /** It cannot be parsed or read: the mappings read before stay in force. */
        REFUSED
    }

    private final Vertx vertx;
    private final Path file;
    private final Duration pollInterval;
    private final ServiceMappingReader reader;
    private final Sink sink;

    // Used by one check at a time: the first runs in start(), each later one on a worker after the
    // previous has finished (the timer is only set again then).
    private State state = State.NOT_READ;
    private byte[] digest;
    private String refusal;
    private MappingSet inForce = MappingSet.EMPTY;

    private volatile boolean stopped;
    private volatile long timer = -1;
    private final AtomicLong checks = new AtomicLong();

    FileSource(Vertx vertx, Path file, Duration pollInterval, ServiceMappingReader reader, Sink sink) {
        this.vertx = vertx;
        this.file = file;
        this.pollInterval = pollInterval;
        this.reader = reader;
        this.sink = sink;
    }

    /** Reads the file once, here and now (not on an event loop), then watches it. */
    @Override
    public void start() {
        LOG.infof("service mappings: reading %s, checked every %s", file, pollInterval);
        check();
        schedule();
    }

    @Override
    public void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
    }

    State state() {
        return state;
    }

    /** How many looks at the file have finished. */
    long checks() {
        return checks.get();
    }

    private void schedule() {
        if (!stopped) {
            timer = vertx.setTimer(pollInterval.toMillis(), id -> vertx.executeBlocking(
                            () -> {
                                check();
                                return null;
                            },
                            false)
                    .onComplete(done -> {
                        if (done.failed()) {
                            LOG.errorf(done.cause(), "service mappings: checking %s failed", file);
                        }
                        schedule();
                    }));
        }
    }

    /** One look at the file; publishes only when what is in force or what is wrong changed. */
    void check() {
        try {
            look();
        } finally {
            checks.incrementAndGet();
        }
    }

    private void look() {
        byte[] content;
        try {
            if (Files.size(file) > MappingFile.MAX_BYTES) {
                refuse(null, "it has more than " + MappingFile.MAX_BYTES + " bytes");
                return;
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            missing();
            return;
        } catch (IOException e) {
            refuse(null, "it cannot be read (" + Untrusted.text(String.valueOf(e.getMessage()), 200) + ")");
            return;
        }
        byte[] newDigest = sha256(content);
        if (Arrays.equals(newDigest, digest)) {
            return;
        }
        try {
            MappingSet set = reader.read(MappingFile.documents(content));
            digest = newDigest;
            state = State.IN_FORCE;
            refusal = null;
            inForce = set;
            LOG.infof(
                    "service mappings: %d in force from %s, %d problems",
                    set.entries().size(), file, set.problems().size());
            sink.publish(set, List.of());
        } catch (NotYamlException e) {
            refuse(newDigest, e.getMessage());
        }
    }

    private void missing() {
        if (state == State.MISSING) {
            return;
        }
        state = State.MISSING;
        digest = null;
        refusal = null;
        inForce = MappingSet.EMPTY;
        LOG.warnf("service mappings: %s does not exist; no service mappings are in force until it does", file);
        sink.publish(MappingSet.EMPTY, List.of("mappings file " + file + " does not exist: no service mappings"));
    }

    /** The file on disk is not used; what was in force stays in force. */
    private void refuse(byte[] newDigest, String why) {
        digest = newDigest;
        if (state == State.REFUSED && why.equals(refusal)) {
            return;
        }
        state = State.REFUSED;
        refusal = why;
        String kept = inForce.entries().isEmpty()
                ? "no service mappings are in force"
                : "the " + inForce.entries().size() + " service mappings read before stay in force";
        String problem = "mappings file " + file + " on disk is not in force: " + why + "; " + kept;
        LOG.error("service mappings: " + problem);
        sink.publish(inForce, List.of(problem));
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
