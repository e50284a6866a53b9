package io.connectivityproxy.stream.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.connectivityproxy.protocol.http.BodyFraming;
import io.connectivityproxy.protocol.http.HttpException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;

/**
 * {@link Http1Reader} on a real loopback connection: a plain socket writes raw bytes, the reader
 * runs on the Vert.x server socket's context. The server socket is seen through a recorder that
 * notes each read it hands the reader and whether the reader last paused or resumed it.
 */
class Http1ReaderTest {

    private static final int MAX_HEAD = 8192;
    /** Small socket buffers, so a peer writing a large body blocks soon once nobody reads. */
    private static final int SOCKET_BUFFER = 16 * 1024;
    /** How long the peer's socket must stay unwritable to count as blocked. */
    private static final long QUIET_MILLIS = 300;

    private static final String GET = "GET http://erp.virtual/orders HTTP/1.1\r\nHost: erp.virtual\r\n\r\n";
    private static final String NEXT = "GET http://erp.virtual/next HTTP/1.1\r\nHost: erp.virtual\r\n\r\n";
    private static final BodyFraming UNTIL_CLOSE = new BodyFraming(BodyFraming.Kind.UNTIL_CLOSE, -1, List.of());

    private Loopback loopback;
    private Socket peer;
    private Loopback.Accepted server;
    private Http1Reader reader;

