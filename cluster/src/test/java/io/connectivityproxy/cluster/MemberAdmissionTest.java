package io.connectivityproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.cluster.TestSettings.TestTls;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * Three clustered Vert.x nodes in one Hazelcast cluster: two members with certificates of the
 * cluster CA, and a rogue that joined Hazelcast with the right name but holds a certificate of
 * its own CA (and trusts anyone). The event bus connects the members and refuses the rogue both
 * ways; admission admits the member and refuses the rogue; the registry ignores the rogue's entries.
 */
class MemberAdmissionTest {

    private static final Path DIR = Path.of("target", "member-admission-" + UUID.randomUUID());
    private static final String NAME = "admission-test-" + UUID.randomUUID();

    static Vertx member;
    static Vertx other;
    static Vertx rogue;
    static final AtomicInteger memberReceived = new AtomicInteger();
    static final AtomicInteger rogueReceived = new AtomicInteger();
    static ClusterNode memberNode;
    static String otherId;
    static String rogueId;
    static int base;
    static List<String> members;
    static TestTls clusterTls;

    @BeforeAll
    static void start() throws Exception {
        base = freePorts(4);
        members = IntStream.range(0, 4).mapToObj(i -> "127.0.0.1:" + (base + i)).toList();
        clusterTls = TestTls.devDir(DIR.resolve("cluster"));
        member = clustered(new TestSettings(NAME, base, members, 0, clusterTls), null);
        other = clustered(new TestSettings(NAME, base, members, 0, clusterTls), null);
        rogue = clustered(new TestSettings(NAME, base, members, 0, clusterTls), rogueEventBus());
        memberNode = new ClusterNode(member);
        otherId = new ClusterNode(other).nodeId();
        rogueId = new ClusterNode(rogue).nodeId();
        await("three members", () -> memberNode.members().size() == 3);
        // What a tunnel-service node does on its address; the rogue knows the protocol too.
        answerOnTunnelAddress(member, memberNode.nodeId(), memberReceived);
        answerOnTunnelAddress(other, otherId, new AtomicInteger());
        answerOnTunnelAddress(rogue, rogueId, rogueReceived);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Vertx vertx : new Vertx[] {rogue, other, member}) {
            if (vertx != null) {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void membersWithTheClusterCaExchangeMessages() throws Exception {
        Buffer reply = other.eventBus()
                .<Buffer>request(
                        BusAddresses.tunnelNode(memberNode.nodeId()),
                        Buffer.buffer("hello"),
                        new DeliveryOptions().setSendTimeout(10_000))
                .toCompletionStage()
                .toCompletableFuture()
                .get(15, TimeUnit.SECONDS)
                .body();
        assertEquals("got hello", reply.toString());
    }

    @Test
    void aNodeWithoutTheClusterCaCanNeitherSendNorReceive() throws Exception {
        int before = memberReceived.get();
        assertTimesOut(rogue, BusAddresses.tunnelNode(memberNode.nodeId()));
        assertTimesOut(member, BusAddresses.tunnelNode(rogueId));
        assertEquals(before, memberReceived.get(), "the member received a message from the rogue");
        assertEquals(0, rogueReceived.get(), "the rogue received a message");
    }

    @Test
    void admissionAdmitsTheMemberAndRefusesTheRogue() {
        MemberAdmission admission = new MemberAdmission(member, memberNode);
        admission.check(otherId);
        admission.check(rogueId);
        // A first probe may time out on a loaded machine; a refused member is probed again within a second.
        await("the member is admitted", () -> admission.admitted(otherId));
        await("a verdict on the rogue", () -> admission.decided(rogueId));
        assertTrue(admission.admitted(memberNode.nodeId()), "a node admits itself");
        assertTrue(!admission.admitted(rogueId));
        assertTrue(
                admission.refusal(rogueId).orElseThrow().startsWith("no answer within 5 s"),
                admission.refusal(rogueId).toString());
        assertEquals(0, rogueReceived.get(), "the probe reached the rogue");
    }

    @Test
    void anAdmittedMemberKeepsItsStandingThroughOneMissedAnswerOnly() throws Exception {
        Vertx fourth = clustered(new TestSettings(NAME, base, members, 0, clusterTls), null);
        try {
            String fourthId = new ClusterNode(fourth).nodeId();
            var consumer = answerOnTunnelAddress(fourth, fourthId, new AtomicInteger());
            MemberAdmission admission = new MemberAdmission(member, memberNode);
            await("the fourth member is admitted", () -> admission.admitted(fourthId));

            consumer.unregister().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            admission.recheckAll();
            // The first failure comes within milliseconds; the retry that may refuse, a second later.
            Thread.sleep(300);
            assertTrue(admission.admitted(fourthId), "refused after one missed answer");
            await("refused after the retry failed too", () -> !admission.admitted(fourthId));
            assertEquals(Optional.of("nothing listens on that address"), admission.refusal(fourthId));
        } finally {
            fourth.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRegistryIgnoresTheRoguesEntriesAndKeepsTheMembersOnes() {
        SessionKey shared = new SessionKey("sub-1", "");
        SessionKey rogueOnly = new SessionKey("sub-1", "rogue-only");
        new SessionRegistry(other, new ClusterNode(other), new MemberAdmission(other, new ClusterNode(other)))
                .register(shared, "real-session")
                .toCompletionStage()
                .toCompletableFuture()
                .join();
        var map = new ClusterNode(rogue).hazelcast().<String, String>getMultiMap(SessionRegistry.MAP_NAME);
        map.put("sub-1|", rogueId + "|fake-1");
        map.put("sub-1|rogue-only", rogueId + "|fake-2");
        map.put("sub-1|malformed", "no-separator");
        map.put("not a key", rogueId + "|fake-3");

        SessionRegistry registry = new SessionRegistry(member, memberNode, new MemberAdmission(member, memberNode));
        registry.start();

        await("the rogue is refused", () -> registry.ignoredMembers() == 1);
        assertEquals(List.of(otherId), registry.nodesFor(shared));
        assertEquals(List.of(), registry.nodesFor(rogueOnly));
        assertEquals(Map.of(shared, List.of(otherId + "|real-session")), registry.snapshot());
        SessionRegistry.IgnoredMember ignored = registry.ignored().get(0);
        assertEquals(rogueId, ignored.nodeId());
        assertEquals(3, ignored.entries());
        assertEquals(3, registry.ignoredEntries());
        assertTrue(ignored.address().contains("127.0.0.1"), ignored.address());
    }

    private static void assertTimesOut(Vertx from, String address) throws Exception {
        try {
            from.eventBus()
                    .request(address, Buffer.buffer("hello"), new DeliveryOptions().setSendTimeout(3_000))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(15, TimeUnit.SECONDS);
            throw new AssertionError("a request to " + address + " was answered");
        } catch (ExecutionException e) {
            ReplyException failure = assertInstanceOf(ReplyException.class, e.getCause());
            assertEquals(ReplyFailure.TIMEOUT, failure.failureType(), failure.toString());
        }
    }

    private static MessageConsumer<Buffer> answerOnTunnelAddress(Vertx vertx, String nodeId, AtomicInteger received)
            throws Exception {
        boolean countProbes = vertx == rogue;
        var consumer = vertx.eventBus().<Buffer>consumer(BusAddresses.tunnelNode(nodeId), message -> {
            if (countProbes) {
                received.incrementAndGet();
            }
            if (!MemberAdmission.answerProbe(message, nodeId)) {
                received.addAndGet(countProbes ? 0 : 1);
                message.reply(Buffer.buffer("got " + message.body()));
            }
        });
        var registered = io.vertx.core.Promise.<Void>promise();
        consumer.completionHandler(registered);
        registered.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return consumer;
    }

    /** A node configured as the services configure theirs, or with {@code eventBus} instead of cluster.tls. */
    private static Vertx clustered(TestSettings settings, EventBusOptions eventBus) throws Exception {
        VertxOptions options = new VertxOptions();
        new HazelcastClusterCustomizer(settings).accept(options);
        if (eventBus != null) {
            options.setEventBusOptions(eventBus);
        }
        return Vertx.clusteredVertx(options)
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    /** TLS with a certificate of another CA, trusting every server: the best a stranger can do. */
    private static EventBusOptions rogueEventBus() {
        Path dir = DIR.resolve("rogue");
        CertificateAuthority own = CertificateAuthority.create("rogue CA");
        own.issueMember("rogue").write(dir, "rogue");
        return new EventBusOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setSsl(true)
                .setTrustAll(true)
                .setClientAuth(ClientAuth.NONE)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(dir.resolve("rogue.pem").toString())
                        .setKeyPath(dir.resolve("rogue-key.pem").toString()));
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Consecutive free ports below the ephemeral range and apart from the end-to-end tests' range. */
    private static int freePorts(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 14_000 + ThreadLocalRandom.current().nextInt(4_000);
            if (IntStream.range(base, base + count).allMatch(MemberAdmissionTest::bindable)) {
                return base;
            }
        }
        throw new IllegalStateException("no free ports");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
