package io.connectivityproxy.stream.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServerOptions;

/**
 * {@link BodyWriter} on a real loopback connection: it writes on the Vert.x server socket's
 * context, and a plain socket reads exactly what went on the wire.
 */
class BodyWriterTest {

    /** Small socket buffers, so the write queue fills while the peer does not read. */
    private static final int SOCKET_BUFFER = 16 * 1024;

    private Loopback loopback;
    private Socket peer;
    private Loopback.Accepted server;

    @BeforeEach
    void start() throws Exception {
        loopback = new Loopback(new NetServerOptions().setSendBufferSize(SOCKET_BUFFER));
        peer = new Socket();
        peer.setReceiveBufferSize(SOCKET_BUFFER);
        server = loopback.connect(peer);
    }

    @AfterEach
    void stop() throws Exception {
        peer.close();
        loopback.close();
    }

    @Test
    void lengthBodyGoesOnTheWireAsWritten() throws Exception {
        BodyWriter writer = writer(BodyWriter.Framing.LENGTH, 11);
        List<Future<Void>> results = server.on(() -> List.of(
                writer.write(text("hello")), writer.write(text("")), writer.write(text(" world")), writer.end()));

        for (Future<Void> result : results) {
            assertNull(failureOf(result));
        }
        assertEquals("hello world", wire(11));
        assertEquals(11L, server.on(writer::written));
        assertNothingMoreOnTheWire();
    }

    @Test
    void chunkedBodyFramesEachWriteAsOneChunk() throws Exception {
        BodyWriter writer = writer(BodyWriter.Framing.CHUNKED, -1);
        List<Future<Void>> results = server.on(() -> List.of(
                writer.write(text("hello")),
                writer.write(text("")),
                writer.write(text("x".repeat(300))),
                writer.write(text("abcdef").slice(1, 4)),
                writer.end()));

        for (Future<Void> result : results) {
            assertNull(failureOf(result));
        }
        String expected = "5\r\nhello\r\n" + "12c\r\n" + "x".repeat(300) + "\r\n" + "3\r\nbcd\r\n" + "0\r\n\r\n";
        assertEquals(expected, wire(expected.length()), "an empty write writes no chunk: that would end the body");
        assertEquals(308L, server.on(writer::written));
        assertNothingMoreOnTheWire();
    }

    @Test
    void chunkedBodyWithoutContentIsTheLastChunkAlone() throws Exception {
        BodyWriter writer = writer(BodyWriter.Framing.CHUNKED, -1);
        assertNull(failureOf(server.on(writer::end)));

        assertEquals("0\r\n\r\n", wire(5));
        assertNothingMoreOnTheWire();
    }

    @Test
    void rawBodyGoesOnTheWireAsWrittenAndEndAddsNothing() throws Exception {
        BodyWriter writer = writer(BodyWriter.Framing.RAW, -1);
        List<Future<Void>> results =
                server.on(() -> List.of(writer.write(text("until ")), writer.write(text("close")), writer.end()));

        for (Future<Void> result : results) {
            assertNull(failureOf(result));
        }
        assertEquals("until close", wire(11));
        assertNothingMoreOnTheWire();
    }

    @Test
    void endFailsWhenTheLengthBodyIsShort() throws Exception {
        BodyWriter writer = writer(BodyWriter.Framing.LENGTH, 10);
        assertNull(failureOf(server.on(() -> writer.write(text("abcd")))));

        Throwable failure = failureOf(server.on(writer::end));

        assertInstanceOf(IllegalStateException.class, failure);
        assertEquals("the body ended after 4 of 10 bytes", failure.getMessage());
        assertEquals("abcd", wire(4));
        assertNothingMoreOnTheWire();
    }

    @Test
    void writeBeyondTheContentLengthFailsAndIsNotCounted() throws Exception {
        BodyWriter writer = writer(BodyWriter.Framing.LENGTH, 5);
        assertNull(failureOf(server.on(() -> writer.write(text("abc")))));

        Throwable tooLong = failureOf(server.on(() -> writer.write(text("defgh"))));

        assertInstanceOf(IllegalStateException.class, tooLong);
        assertEquals("the body is longer than its Content-Length 5", tooLong.getMessage());
        assertEquals(3L, server.on(writer::written), "the refused bytes were not written");
        Throwable end = failureOf(server.on(writer::end));
        assertEquals(
                "the body ended after 3 of 5 bytes",
                end == null ? null : end.getMessage(),
                "two of the five bytes never went out: the body must not pass as complete");
        assertEquals("abc", wire(3));
        assertNothingMoreOnTheWire();
    }

    @Test
    void writeAfterEndFails() throws Exception {
        BodyWriter writer = writer(BodyWriter.Framing.RAW, -1);
        assertNull(failureOf(server.on(writer::end)));

        Throwable failure = failureOf(server.on(() -> writer.write(text("late"))));

        assertEquals("the body is already complete", failure.getMessage());
        assertNothingMoreOnTheWire();
    }

    @Test
    void writeQueueFullAndDrainFollowTheSocket() throws Exception {
        BodyWriter writer = writer(BodyWriter.Framing.RAW, -1);
        Buffer block = Buffer.buffer(new byte[16 * 1024]);
        CompletableFuture<Void> drained = new CompletableFuture<>();

        int blocks = server.on(() -> {
            writer.setWriteQueueMaxSize(8 * 1024);
            assertFalse(writer.writeQueueFull());
            int n = 0;
            // The peer reads nothing yet: its buffers and then the write queue fill.
            while (!writer.writeQueueFull() && n < 10_000) {
                writer.write(block);
                n++;
            }
            assertTrue(server.socket().writeQueueFull(), "full exactly when the socket is");
            // Far more than the socket buffers hold, so only the peer's reading can drain the queue.
            for (int i = 0; i < 64; i++) {
                writer.write(block);
            }
            writer.drainHandler(v -> drained.complete(null));
            return n + 64;
        });
        assertTrue(blocks < 10_000, "the write queue never filled");
        assertTrue(server.on(writer::writeQueueFull));
        assertFalse(drained.isDone(), "no drain while the peer reads nothing");

        assertEquals(blocks * block.length(), peer.getInputStream().readNBytes(blocks * block.length()).length);

        drained.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertFalse(server.on(writer::writeQueueFull));
    }

    private BodyWriter writer(BodyWriter.Framing framing, long length) throws Exception {
        return server.on(() -> new BodyWriter(server.socket(), framing, length));
    }

    private static Buffer text(String text) {
        return Buffer.buffer(text.getBytes(ISO_8859_1));
    }

    /** Exactly {@code length} bytes from the wire, as text. */
    private String wire(int length) throws Exception {
        byte[] bytes = peer.getInputStream().readNBytes(length);
        return new String(bytes, ISO_8859_1);
    }

    /** Closes the server's side; the peer must then read the end of the stream, no stray byte. */
    private void assertNothingMoreOnTheWire() throws Exception {
        server.run(() -> server.socket().close());
        assertEquals(-1, peer.getInputStream().read());
    }

    /** Waits for {@code result}; its failure, or null if it succeeded. */
    private static Throwable failureOf(Future<?> result) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        result.onComplete(done -> outcome.complete(done.cause()));
        return outcome.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