    /** The length of each read the socket handed the reader, added once the reader handled it. */
    private final BlockingQueue<Integer> reads = new LinkedBlockingQueue<>();

    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicInteger largestRead = new AtomicInteger();
    /** True when the reader's last call on the socket was pause, false after resume or fetch. */
    private final AtomicBoolean socketPaused = new AtomicBoolean(true);
    /** What the head handler was told, as text: the head, "closed" or "failed STATUS: message". */
    private final BlockingQueue<String> heads = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        loopback = new Loopback(new NetServerOptions().setReceiveBufferSize(SOCKET_BUFFER));
    }

    @AfterEach
    void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
        loopback.close();
    }

    // ---- heads -------------------------------------------------------------------------------

    @Test
    void headSplitAcrossManySmallWritesIsDeliveredWhole() throws Exception {
        open();
        readHead(MAX_HEAD);
        String head = "GET http://erp.virtual/orders?id=7 HTTP/1.1\r\nHost: erp.virtual\r\nAccept: */*\r\n\r\n";
        int pieces = 0;
        for (int i = 0; i < head.length(); i += 3) {
            String piece = head.substring(i, Math.min(i + 3, head.length()));
            send(piece);
            assertEquals(piece.length(), nextRead(), "each piece arrives as a read of its own");
            pieces++;
            if (i + 3 < head.length()) {
                assertNull(heads.peek(), "no head before its empty line, after " + (i + 3) + " bytes");
                assertEquals(i + 3, server.on(reader::buffered));
            }
        }
        assertEquals(head, nextHead());
        assertEquals(0, server.on(reader::buffered));
        assertTrue(pieces > 20, "the head took " + pieces + " reads");
    }

    @Test
    void pipelinedRequestIsKeptUntilItsHeadIsAskedFor() throws Exception {
        open();
        readHead(MAX_HEAD);
        send(GET + NEXT);

        assertEquals(GET, nextHead());
        assertEquals(NEXT.length(), server.on(reader::buffered), "the second request's bytes are kept");
        assertNull(heads.peek(), "the second head is not read before it is asked for");
        assertTrue(server.on(() -> socketPaused.get()), "nothing more is read from the client meanwhile");

        readHead(MAX_HEAD);
        assertEquals(NEXT, nextHead());
        assertEquals(0, server.on(reader::buffered));
    }

    @Test
    void eofBeforeAnyHeadIsClosed() throws Exception {
        open();
        readHead(MAX_HEAD);
        peer.shutdownOutput();

        assertEquals("closed", nextHead());
        assertTrue(server.on(reader::ended));
    }

    @Test
    void eofAfterAMessageIsClosedWhenTheNextHeadIsAskedFor() throws Exception {
        open();
        readHead(MAX_HEAD);
        send(GET);
        assertEquals(GET, nextHead());
        peer.shutdownOutput();

        readHead(MAX_HEAD);
        assertEquals("closed", nextHead());
    }

    @Test
    void eofInsideAHeadIsBadRequest() throws Exception {
        open();
        readHead(MAX_HEAD);
        send("GET http://erp.virtual/ HTTP/1.1\r\nHo");
        peer.shutdownOutput();

        assertEquals("failed 400: the connection closed inside a message head", nextHead());
    }

    @Test
    void headOverTheMaximumIs431() throws Exception {
        open();
        readHead(64);
        send("GET http://erp.virtual/" + "a".repeat(100) + " HTTP/1.1\r\n");

        assertEquals("failed 431: the head exceeds 64 bytes", nextHead());
        assertTrue(server.on(() -> socketPaused.get()), "a failed head stops reading");
    }

    // ---- bodies ------------------------------------------------------------------------------

    @Test
    void contentLengthBodyInTheHeadsWriteThenThePipelinedHead() throws Exception {
        open();
        readHead(MAX_HEAD);
        String head = "POST http://erp.virtual/orders HTTP/1.1\r\nContent-Length: 11\r\n\r\n";
        send(head + "hello world" + NEXT);
        assertEquals(head, nextHead());

        Received body = server.on(() -> new Received(reader.body(BodyFraming.length(11))));
        assertEquals("end", body.outcome());
        assertEquals("hello world", body.text());
        assertEquals(NEXT.length(), server.on(reader::buffered), "bytes past the body wait for the next head");

        readHead(MAX_HEAD);
        assertEquals(NEXT, nextHead());
    }

    @Test
    void chunkedBodyInTheHeadsWriteThenThePipelinedHead() throws Exception {
        open();
        readHead(MAX_HEAD);
        String head = "POST http://erp.virtual/orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        send(head + "5\r\nhello\r\n6;note=x\r\n world\r\n0\r\nChecksum: 1\r\n\r\n" + NEXT);
        assertEquals(head, nextHead());

        Received body = server.on(() -> new Received(reader.body(BodyFraming.CHUNKED)));
        assertEquals("end", body.outcome());
        assertEquals("hello world", body.text());

        readHead(MAX_HEAD);
        assertEquals(NEXT, nextHead());
    }

    @Test
    void contentLengthBodySplitByteByByte() throws Exception {
        open();
        readHead(MAX_HEAD);
        send("POST http://erp.virtual/orders HTTP/1.1\r\nContent-Length: 5\r\n\r\n");
        nextHead();
        Received body = server.on(() -> new Received(reader.body(BodyFraming.length(5))));

        sendByteByByte("hello");

        assertEquals("end", body.outcome());
        assertEquals("hello", body.text());
        assertEquals(5, body.buffers(), "each byte is passed on as it arrives");
    }

    @Test
    void chunkedBodySplitByteByByte() throws Exception {
        open();
        readHead(MAX_HEAD);
        send("POST http://erp.virtual/orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        nextHead();
        Received body = server.on(() -> new Received(reader.body(BodyFraming.CHUNKED)));

        sendByteByByte("5\r\nhello\r\nA;n=1\r\n, world!!!\r\n0\r\nChecksum: 1\r\n\r\n");

        assertEquals("end", body.outcome());
        assertEquals("hello, world!!!", body.text());
        assertEquals(15, body.buffers());
    }

    @Test
    void largeBodyIsReadOnlyAsFastAsItsConsumerFetches() throws Exception {
        byte[] data = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(data);
        int stopAt = 1024 * 1024;
        SocketChannel channel = SocketChannel.open();
        channel.socket().setSendBufferSize(SOCKET_BUFFER);
        open(channel.socket());
        readHead(MAX_HEAD);
        String head = "POST http://erp.virtual/upload HTTP/1.1\r\nContent-Length: " + data.length + "\r\n\r\n";
        send(head);
        assertEquals(head, nextHead());

        AtomicBoolean consumerStopped = new AtomicBoolean();
        CompletableFuture<Long> blockedAt = new CompletableFuture<>();
        CompletableFuture<Long> written = new CompletableFuture<>();
        new Thread(() -> writeAll(channel, data, consumerStopped, blockedAt, written), "peer-writer").start();
        PacedConsumer consumer = server.on(
                () -> new PacedConsumer(reader.body(BodyFraming.length(data.length)), stopAt, consumerStopped));

        long peerWrote = blockedAt.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Progress stopped = server.on(() -> new Progress(
                consumer.delivered,
                consumer.buffers,
                consumer.fetched,
                bytesRead.get(),
                largestRead.get(),
                socketPaused.get()));
        assertTrue(peerWrote < data.length, "the peer could write all of the body: nothing held it back");
        assertFalse(written.isDone());
        assertEquals(stopped.fetched(), stopped.buffers(), "one buffer per fetch, none unasked for");
        assertTrue(stopped.delivered() >= stopAt);
        assertTrue(stopped.socketPaused(), "the reader paused the socket");
        long held = stopped.read() - head.length() - stopped.delivered();
        assertTrue(held <= stopped.largestRead(), "the reader holds at most one read, not " + held + ": " + stopped);
        assertTrue(
                peerWrote - stopped.read() < 1024 * 1024,
                "what the socket buffers below the reader stays " + "bounded: " + (peerWrote - stopped.read()) + " of "
                        + peerWrote + " written");

        server.run(consumer::resume);

        assertEquals("end", consumer.end.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(data.length, written.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        CRC32 expected = new CRC32();
        expected.update(data);
        assertEquals(data.length, server.on(() -> consumer.delivered));
        assertEquals(expected.getValue(), server.on(() -> consumer.crc.getValue()), "every byte intact, in order");
    }

    @Test
    void untilCloseBodyEndsWithTheConnection() throws Exception {
        open();
        readHead(MAX_HEAD);
        send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
        nextHead();
        Received body = server.on(() -> new Received(reader.body(UNTIL_CLOSE)));

        send("streamed until ");
        send("the close");
        peer.shutdownOutput();

        assertEquals("end", body.outcome());
        assertEquals("streamed until the close", body.text());
        assertTrue(server.on(reader::ended));
    }

    @Test
    void eofInsideAContentLengthBodyFailsTheBody() throws Exception {
        open();
        readHead(MAX_HEAD);
        send("POST http://erp.virtual/orders HTTP/1.1\r\nContent-Length: 10\r\n\r\nabcd");
        nextHead();
        Received body = server.on(() -> new Received(reader.body(BodyFraming.length(10))));
        peer.shutdownOutput();

        assertEquals("failed 400: the connection closed before the body was complete", body.outcome());
        assertEquals("abcd", body.text(), "what arrived is passed on before the failure");
    }

    @Test
    void malformedChunkFailsTheBodyWithAnHttpException() throws Exception {
        open();
        readHead(MAX_HEAD);
        send("POST http://erp.virtual/orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");
        nextHead();
        Received body = server.on(() -> new Received(reader.body(BodyFraming.CHUNKED)));

        assertEquals("failed 400: malformed chunk size", body.outcome());
        assertEquals("hello", body.text());
        assertTrue(server.on(() -> socketPaused.get()), "a failed body stops reading");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void endIsDeliveredWhicheverHandlerIsSetFirst(boolean endHandlerFirst) throws Exception {
        open();
        readHead(MAX_HEAD);
        send("POST http://erp.virtual/orders HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        nextHead();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        CompletableFuture<String> end = new CompletableFuture<>();
        Handler<Buffer> onData = data -> content.writeBytes(data.getBytes());
        Handler<Void> onEnd = v -> end.complete(content.toString(ISO_8859_1));

        ReadStream<Buffer> body = server.on(() -> reader.body(BodyFraming.length(3)));
        // Separate context tasks: the body is complete, and waits for the other handler.
        server.run(() -> {
            if (endHandlerFirst) {
                body.endHandler(onEnd);
            } else {
                body.handler(onData);
            }
        });
        assertFalse(end.isDone());
        server.run(() -> {
            if (endHandlerFirst) {
                body.handler(onData);
            } else {
                body.endHandler(onEnd);
            }
        });

        assertEquals("abc", end.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "length 0"})
    void bodyWithoutContentEndsOnceItsHandlersAreSet(String framing) throws Exception {
        open();
        readHead(MAX_HEAD);
        send(GET + NEXT);
        assertEquals(GET, nextHead());

        List<String> events = server.on(() -> {
            List<String> seen = new ArrayList<>();
            ReadStream<Buffer> body = reader.body(framing.equals("none") ? BodyFraming.NONE : BodyFraming.length(0));
            body.handler(data -> seen.add("data " + data.length()));
            body.endHandler(v -> seen.add("end"));
            return List.copyOf(seen);
        });

        assertEquals(List.of("end"), events, "the end comes at once, within the call that set the handlers");
        readHead(MAX_HEAD);
        assertEquals(NEXT, nextHead(), "an empty body takes none of the next message's bytes");
    }

    // ---- detaching ---------------------------------------------------------------------------

    @Test
    void detachHandsOverTheBytesReadPastTheHead() throws Exception {
        open();
        readHead(MAX_HEAD);
        String connect = "CONNECT erp.virtual:443 HTTP/1.1\r\nHost: erp.virtual:443\r\n\r\n";
        String early = "\u0016\u0003\u0001\u0000\u00a5client hello";
        send(connect + early);
        assertEquals(connect, nextHead());

        Buffer rest = server.on(reader::detach);
        assertEquals(early, rest.toString(ISO_8859_1));
        assertEquals(0, server.on(reader::buffered));

        reads.clear();
        send("more");
        server.on(() -> null);
        CompletableFuture<String> tunnelled = new CompletableFuture<>();
        // The tunnel takes the socket over; what came while it was detached and paused is not lost.
        server.run(() -> server.socket()
                .handler(data -> tunnelled.complete(data.toString(ISO_8859_1)))
                .resume());
        assertEquals("more", tunnelled.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertTrue(reads.isEmpty(), "the reader saw nothing after detach");
    }

    // ---- plumbing ----------------------------------------------------------------------------

    private void open() throws Exception {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        open(socket);
    }

    private void open(Socket socket) throws Exception {
        peer = socket;
        server = loopback.connect(socket);
        reader = server.on(() -> new Http1Reader(recorded(server.socket())));
    }

    private void send(String text) throws IOException {
        byte[] bytes = text.getBytes(ISO_8859_1);
        if (peer.getChannel() != null) {
            ByteBuffer out = ByteBuffer.wrap(bytes);
            while (out.hasRemaining()) {
                peer.getChannel().write(out);
            }
        } else {
            peer.getOutputStream().write(bytes);
        }
    }

    /** Writes one byte at a time, each only after the reader handled the one before. */
    private void sendByteByByte(String text) throws Exception {
        // On the context, so the reads before (the head's) are all noted first.
        server.run(reads::clear);
        for (int i = 0; i < text.length(); i++) {
            send(text.substring(i, i + 1));
            assertEquals(1, nextRead(), "byte " + i + " arrived alone");
        }
    }

    private void readHead(int max) throws Exception {
        server.run(() -> reader.readHead(max, new Http1Reader.HeadHandler() {
            @Override
            public void head(byte[] head) {
                heads.add(new String(head, ISO_8859_1));
            }

            @Override
            public void closed() {
                heads.add("closed");
            }

            @Override
            public void failed(HttpException e) {
                heads.add("failed " + e.status() + ": " + e.getMessage());
            }
        }));
    }

    private String nextHead() throws InterruptedException {
        String head = heads.poll(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(head, "the head handler was not called");
        return head;
    }

    private int nextRead() throws InterruptedException {
        Integer length = reads.poll(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(length, "the reader got no read");
        return length;
    }

    /** The socket as the reader sees it: each read and each pause or resume is noted on the way. */
    @SuppressWarnings("unchecked")
    private NetSocket recorded(NetSocket socket) {
        return (NetSocket) Proxy.newProxyInstance(
                NetSocket.class.getClassLoader(), new Class<?>[] {NetSocket.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "pause":
                            socketPaused.set(true);
                            break;
                        case "resume":
                        case "fetch":
                            socketPaused.set(false);
                            break;
                        case "handler":
                            if (args[0] != null) {
                                Handler<Buffer> handler = (Handler<Buffer>) args[0];
                                args = new Object[] {
                                    (Handler<Buffer>) data -> {
                                        bytesRead.addAndGet(data.length());
                                        largestRead.accumulateAndGet(data.length(), Math::max);
                                        handler.handle(data);
                                        reads.add(data.length());
                                    }
                                };
                            }
                            break;
                        default:
                            break;
                    }
                    try {
                        return method.invoke(socket, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Writes all of {@code data} without blocking; reports where it was once its socket stayed
     * unwritable for {@link #QUIET_MILLIS} after the consumer stopped (or at the end, if never).
     */
    private static void writeAll(
            SocketChannel channel,
            byte[] data,
            AtomicBoolean consumerStopped,
            CompletableFuture<Long> blockedAt,
            CompletableFuture<Long> written) {
        try (Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer out = ByteBuffer.wrap(data);
            while (out.hasRemaining()) {
                if (channel.write(out) > 0) {
                    continue;
                }
                if (selector.select(QUIET_MILLIS) == 0 && consumerStopped.get()) {
                    blockedAt.complete((long) out.position());
                }
                selector.selectedKeys().clear();
            }
            blockedAt.complete((long) out.position());
            written.complete((long) out.position());
        } catch (IOException e) {
            blockedAt.completeExceptionally(e);
            written.completeExceptionally(e);
        }
    }

    /** A body's content, its buffer count and its outcome: "end" or "failed STATUS: message". */
    private static final class Received {
        private final ByteArrayOutputStream content = new ByteArrayOutputStream();
        private int buffers;
        private final CompletableFuture<String> outcome = new CompletableFuture<>();

        Received(ReadStream<Buffer> body) {
            body.handler(data -> {
                buffers++;
                content.writeBytes(data.getBytes());
            });
            body.exceptionHandler(e -> outcome.complete(
                    e instanceof HttpException http
                            ? "failed " + http.status() + ": " + http.getMessage()
                            : "failed with " + e));
            body.endHandler(v -> outcome.complete("end"));
        }

        String outcome() throws Exception {
            return outcome.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        /** Read after {@link #outcome()}, which orders it after the context's writes. */
        String text() {
            return content.toString(ISO_8859_1);
        }

        int buffers() {
            return buffers;
        }
    }

    /** Fetches one buffer at a time until {@code stopAt} bytes arrived, then nothing until resumed. */
    private static final class PacedConsumer {
        private final ReadStream<Buffer> body;
        private final CRC32 crc = new CRC32();
        private final CompletableFuture<String> end = new CompletableFuture<>();
        private long delivered;
        private int buffers;
        private int fetched;

        PacedConsumer(ReadStream<Buffer> body, long stopAt, AtomicBoolean stopped) {
            this.body = body;
            body.pause();
            body.handler(data -> {
                buffers++;
                delivered += data.length();
                crc.update(data.getBytes());
                if (delivered < stopAt) {
                    fetched++;
                    body.fetch(1);
                } else {
                    stopped.set(true);
                }
            });
            body.exceptionHandler(end::completeExceptionally);
            body.endHandler(v -> end.complete("end"));
            fetched++;
            body.fetch(1);
        }

        void resume() {
            body.resume();
        }
    }

    private record Progress(
            long delivered, int buffers, int fetched, long read, int largestRead, boolean socketPaused) {}
}
