package io.connectivityproxy.cluster;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Which cluster members this node routes streams to. Hazelcast open source does not
 * authenticate members: any process that knows the cluster name and reaches a member port can
 * join and write to the session registry. The event bus, however, is mutual TLS with the
 * cluster CA ({@link EventBusTls}), so a member is admitted once it answered a probe sent to its
 * tunnel address {@code cp.tunnel.<nodeId>} over the event bus, naming itself: only a process
 * with a certificate of that CA can receive the probe and send the answer.
 *
 * <p>Members are probed when the registry first shows an entry of theirs, again whenever a
 * member joins, and, while refused, with a back-off from 1 s to 30 s. An admitted member keeps
 * its standing through one missed answer (a loaded node), not two. A member's verdict is
 * forgotten when it leaves. One WARN line names each refused member.
 */
@Singleton
public class MemberAdmission {

    private static final Logger LOG = Logger.getLogger(MemberAdmission.class);
    static final long PROBE_TIMEOUT_MILLIS = 5_000;
    private static final long FIRST_RETRY_MILLIS = 1_000;
    private static final long MAX_RETRY_MILLIS = 30_000;

    /** A member's standing: no answer yet, answered, or failed its last probe. */
    enum State {
        UNDECIDED,
        ADMITTED,
        REFUSED
    }

    /** What this node knows of one member; guarded by its own monitor. */
    private static final class Verdict {
        State state = State.UNDECIDED;
        boolean probing;
        int failures;
        String reason;
        boolean warned;
        long retryTimer = -1;
    }

    private final Vertx vertx;
    private final ClusterNode node;
    private final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();
    private volatile boolean listening;

    public MemberAdmission(Vertx vertx, ClusterNode node) {
        this.vertx = vertx;
        this.node = node;
    }

    /**
     * Answers a probe that arrived on this node's tunnel address; false when {@code message} is
     * not a probe (then it is a frame). Tunnel-service nodes call it for every message.
     */
    public static boolean answerProbe(Message<?> message, String nodeId) {
        String nonce = message.headers().get(BusAddresses.PROBE);
        if (nonce == null) {
            return false;
        }
        message.reply(Buffer.buffer(answer(nodeId, nonce)));
        return true;
    }

    private static String answer(String nodeId, String nonce) {
        return nodeId + "|" + nonce;
    }

    /** True when {@code nodeId} has proved itself; a member not seen before is probed now. Non-blocking. */
    public boolean admitted(String nodeId) {
        if (nodeId.equals(node.nodeId())) {
            return true;
        }
        Verdict verdict = verdicts.get(nodeId);
        if (verdict == null) {
            check(nodeId);
            return false;
        }
        return verdict.state == State.ADMITTED;
    }

    /** Probes {@code nodeId} unless it is admitted, being probed, or waiting for its next retry. */
    public void check(String nodeId) {
        listen();
        if (nodeId.equals(node.nodeId()) || !node.members().contains(nodeId)) {
            return;
        }
        Verdict verdict = verdicts.computeIfAbsent(nodeId, id -> new Verdict());
        synchronized (verdict) {
            if (verdict.probing || verdict.state == State.ADMITTED || verdict.retryTimer != -1) {
                return;
            }
            verdict.probing = true;
        }
        probe(nodeId, verdict);
    }

    /** Probes again now, admitted or not, unless a probe is in flight. */
    private void recheck(String nodeId, Verdict verdict) {
        synchronized (verdict) {
            if (verdict.retryTimer != -1) {
                vertx.cancelTimer(verdict.retryTimer);
                verdict.retryTimer = -1;
            }
            if (verdict.probing
                    || verdicts.get(nodeId) != verdict
                    || !node.members().contains(nodeId)) {
                return;
            }
            verdict.probing = true;
        }
        probe(nodeId, verdict);
    }

    /** Why the last probe of {@code nodeId} failed; empty unless it is refused. */
    public Optional<String> refusal(String nodeId) {
        Verdict verdict = verdicts.get(nodeId);
        if (verdict == null) {
            return Optional.empty();
        }
        synchronized (verdict) {
            return verdict.state == State.REFUSED ? Optional.of(verdict.reason) : Optional.empty();
        }
    }

    /** False while {@code nodeId} is a member that has not answered its first probe yet. */
    boolean decided(String nodeId) {
        Verdict verdict = verdicts.get(nodeId);
        return verdict == null
                || verdict.state != State.UNDECIDED
                || !node.members().contains(nodeId);
    }

