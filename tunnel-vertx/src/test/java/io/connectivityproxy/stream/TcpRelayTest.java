package io.connectivityproxy.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.TargetProtocol;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;

/**
 * The relay between a real loopback socket (a blocking client) and a tunnel stream whose peer is
 * played by the test: the frames the stream sends are recorded, the peer's are dispatched to it.
 * Whatever the client does, the stream must end: completed with FIN both ways, or reset.
 */
class TcpRelayTest {

    private static final int WINDOW = 256 * 1024;
    private static final int CHUNK = 16 * 1024;

    private Vertx vertx;
    private NetServer server;
    private final List<Frame> sent = new CopyOnWriteArrayList<>();
    private StreamMultiplexer mux;
    private final CompletableFuture<TunnelStream> bridged = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        mux = new StreamMultiplexer(frame -> sent.add(decode(frame)), 1, WINDOW, CHUNK);
        server = vertx.createNetServer().connectHandler(socket -> {
            socket.pause();
            Context context = vertx.getOrCreateContext();
            TunnelStream stream = mux.open(context, TargetProtocol.TCP, "echo.virtual", 7, new byte[0]);
            // The peer accepts at once (dispatched on this context, so handled right now).
            mux.dispatch(new Frame.OpenOk(stream.id(), WINDOW));
            TcpRelay.bridge(socket, stream, n -> {}, n -> {}, () -> {});
            bridged.complete(stream);
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aClientThatHalfClosesAndThenResetsWhileTheAnswerIsComingResetsTheStream() throws Exception {
        TunnelStream stream;
        try (Socket client = connect()) {
            stream = bridged.get(10, TimeUnit.SECONDS);
            client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            await(() -> sentOf(stream).contains("FIN"), "the client's EOF became FIN");
            client.setSoLinger(true, 0);
        }
        // The answer keeps coming after the client's RST; writing it to the socket fails. Sent in
        // small frames until the stream is gone (never more than its window), as an echo would.
        byte[] answer = new byte[512];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int sentBytes = 0; mux.contains(stream.id()) && sentBytes + answer.length <= WINDOW; ) {
            assertTrue(System.nanoTime() < deadline, "the stream was still open 10 s after the client's RST");
            mux.dispatch(new Frame.Data(stream.id(), answer));
            sentBytes += answer.length;
            Thread.sleep(20);
        }
        await(() -> !mux.contains(stream.id()), "the stream is released");
        assertEquals(TunnelStream.State.CLOSED, stream.state());
        assertTrue(sentOf(stream).contains("RST CANCELLED"), "the peer is told: " + sentOf(stream));
    }

    @Test
    void aClientThatResetsBeforeItsEofResetsTheStream() throws Exception {
        TunnelStream stream;
        try (Socket client = connect()) {
            stream = bridged.get(10, TimeUnit.SECONDS);
            client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            await(() -> sentOf(stream).contains("DATA 7"), "the request went into the stream");
            client.setSoLinger(true, 0);
        }
        await(() -> !mux.contains(stream.id()), "the stream is released");
        assertEquals(List.of("DATA 7", "RST CANCELLED"), sentOf(stream));
    }

    @Test
    void aClientThatHalfClosesAndReadsTheWholeAnswerCompletesTheStreamWithoutAReset() throws Exception {
        TunnelStream stream;
        byte[] answer = "the whole answer".getBytes(StandardCharsets.US_ASCII);
        try (Socket client = connect()) {
            stream = bridged.get(10, TimeUnit.SECONDS);
            client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            await(() -> sentOf(stream).contains("FIN"), "the client's EOF became FIN");
            mux.dispatch(new Frame.Data(stream.id(), answer));
            mux.dispatch(new Frame.Fin(stream.id()));
            assertArrayEquals(answer, client.getInputStream().readAllBytes(), "the answer, then EOF");
        }
        await(() -> !mux.contains(stream.id()), "the stream is released");
        assertTrue(stream.completed(), "FIN both ways");
        assertFalse(sentOf(stream).contains("RST CANCELLED"), "no reset: " + sentOf(stream));
    }

    private Socket connect() throws Exception {
        Socket client = new Socket();
        // A small receive buffer: an answer the client does not read stays queued on the relay's side.
        client.setReceiveBufferSize(4096);
        client.setSoTimeout(10_000);
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.actualPort()), 10_000);
        return client;
    }

    /** What the stream sent its peer, one line per frame: "DATA n", "FIN", "RST reason". */
    private List<String> sentOf(TunnelStream stream) {
        return sent.stream()
                .filter(frame -> frame.streamId() == stream.id())
                .<String>mapMulti((frame, out) -> {
                    if (frame instanceof Frame.Data data) {
                        out.accept("DATA " + data.payload().length);
                    } else if (frame instanceof Frame.Fin) {
                        out.accept("FIN");
                    } else if (frame instanceof Frame.Rst rst) {
                        out.accept("RST " + rst.reason());
                    }
                })
                .toList();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
            Thread.sleep(10);
        }
    }

    private static Frame decode(Buffer frame) {
        try {
            return FrameCodec.decode(frame.getBytes());
        } catch (ProtocolException e) {
            throw new AssertionError("the stream sent an undecodable frame", e);
        }
    }
}
