package io.connectivityproxy.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.protocol.WindowBudget;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * Credit-based flow control and the lifecycle of tunnel streams, on a real Vert.x context, with
 * the frames each side would put on the wire recorded and decoded.
 */
class TunnelStreamTest {

    private static final int WINDOW = 1024;
    private static final int CHUNK = 256;

    private Vertx vertx;
    private Context context;
    private final List<Frame> sent = new CopyOnWriteArrayList<>();
    private final FrameSink sink = frame -> sent.add(decode(frame));
    private StreamMultiplexer mux;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
        mux = new StreamMultiplexer(sink, 1, WINDOW, CHUNK);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // ---- opening -----------------------------------------------------------------------------

    @Test
    void openSendsOpenWithTheReceiveWindow() throws Exception {
        TunnelStream stream = on(() -> mux.open(context, TargetProtocol.HTTP, "erp.virtual", 80, new byte[] {1, 2, 3}));

        List<Frame> frames = takeSent();
        assertEquals(1, frames.size());
        Frame.Open open = assertInstanceOf(Frame.Open.class, frames.get(0));
        assertEquals(1, open.streamId());
        assertEquals(TargetProtocol.HTTP, open.protocol());
        assertEquals("erp.virtual", open.host());
        assertEquals(80, open.port());
        assertEquals(WINDOW, open.window());
        assertArrayEquals(new byte[] {1, 2, 3}, open.head());

        assertEquals(1, stream.id());
        assertEquals(WINDOW, stream.receiveWindow());
        assertEquals(TunnelStream.State.OPENING, stream.state());
        assertFalse(stream.opened().isComplete());
        assertEquals(1, mux.size());
        assertTrue(mux.contains(1));

        TunnelStream second = on(() -> mux.open(context, TargetProtocol.TCP, "db.virtual", 5432, new byte[0]));
        assertEquals(3, second.id(), "this side opens odd ids");
        assertEquals(List.of("OPEN(3, TCP db.virtual:5432, window 1024)"), describe(takeSent()));
    }

    @Test
    void openFrameCanGoThroughAnotherSink() throws Exception {
        List<Frame> routed = new CopyOnWriteArrayList<>();
        TunnelStream stream = on(() -> mux.open(
                context, TargetProtocol.TCP, "db.virtual", 5432, new byte[0], frame -> routed.add(decode(frame))));
        assertEquals(List.of("OPEN(1, TCP db.virtual:5432, window 1024)"), describe(routed));
        assertEquals(List.of(), takeSent());

        deliver(new Frame.OpenOk(stream.id(), WINDOW));
        on(() -> stream.write(Buffer.buffer(bytes(10))));
        assertEquals(List.of("DATA(1, 10)"), describe(takeSent()), "everything after OPEN uses the multiplexer's sink");
    }

    @Test
    void openFailFailsOpenedAndFreesTheId() throws Exception {
        TunnelStream stream = openStream();
        Future<Void> written = on(() -> stream.write(Buffer.buffer(bytes(10))));

        deliver(new Frame.OpenFail(stream.id(), Reason.NO_MAPPING, "Access denied to system erp.virtual:80"));

        StreamException failure =
                assertInstanceOf(StreamException.class, stream.opened().cause());
        assertEquals(Reason.NO_MAPPING, failure.reason());
        assertEquals("Access denied to system erp.virtual:80", failure.getMessage());
        assertSame(failure, written.cause());
        assertEquals(TunnelStream.State.CLOSED, stream.state());
        assertEquals(0, mux.size());
        assertEquals(List.of(), takeSent());
    }

    @Test
    void acceptSendsOpenOkAndSendsWithinThePeersWindow() throws Exception {
        StreamMultiplexer acceptor = new StreamMultiplexer(sink, 2, WINDOW, CHUNK);
        Frame.Open open = new Frame.Open(1, TargetProtocol.TCP, "db.virtual", 5432, 500, new byte[0]);

        TunnelStream stream = on(() -> acceptor.incoming(context, open));
        assertEquals(1, stream.id());
        assertEquals(1, acceptor.size());
        assertNull(on(() -> acceptor.incoming(context, open)), "the id is taken");
        assertEquals(List.of(), takeSent(), "nothing is answered before the owner decides");

        on(() -> {
            stream.accept(open.window());
            return stream.write(Buffer.buffer(bytes(600)));
        });

        assertEquals(List.of("OPEN_OK(1, window 1024)", "DATA(1, 256)", "DATA(1, 244)"), describe(takeSent()));
        assertTrue(stream.opened().succeeded());
        assertEquals(TunnelStream.State.OPEN, stream.state());
    }