    private void probe(String nodeId, Verdict verdict) {
        String nonce = UUID.randomUUID().toString();
        DeliveryOptions options =
                new DeliveryOptions().addHeader(BusAddresses.PROBE, nonce).setSendTimeout(PROBE_TIMEOUT_MILLIS);
        vertx.eventBus()
                .<Buffer>request(BusAddresses.tunnelNode(nodeId), Buffer.buffer(), options)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        answered(nodeId, verdict, describe(ar.cause()), noHandlers(ar.cause()));
                    } else if (!answer(nodeId, nonce)
                            .equals(String.valueOf(ar.result().body()))) {
                        answered(nodeId, verdict, "it answered the probe for another node or nonce", false);
                    } else {
                        answered(nodeId, verdict, null, false);
                    }
                });
    }

    private void answered(String nodeId, Verdict verdict, String failure, boolean mayBeLate) {
        boolean warn = false;
        boolean readmitted = false;
        long delay = 0;
        synchronized (verdict) {
            verdict.probing = false;
            if (verdicts.get(nodeId) != verdict) {
                return;
            }
            if (failure == null) {
                readmitted = verdict.warned;
                verdict.state = State.ADMITTED;
                verdict.failures = 0;
                verdict.reason = null;
                verdict.warned = false;
            } else {
                verdict.failures++;
                verdict.reason = failure;
                // One missed answer of a member that proved itself before is load, not a stranger:
                // it keeps its standing until the retry a second later fails too.
                boolean stillAdmitted = verdict.state == State.ADMITTED && verdict.failures == 1;
                if (!stillAdmitted) {
                    verdict.state = State.REFUSED;
                }
                // A real node's address may reach this node's view of the event bus a moment after
                // its first registry entry: "nothing listens" counts only when it lasts.
                warn = !stillAdmitted && !verdict.warned && (!mayBeLate || verdict.failures > 1);
                verdict.warned |= warn;
                delay = Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(verdict.failures - 1, 5));
                verdict.retryTimer = vertx.setTimer(delay, t -> retry(nodeId, verdict));
            }
        }
        String address = node.addressOf(nodeId).orElse("address unknown");
        if (warn) {
            LOG.warnf(
                    "ignoring the session registry entries of cluster member %s (%s): it did not answer on %s over "
                            + "the mutual-TLS event bus: %s; only a member with a certificate of the cluster CA can. "
                            + "Probing again in %d s",
                    nodeId, address, BusAddresses.tunnelNode(nodeId), failure, delay / 1000);
        } else if (readmitted) {
            LOG.infof(
                    "cluster member %s (%s) answered over the mutual-TLS event bus: its registry entries are used",
                    nodeId, address);
        } else if (failure != null) {
            LOG.debugf("cluster member %s still not admitted: %s", nodeId, failure);
        }
    }

    private void retry(String nodeId, Verdict verdict) {
        synchronized (verdict) {
            verdict.retryTimer = -1;
        }
        recheck(nodeId, verdict);
    }

    /** A member joined: everything known is checked again, refused members at once. */
    void recheckAll() {
        verdicts.forEach(this::recheck);
    }

    private void forget(String nodeId) {
        Verdict verdict = verdicts.remove(nodeId);
        if (verdict != null) {
            synchronized (verdict) {
                if (verdict.retryTimer != -1) {
                    vertx.cancelTimer(verdict.retryTimer);
                }
            }
        }
    }

    private void listen() {
        if (!listening) {
            synchronized (this) {
                if (!listening) {
                    node.onMemberJoined(id -> recheckAll());
                    node.onMemberLeft(this::forget);
                    listening = true;
                }
            }
        }
    }

    private static boolean noHandlers(Throwable cause) {
        return cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
    }

    private static String describe(Throwable cause) {
        if (cause instanceof ReplyException reply) {
            switch (reply.failureType()) {
                case TIMEOUT:
                    return "no answer within " + PROBE_TIMEOUT_MILLIS / 1000 + " s (an event bus connection "
                            + "the cluster CA does not vouch for fails its TLS handshake)";
                case NO_HANDLERS:
                    return "nothing listens on that address";
                default:
                    return reply.getMessage();
            }
        }
        return String.valueOf(cause);
    }
}
