package io.connectivityproxy.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * One long-lived stream to the echo backend for {@code bench/soak.sh}: a SOCKS5 stream through
 * proxy-service, or a service channel connection to the connector's local port. It sends
 * {@code bytesPerSecond} once a second for {@code seconds} and checks that every byte comes back
 * in order (the backend's pattern: byte i is {@code (byte) i}); it fails when the stream closes
 * early, a byte differs, or nothing completes within {@link #STALLED_MS} beyond its length.
 */
final class EchoStream {

    private static final int CHUNK = 16 * 1024;
    private static final long STALLED_MS = 30_000;
    private static final Buffer PATTERN = pattern();

    private final Vertx vertx;
    private final NetClient client;

    EchoStream(Vertx vertx, NetClient client) {
        this.vertx = vertx;
        this.client = client;
    }

    /**
     * Runs one stream. With {@code tagged}, the backend's first line names the pair it came to, which
     * goes into {@code carrier} as soon as it arrives (also when the stream fails afterwards).
     */
    Future<Void> run(Route route, boolean tagged, int seconds, int bytesPerSecond, AtomicReference<String> carrier) {
        long total = (long) seconds * (bytesPerSecond / CHUNK) * CHUNK;
        Promise<Void> done = Promise.promise();
        TcpStreams.open(client, route)
                .onFailure(e -> done.tryFail("open: " + e.getMessage()))
                .onSuccess(
                        socket -> new Transfer(socket, tagged, total, bytesPerSecond / CHUNK, carrier, done).start());
        return done.future();
    }

    /** The state of one stream once it is open. */
    private final class Transfer {
        private final NetSocket socket;
        private final long total;
        private final int chunksPerSecond;
        private final AtomicReference<String> carrier;
        private final Promise<Void> done;
        private Buffer tagLine;
        private long sent;
        private long received;
        private long ticker = -1;
        private long stall = -1;

        Transfer(
                NetSocket socket,
                boolean tagged,
                long total,
                int chunksPerSecond,
                AtomicReference<String> carrier,
                Promise<Void> done) {
            this.socket = socket;
            this.total = total;
            this.chunksPerSecond = chunksPerSecond;
            this.carrier = carrier;
            this.done = done;
            this.tagLine = tagged ? Buffer.buffer() : null;
        }

        void start() {
            socket.handler(this::received);
            socket.exceptionHandler(e -> fail(e.toString()));
            socket.closeHandler(v -> fail("closed after " + received + " of " + total + " bytes echoed"));
            stall = vertx.setTimer(total / (chunksPerSecond * (long) CHUNK) * 1000 + STALLED_MS, id -> {
                stall = -1;
                fail("stalled: " + received + " of " + total + " bytes echoed");
            });
            send();
            ticker = vertx.setPeriodic(1000, id -> send());
        }

        private void send() {
            for (int i = 0; i < chunksPerSecond && sent < total; i++) {
                socket.write(PATTERN.copy());
                sent += CHUNK;
            }
            if (sent >= total && ticker >= 0) {
                vertx.cancelTimer(ticker);
                ticker = -1;
            }
        }

        private void received(Buffer data) {
            int from = 0;
            if (tagLine != null) {
                int end = indexOf(data, '\n');
                if (end < 0) {
                    tagLine.appendBuffer(data);
                    return;
                }
                tagLine.appendBuffer(data, 0, end);
                carrier.set(tagLine.toString(StandardCharsets.US_ASCII));
                tagLine = null;
                from = end + 1;
            }
            for (int i = from; i < data.length(); i++) {
                if (data.getByte(i) != (byte) received) {
                    fail("corrupt echo at offset " + received);
                    return;
                }
                received++;
            }
            if (received > sent) {
                fail("more bytes echoed (" + received + ") than sent (" + sent + ")");
            } else if (received == total) {
                finish();
                socket.close();
                done.tryComplete();
            }
        }

        private void fail(String why) {
            if (done.tryFail(why)) {
                finish();
                socket.close();
            }
        }

        private void finish() {
            if (ticker >= 0) {
                vertx.cancelTimer(ticker);
                ticker = -1;
            }
            if (stall >= 0) {
                vertx.cancelTimer(stall);
                stall = -1;
            }
        }
    }

    private static int indexOf(Buffer data, char c) {
        for (int i = 0; i < data.length(); i++) {
            if (data.getByte(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static Buffer pattern() {
        byte[] bytes = new byte[CHUNK];
        for (int i = 0; i < CHUNK; i++) {
            bytes[i] = (byte) i;
        }
        return Buffer.buffer(bytes);
    }
}