    @Test
    void rejectSendsOpenFail() throws Exception {
        StreamMultiplexer acceptor = new StreamMultiplexer(sink, 2, WINDOW, CHUNK);
        Frame.Open open = new Frame.Open(3, TargetProtocol.HTTP, "erp.virtual", 80, WINDOW, new byte[0]);
        TunnelStream stream = on(() -> acceptor.incoming(context, open));

        run(() -> stream.reject(Reason.NO_MAPPING, "Access denied to system erp.virtual:80"));

        List<Frame> frames = takeSent();
        assertEquals(
                List.of(new Frame.OpenFail(3, Reason.NO_MAPPING, "Access denied to system erp.virtual:80")), frames);
        assertEquals(TunnelStream.State.CLOSED, stream.state());
        assertEquals(Reason.NO_MAPPING, ((StreamException) stream.opened().cause()).reason());
        assertEquals(0, acceptor.size());

        run(() -> stream.accept(WINDOW));
        assertEquals(List.of(), takeSent(), "a rejected stream stays rejected");
    }

    // ---- sending -----------------------------------------------------------------------------

    @Test
    void writesBeforeOpenOkAreHeldThenSentInChunksWithinTheCredit() throws Exception {
        TunnelStream stream = openStream();
        byte[] payload = bytes(1000);

        Future<Void> written = on(() -> stream.write(Buffer.buffer(payload)));
        assertEquals(List.of(), takeSent(), "no credit before OPEN_OK");
        assertFalse(written.isComplete());

        deliver(new Frame.OpenOk(stream.id(), 600));
        assertTrue(stream.opened().succeeded());
        assertEquals(TunnelStream.State.OPEN, stream.state());
        List<Frame> first = takeSent();
        assertEquals(
                List.of("DATA(1, 256)", "DATA(1, 256)", "DATA(1, 88)"),
                describe(first),
                "chunks of at most 256, 600 bytes of credit in all");
        assertFalse(written.isComplete());

        deliver(new Frame.WindowUpdate(stream.id(), 1000));
        List<Frame> second = takeSent();
        assertEquals(List.of("DATA(1, 256)", "DATA(1, 144)"), describe(second));
        assertTrue(written.succeeded());

        List<Frame> all = new ArrayList<>(first);
        all.addAll(second);
        assertArrayEquals(payload, payloadOf(all));
    }

    @Test
    void nothingIsSentBeyondTheCreditUntilAWindowUpdate() throws Exception {
        TunnelStream stream = openedStream(100);

        Future<Void> first = on(() -> stream.write(Buffer.buffer(bytes(60))));
        Future<Void> second = on(() -> stream.write(Buffer.buffer(bytes(60))));
        assertEquals(List.of("DATA(1, 60)", "DATA(1, 40)"), describe(takeSent()));
        assertTrue(first.succeeded());
        assertFalse(second.isComplete());

        deliver(new Frame.WindowUpdate(stream.id(), 10));
        assertEquals(List.of("DATA(1, 10)"), describe(takeSent()));
        assertFalse(second.isComplete());

        deliver(new Frame.WindowUpdate(stream.id(), 500));
        assertEquals(List.of("DATA(1, 10)"), describe(takeSent()));
        assertTrue(second.succeeded());
    }

    @Test
    void writeQueueFullUntilCreditDrainsIt() throws Exception {
        TunnelStream stream = openedStream(0);
        AtomicInteger drains = new AtomicInteger();
        run(() -> stream.drainHandler(v -> drains.incrementAndGet()));

        on(() -> stream.write(Buffer.buffer(bytes(100))));
        assertFalse(on(stream::writeQueueFull));
        on(() -> stream.write(Buffer.buffer(bytes(156))));
        assertTrue(on(stream::writeQueueFull), "queue limit defaults to one chunk");
        assertEquals(0, drains.get());

        deliver(new Frame.WindowUpdate(stream.id(), 100));
        assertEquals(List.of("DATA(1, 100)"), describe(takeSent()));
        assertFalse(on(stream::writeQueueFull));
        assertEquals(1, drains.get());

        deliver(new Frame.WindowUpdate(stream.id(), 156));
        assertEquals(List.of("DATA(1, 156)"), describe(takeSent()));
        assertEquals(1, drains.get(), "drain is signalled once, when the queue stops being full");
    }

