package io.connectivityproxy.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A raw-socket HTTP/1.1 origin server on 127.0.0.1 whose answer to each request is scripted
 * bytes, and which records the raw head and body bytes of every request it reads. Nothing is
 * interpreted beyond finding the end of a head: the script decides what a body is, what is
 * written back and whether the connection stays open, so it can misbehave on purpose.
 */
final class ScriptedBackend implements AutoCloseable {

    /** What the backend does with one request; runs on the connection's own thread. */
    @FunctionalInterface
    interface Script {
        After serve(Request request) throws IOException;
    }

    /** What happens to the connection once a script has answered. */
    enum After {
        /** Read the next request head on the same connection. */
        KEEP_ALIVE,
        /** Send FIN, then read and discard until the peer closes (a lingering close, as servers do). */
        CLOSE
    }

    private static final int MAX_HEAD = 1024 * 1024;
    /** How long a lingering close waits for the peer's FIN. */
    private static final int LINGER_MILLIS = 20_000;

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "scripted-backend");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private volatile Script script = request -> {
        request.write("HTTP/1.1 500 No Script\r\nContent-Length: 0\r\n\r\n");
        return After.KEEP_ALIVE;
    };
    private volatile int run;

    ScriptedBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Starts a new run: later requests are served by {@code next} and recorded afresh. */
    void begin(Script next) {
        run++;
        received.clear();
        script = next;
    }

    /**
     * The requests whose head arrived since {@link #begin}, once their scripts are done (or
     * {@code wait} has passed, for a script still blocked reading a body that never comes).
     */
    List<Request> received(Duration wait) {
        int current = run;
        long deadline = System.nanoTime() + wait.toNanos();
        List<Request> requests = received.stream().filter(r -> r.run == current).toList();
        for (Request request : requests) {
            try {
                request.served.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return requests;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                Request request = new Request(run, head, System.nanoTime(), in, out);
                received.add(request);
                After after;
                try {
                    after = script.serve(request);
                    out.flush();
                } finally {
                    request.served.countDown();
                }
                if (after == After.CLOSE) {
                    socket.shutdownOutput();
                    lingerUntilPeerCloses(socket, in);
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The peer reset, or the script gave up on what it read: the connection is over.
        } finally {
            sockets.remove(socket);
        }
    }

    private static void lingerUntilPeerCloses(Socket socket, InputStream in) throws IOException {
        socket.setSoTimeout(LINGER_MILLIS);
        byte[] discard = new byte[64 * 1024];
        try {
            while (in.read(discard) >= 0) {
                // Discarded: the answer is out, what the peer still sends is not part of any request.
            }
        } catch (SocketTimeoutException | SocketException e) {
            // Gave up waiting, or the peer reset: close either way.
        }
    }

    /** The bytes up to and including the first empty line, or null at EOF before any byte. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int lineLength = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return head.size() == 0 ? null : head.toByteArray();
            }
            head.write(b);
            if (b == '\n') {
                if (lineLength == 0) {
                    return head.toByteArray();
                }
                lineLength = 0;
            } else if (b != '\r') {
                lineLength++;
            }
        }
        return head.toByteArray();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        threads.shutdownNow();
    }

    /** One request as the backend read it; the script reads its body and writes the answer. */
    static final class Request {

        final int run;
        /** The head exactly as received, ISO-8859-1 (one char per byte). */
        final String head;
        /** When the head's last byte was read ({@link System#nanoTime()}). */
        final long headAt;

        private final CountDownLatch served = new CountDownLatch(1);
        /** Body bytes the script read, in order. */
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        private final InputStream in;
        private final OutputStream out;

        Request(int run, byte[] head, long headAt, InputStream in, OutputStream out) {
            this.run = run;
            this.head = new String(head, StandardCharsets.ISO_8859_1);
            this.headAt = headAt;
            this.in = in;
            this.out = out;
        }

        String requestLine() {
            int end = head.indexOf('\n');
            return (end < 0 ? head : head.substring(0, end)).replace("\r", "");
        }

        String method() {
            return requestLine().split(" ", 2)[0];
        }

        /** The request target as sent, one char per byte. */
        String target() {
            String[] parts = requestLine().split(" ");
            return parts.length > 1 ? parts[1] : "";
        }

        /** The values of every field with this name (case-insensitive), trimmed. */
        List<String> fields(String name) {
            List<String> values = new ArrayList<>();
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : head.split("\r?\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    values.add(line.substring(prefix.length()).trim());
                }
            }
            return values;
        }

        Optional<String> field(String name) {
            List<String> values = fields(name);
            return values.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", values));
        }

        byte[] body() {
            synchronized (body) {
                return body.toByteArray();
            }
        }

        /** Reads the body the head declares: chunked (de-chunked, trailers discarded) or Content-Length. */
        byte[] readBody() throws IOException {
            if (field("Transfer-Encoding")
                    .map(v -> v.toLowerCase(Locale.ROOT).endsWith("chunked"))
                    .orElse(false)) {
                readChunked();
            } else {
                readBytes(field("Content-Length")
                        .map(v -> Long.parseLong(v.trim()))
                        .orElse(0L));
            }
            return body();
        }

        /** Reads exactly {@code count} body bytes (fewer at EOF). */
        void readBytes(long count) throws IOException {
            byte[] buffer = new byte[64 * 1024];
            long left = count;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return;
                }
                synchronized (body) {
                    body.write(buffer, 0, n);
                }
                left -= n;
            }
        }

        private void readChunked() throws IOException {
            while (true) {
                String line = readLine();
                int semicolon = line.indexOf(';');
                long size = Long.parseLong((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // Trailer fields are not recorded.
                    }
                    return;
                }
                readBytes(size);
                readLine();
            }
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    throw new IOException("EOF in a chunked body");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        /** Writes ISO-8859-1 text and flushes, so each write is its own send. */
        void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        @Override
        public String toString() {
            return head.length() > 1500 ? head.substring(0, 1500) + "...(" + head.length() + " bytes)" : head;
        }
    }
}