    @Test
    void writeQueueMaxSizeIsConfigurable() throws Exception {
        TunnelStream stream = openedStream(0);
        run(() -> stream.setWriteQueueMaxSize(1000));
        on(() -> stream.write(Buffer.buffer(bytes(999))));
        assertFalse(on(stream::writeQueueFull));
        on(() -> stream.write(Buffer.buffer(bytes(1))));
        assertTrue(on(stream::writeQueueFull));
    }

    @Test
    void endSendsFinAfterTheQueuedData() throws Exception {
        TunnelStream stream = openedStream(0);
        Future<Void> written = on(() -> stream.write(Buffer.buffer(bytes(300))));
        Future<Void> ended = on(stream::end);
        assertEquals(List.of(), takeSent());
        assertFalse(ended.isComplete());

        deliver(new Frame.WindowUpdate(stream.id(), 300));

        assertEquals(List.of("DATA(1, 256)", "DATA(1, 44)", "FIN(1)"), describe(takeSent()));
        assertTrue(written.succeeded());
        assertTrue(ended.succeeded());
        Future<Void> late = on(() -> stream.write(Buffer.buffer(bytes(1))));
        assertInstanceOf(IllegalStateException.class, late.cause());
        assertEquals(TunnelStream.State.OPEN, stream.state(), "the other direction is still open");
    }

    // ---- receiving ---------------------------------------------------------------------------

    @Test
    void windowUpdateOnlyAfterDeliveryBatchedToHalfAWindow() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<Integer> framesSentWhenDelivered = new CopyOnWriteArrayList<>();
        List<Integer> received = new CopyOnWriteArrayList<>();
        run(() -> stream.handler(buffer -> {
            framesSentWhenDelivered.add(sent.size());
            received.add(buffer.length());
        }));

        deliver(new Frame.Data(stream.id(), bytes(300)));
        assertEquals(List.of(300), received);
        assertEquals(List.of(), takeSent(), "300 bytes are less than half the window");

        deliver(new Frame.Data(stream.id(), bytes(300)));
        assertEquals(List.of(300, 300), received);
        assertEquals(List.of(0, 0), framesSentWhenDelivered, "credit is returned only after the handler had the data");
        assertEquals(List.of("WINDOW_UPDATE(1, 600)"), describe(takeSent()));

        deliver(new Frame.Data(stream.id(), bytes(100)));
        assertEquals(List.of(), takeSent());
    }

    @Test
    void pausedStreamKeepsDataAndGrantsNoCreditUntilResumed() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<byte[]> received = new CopyOnWriteArrayList<>();
        run(() -> stream.handler(buffer -> received.add(buffer.getBytes())).pause());

        byte[] first = bytes(600);
        byte[] second = bytes(424);
        deliver(new Frame.Data(stream.id(), first));
        deliver(new Frame.Data(stream.id(), second));
        assertEquals(0, received.size());
        assertEquals(List.of(), takeSent(), "a whole window is buffered and no credit is returned");

        run(stream::resume);
        assertEquals(2, received.size());
        assertArrayEquals(first, received.get(0));
        assertArrayEquals(second, received.get(1));
        assertEquals(List.of("WINDOW_UPDATE(1, 600)"), describe(takeSent()));
    }

    @Test
    void fetchDeliversOneBufferAtATime() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<Integer> received = new CopyOnWriteArrayList<>();
        run(() -> stream.handler(buffer -> received.add(buffer.length())).pause());
        deliver(new Frame.Data(stream.id(), bytes(10)));
        deliver(new Frame.Data(stream.id(), bytes(20)));
        deliver(new Frame.Data(stream.id(), bytes(30)));

        run(() -> stream.fetch(1));
        assertEquals(List.of(10), received);
        run(() -> stream.fetch(2));
        assertEquals(List.of(10, 20, 30), received);
    }

    @Test
    void dataBeyondTheGrantedWindowIsAFlowControlError() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<Integer> received = new CopyOnWriteArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        run(() -> stream.handler(buffer -> received.add(buffer.length()))
                .pause()
                .closeHandler(v -> closed.incrementAndGet()));

        deliver(new Frame.Data(stream.id(), bytes(WINDOW)));
        assertEquals(List.of(), takeSent(), "exactly the window is fine");

        deliver(new Frame.Data(stream.id(), bytes(1)));
        assertEquals(List.of("RST(1, FLOW_CONTROL_ERROR)"), describe(takeSent()));
        assertEquals(TunnelStream.State.CLOSED, stream.state());
        assertEquals(0, mux.size());
        assertEquals(1, closed.get());

        run(stream::resume);
        assertEquals(List.of(), received, "buffered data of a reset stream is dropped");
    }

    @Test
    void flowControlErrorIsReportedToTheReader() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        run(() -> stream.handler(buffer -> {}).exceptionHandler(failures::add));

        deliver(new Frame.Data(stream.id(), bytes(WINDOW + 1)));

        assertEquals(1, failures.size());
        assertEquals(Reason.FLOW_CONTROL_ERROR, ((StreamException) failures.get(0)).reason());
    }

    @Test
    void dataFrameBiggerThanTheWholeWindowIsRefusedAtOnce() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<Integer> received = new CopyOnWriteArrayList<>();
        run(() -> stream.handler(buffer -> received.add(buffer.length())));

        deliver(new Frame.Data(stream.id(), bytes(WINDOW + 1)));

        assertEquals(List.of("RST(1, FLOW_CONTROL_ERROR)"), describe(takeSent()));
        assertEquals(List.of(), received);
    }

    @Test
    void windowUpdateOverflowIsAFlowControlError() throws Exception {
        TunnelStream stream = openedStream(FrameCodec.MAX_WINDOW);
        deliver(new Frame.WindowUpdate(stream.id(), 1));
        assertEquals(List.of("RST(1, FLOW_CONTROL_ERROR)"), describe(takeSent()));
        assertEquals(0, mux.size());
    }

    @Test
    void dataAfterFinIsAProtocolError() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        run(() -> stream.handler(buffer -> {}));
        deliver(new Frame.Fin(stream.id()));
        deliver(new Frame.Data(stream.id(), bytes(1)));
        assertEquals(List.of("RST(1, PROTOCOL_ERROR)"), describe(takeSent()));
    }

    @Test
    void finReachesTheEndHandlerAfterQueuedDataAndOnlyWithDemand() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<String> events = new CopyOnWriteArrayList<>();
        run(() -> stream.handler(buffer -> events.add("data " + buffer.length()))
                .endHandler(v -> events.add("end"))
                .pause());

        deliver(new Frame.Data(stream.id(), bytes(600)));
        deliver(new Frame.Fin(stream.id()));
        assertEquals(List.of(), events);

        run(() -> stream.fetch(1));
        assertEquals(List.of("data 600"), events, "the end waits for demand like data does");

        run(() -> stream.fetch(1));
        assertEquals(List.of("data 600", "end"), events);
        assertEquals(List.of(), takeSent(), "no credit is returned to a peer that has finished");
    }

    @Test
    void finWithoutPauseFollowsTheData() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<String> events = new CopyOnWriteArrayList<>();
        run(() ->
                stream.handler(buffer -> events.add("data " + buffer.length())).endHandler(v -> events.add("end")));

        deliver(new Frame.Data(stream.id(), bytes(7)));
        deliver(new Frame.Fin(stream.id()));

        assertEquals(List.of("data 7", "end"), events);
    }

    @Test
    void framesDispatchedFromAnotherThreadRunOnTheStreamsContext() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        List<Boolean> onStreamContext = new CopyOnWriteArrayList<>();
        run(() -> stream.handler(buffer -> onStreamContext.add(Vertx.currentContext() == context)));

        mux.dispatch(new Frame.Data(stream.id(), bytes(5)));
        run(() -> {});

        assertEquals(List.of(true), onStreamContext);
    }

    @Test
    void framesForUnknownStreamsAreDropped() throws Exception {
        deliver(new Frame.Data(99, bytes(5)));
        deliver(new Frame.Rst(97, Reason.CANCELLED, "late"));
        assertEquals(List.of(), takeSent());
        assertEquals(0, mux.size());
    }

    // ---- resets and closing ------------------------------------------------------------------

    @Test
    void rstFailsTheStreamWithThePeersReason() throws Exception {
        TunnelStream stream = openedStream(0);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        run(() -> stream.exceptionHandler(failures::add).closeHandler(v -> closed.incrementAndGet()));
        Future<Void> written = on(() -> stream.write(Buffer.buffer(bytes(100))));
        Future<Void> ended = on(stream::end);

        deliver(new Frame.Rst(stream.id(), Reason.BACKEND_RESET, "backend erp.corp:8080 reset the connection"));

        assertEquals(1, failures.size());
        StreamException failure = assertInstanceOf(StreamException.class, failures.get(0));
        assertEquals(Reason.BACKEND_RESET, failure.reason());
        assertEquals("backend erp.corp:8080 reset the connection", failure.getMessage());
        assertSame(failure, written.cause());
        assertSame(failure, ended.cause());
        assertEquals(1, closed.get());
        assertEquals(TunnelStream.State.CLOSED, stream.state());
        assertEquals(0, mux.size());
        assertEquals(List.of(), takeSent(), "a reset is not answered");

        Future<Void> late = on(() -> stream.write(Buffer.buffer(bytes(1))));
        assertEquals(Reason.CANCELLED, ((StreamException) late.cause()).reason());
    }

    @Test
    void localResetSendsRstAndFailsPendingWrites() throws Exception {
        TunnelStream stream = openedStream(0);
        Future<Void> written = on(() -> stream.write(Buffer.buffer(bytes(100))));

        run(() -> stream.reset(Reason.CANCELLED, "the client closed the connection"));

        assertEquals(List.of(new Frame.Rst(1, Reason.CANCELLED, "the client closed the connection")), takeSent());
        assertEquals(Reason.CANCELLED, ((StreamException) written.cause()).reason());
        assertEquals(0, mux.size());

        run(() -> stream.reset(Reason.CANCELLED, "again"));
        assertEquals(List.of(), takeSent(), "one RST per stream");
    }

    @Test
    void loseAllFailsEveryStreamWithoutSendingAnything() throws Exception {
        TunnelStream opening = openStream();
        TunnelStream open = openedStream(0);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        run(() -> open.exceptionHandler(failures::add));
        Future<Void> written = on(() -> open.write(Buffer.buffer(bytes(100))));
        assertEquals(2, mux.size());

        mux.loseAll(Reason.SESSION_LOST, "the session to tunnel-service closed");
        assertEquals(0, mux.size());
        run(() -> {});

        assertEquals(Reason.SESSION_LOST, ((StreamException) opening.opened().cause()).reason());
        assertEquals(1, failures.size());
        assertEquals(Reason.SESSION_LOST, ((StreamException) failures.get(0)).reason());
        assertEquals(Reason.SESSION_LOST, ((StreamException) written.cause()).reason());
        assertEquals(TunnelStream.State.CLOSED, opening.state());
        assertEquals(TunnelStream.State.CLOSED, open.state());
        assertEquals(List.of(), takeSent());
    }

    @Test
    void streamIsUnregisteredWhenBothDirectionsHaveEnded() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        AtomicInteger closed = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        run(() -> stream.handler(buffer -> {})
                .endHandler(v -> ended.incrementAndGet())
                .closeHandler(v -> closed.incrementAndGet()));

        on(stream::end);
        assertEquals(List.of("FIN(1)"), describe(takeSent()));
        assertEquals(1, mux.size(), "half-closed: the peer may still send");
        assertEquals(TunnelStream.State.OPEN, stream.state());

        deliver(new Frame.Fin(stream.id()));

        assertEquals(1, ended.get());
        assertEquals(1, closed.get());
        assertEquals(TunnelStream.State.CLOSED, stream.state());
        assertEquals(0, mux.size());
    }

    @Test
    void streamIsUnregisteredWhenThePeerEndedFirst() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        run(() -> stream.handler(buffer -> {}));
        deliver(new Frame.Fin(stream.id()));
        assertEquals(1, mux.size());

        Future<Void> ended = on(stream::end);

        assertTrue(ended.succeeded());
        assertEquals(List.of("FIN(1)"), describe(takeSent()));
        assertEquals(0, mux.size());
        assertEquals(TunnelStream.State.CLOSED, stream.state());
    }

    // ---- window growth -----------------------------------------------------------------------

    /** The frame that uses up the credit while more is queued says BLOCKED; no other frame does. */
    @Test
    void dataThatExhaustsTheCreditWithMoreQueuedIsFlaggedBlocked() throws Exception {
        List<Buffer> raw = new CopyOnWriteArrayList<>();
        StreamMultiplexer sender = new StreamMultiplexer(raw::add, 1, WINDOW, CHUNK);
        TunnelStream stream = on(() -> sender.open(context, TargetProtocol.TCP, "db.virtual", 5432, new byte[0]));
        run(() -> sender.dispatch(new Frame.OpenOk(stream.id(), 600)));
        raw.clear();

        on(() -> stream.write(Buffer.buffer(bytes(700))));
        assertEquals(List.of("256 flags 0", "256 flags 0", "88 flags 1"), dataFrames(raw));

        raw.clear();
        run(() -> sender.dispatch(new Frame.WindowUpdate(stream.id(), 100)));
        assertEquals(List.of("100 flags 0"), dataFrames(raw), "the last bytes fit: nothing more waits");

        raw.clear();
        run(() -> sender.dispatch(new Frame.WindowUpdate(stream.id(), 10)));
        on(() -> stream.write(Buffer.buffer(bytes(10))));
        assertEquals(List.of("10 flags 0"), dataFrames(raw), "credit used up exactly, nothing queued: not blocked");
    }

    /**
     * A receiver whose window held the sender back (BLOCKED) and whose reader keeps up doubles
     * its window with each update, up to the maximum, and gives the growth back on close.
     */
    @Test
    void receiveWindowGrowsWhileTheSenderIsBlockedAndTheReaderKeepsUp() throws Exception {
        WindowBudget budget = new WindowBudget(1 << 20);
        StreamMultiplexer receiver = new StreamMultiplexer(sink, 1, WINDOW, 4 * WINDOW, budget, CHUNK);
        TunnelStream stream = openedOn(receiver);
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        run(() -> stream.handler(buffer -> read.writeBytes(buffer.getBytes())));

        List<String> updates = new ArrayList<>();
        for (int window : new int[] {WINDOW, 2 * WINDOW, 4 * WINDOW}) {
            Buffer frame = FrameBuffers.data(stream.id(), Buffer.buffer(bytes(window)), window, true);
            on(() -> {
                receiver.dispatch(frame);
                return null;
            });
            updates.addAll(describe(takeSent()));
        }
        assertEquals(
                List.of("WINDOW_UPDATE(1, 2048)", "WINDOW_UPDATE(1, 4096)", "WINDOW_UPDATE(1, 4096)"),
                updates,
                "each update returns what was read plus the growth, up to 4 x 1024");
        assertEquals(4 * WINDOW, stream.receiveWindow());
        assertEquals(7 * WINDOW, read.size());
        assertEquals((1 << 20) - 3 * WINDOW, budget.available());

        run(() -> stream.reset(Reason.CANCELLED, "done"));
        assertEquals(1 << 20, budget.available(), "the growth goes back to the budget");
    }

    @Test
    void receiveWindowDoesNotGrowWithoutBlockedOrWhileTheReaderIsPaused() throws Exception {
        WindowBudget budget = new WindowBudget(1 << 20);
        StreamMultiplexer receiver = new StreamMultiplexer(sink, 1, WINDOW, 4 * WINDOW, budget, CHUNK);
        TunnelStream stream = openedOn(receiver);
        run(() -> stream.handler(buffer -> {}));

        Buffer unflagged = FrameBuffers.data(stream.id(), Buffer.buffer(bytes(600)), 600, false);
        on(() -> {
            receiver.dispatch(unflagged);
            return null;
        });
        assertEquals(List.of("WINDOW_UPDATE(1, 600)"), describe(takeSent()), "the sender had credit left");

        run(stream::pause);
        for (int i = 0; i < 2; i++) {
            Buffer blocked = FrameBuffers.data(stream.id(), Buffer.buffer(bytes(512)), 512, true);
            on(() -> {
                receiver.dispatch(blocked);
                return null;
            });
        }
        run(() -> stream.fetch(1));
        assertEquals(List.of("WINDOW_UPDATE(1, 512)"), describe(takeSent()), "half is still buffered: no growth");
        assertEquals(WINDOW, stream.receiveWindow());
        assertEquals(1 << 20, budget.available());
    }

    /** Malformed encoded frames are refused with the codec's message, before any stream sees them. */
    @Test
    void encodedFramesAreCheckedBeforeDispatch() throws Exception {
        TunnelStream stream = openedStream(WINDOW);
        Buffer badFlags = FrameBuffers.data(stream.id(), Buffer.buffer(bytes(10)), 10, false);
        badFlags.setByte(1, (byte) 2);
        ProtocolException e = assertThrows(ProtocolException.class, () -> mux.dispatch(badFlags));
        assertEquals("DATA flags must be 0 or 1 (BLOCKED), got 2", e.getMessage());
        Buffer shortFrame = Buffer.buffer(new byte[] {0x13, 0, 0, 0});
        e = assertThrows(ProtocolException.class, () -> mux.dispatch(shortFrame));
        assertEquals("frame of 4 bytes is shorter than its header", e.getMessage());
        Buffer longer = FrameBuffers.data(stream.id(), Buffer.buffer(bytes(10)), 10, false)
                .appendByte((byte) 1);
        e = assertThrows(ProtocolException.class, () -> mux.dispatch(longer));
        assertEquals("payload length 10 does not match the 11 bytes that follow the header", e.getMessage());
    }

    /** A stream {@code receiver} opened and the peer accepted with a whole window; the record is cleared. */
    private TunnelStream openedOn(StreamMultiplexer receiver) throws Exception {
        TunnelStream stream = on(() -> receiver.open(context, TargetProtocol.TCP, "db.virtual", 5432, new byte[0]));
        run(() -> receiver.dispatch(new Frame.OpenOk(stream.id(), WINDOW)));
        takeSent();
        return stream;
    }

    private static List<String> dataFrames(List<Buffer> frames) {
        List<String> out = new ArrayList<>();
        for (Buffer frame : frames) {
            if (frame.getByte(0) == FrameCodec.TYPE_DATA) {
                out.add(frame.getInt(6) + " flags " + frame.getByte(1));
            }
        }
        return out;
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** A stream this side opened; its OPEN frame is taken off the record. */
    private TunnelStream openStream() throws Exception {
        TunnelStream stream = on(() -> mux.open(context, TargetProtocol.TCP, "db.virtual", 5432, new byte[0]));
        takeSent();
        return stream;
    }

    /** A stream this side opened and the peer accepted with {@code credit} bytes of window. */
    private TunnelStream openedStream(int credit) throws Exception {
        TunnelStream stream = openStream();
        deliver(new Frame.OpenOk(stream.id(), credit));
        assertTrue(stream.opened().succeeded());
        return stream;
    }

    /** A frame from the peer, dispatched on the event loop as the session's reader does. */
    private void deliver(Frame frame) throws Exception {
        run(() -> mux.dispatch(frame));
    }

    private <T> T on(Callable<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                result.complete(action.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(5, TimeUnit.SECONDS);
    }

    private void run(Runnable action) throws Exception {
        on(() -> {
            action.run();
            return null;
        });
    }

    private List<Frame> takeSent() {
        List<Frame> frames = List.copyOf(sent);
        sent.clear();
        return frames;
    }

    private static Frame decode(Buffer frame) {
        try {
            return FrameCodec.decode(frame.getBytes());
        } catch (ProtocolException e) {
            throw new AssertionError("the stream sent an undecodable frame", e);
        }
    }

    private static List<String> describe(List<Frame> frames) {
        List<String> out = new ArrayList<>();
        for (Frame frame : frames) {
            if (frame instanceof Frame.Open f) {
                out.add("OPEN(" + f.streamId() + ", " + f.protocol() + " " + f.host() + ":" + f.port() + ", window "
                        + f.window() + ")");
            } else if (frame instanceof Frame.OpenOk f) {
                out.add("OPEN_OK(" + f.streamId() + ", window " + f.window() + ")");
            } else if (frame instanceof Frame.OpenFail f) {
                out.add("OPEN_FAIL(" + f.streamId() + ", " + f.reason() + ")");
            } else if (frame instanceof Frame.Data f) {
                out.add("DATA(" + f.streamId() + ", " + f.payload().length + ")");
            } else if (frame instanceof Frame.WindowUpdate f) {
                out.add("WINDOW_UPDATE(" + f.streamId() + ", " + f.increment() + ")");
            } else if (frame instanceof Frame.Fin f) {
                out.add("FIN(" + f.streamId() + ")");
            } else if (frame instanceof Frame.Rst f) {
                out.add("RST(" + f.streamId() + ", " + f.reason() + ")");
            } else {
                out.add(frame.toString());
            }
        }
        return out;
    }

    private static byte[] payloadOf(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            if (frame instanceof Frame.Data data) {
                out.writeBytes(data.payload());
            }
        }
        return out.toByteArray();
    }

    private static byte[] bytes(int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (i * 31 + 7);
        }
        return out;
    }
}
