package io.connectivityproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Workloads (a) and (b): {@code streams} parallel {@code GET /bytes/<n>} downloads, each on its
 * own connection and thread with a plain blocking socket (the cheapest client there is, so the
 * client takes as little of the machine's two cores as possible). Every byte is counted, and the
 * first and last byte of each read are checked against the backend's pattern.
 */
final class Download {

    record Result(long bytes, double seconds, int errors, List<String> errorMessages) {
        double megabytesPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    private Download() {}

    static Result run(Route route, int streams, long bytesPerStream) throws InterruptedException {
        AtomicLong total = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        List<String> messages = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            Thread thread = new Thread(
                    () -> {
                        try {
                            total.addAndGet(get(route, bytesPerStream));
                        } catch (IOException | RuntimeException e) {
                            errors.incrementAndGet();
                            messages.add(e.toString());
                        }
                    },
                    "download-" + i);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Result(total.get(), seconds, errors.get(), messages);
    }

    /** One download; returns the body length, throws when it is not exactly {@code length} or not 200. */
    static long get(Route route, long length) throws IOException {
        return get(route, length, head -> {});
    }

    /** The same; {@code heads} sees the response head as soon as it has arrived, whatever follows. */
    static long get(Route route, long length, Consumer<String> heads) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(route.httpHost(), route.httpPort()), 10_000);
            socket.setSoTimeout(60_000);
            String request = "GET " + route.requestTarget("/bytes/" + length) + " HTTP/1.1\r\nHost: "
                    + route.hostHeader() + "\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[256 * 1024];
            int filled = 0;
            int headEnd = -1;
            while (headEnd < 0) {
                int n = in.read(buf, filled, buf.length - filled);
                if (n < 0) {
                    throw new IOException("connection closed before the response head");
                }
                filled += n;
                headEnd = indexOfBlankLine(buf, filled);
                if (headEnd < 0 && filled == buf.length) {
                    throw new IOException("response head too large");
                }
            }
            String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
            heads.accept(head);
            if (!head.startsWith("HTTP/1.1 200")) {
                throw new IOException("status: " + head.lines().findFirst().orElse(""));
            }
            long contentLength = contentLength(head);
            if (contentLength != length) {
                throw new IOException("Content-Length " + contentLength + ", expected " + length);
            }
            long received = 0;
            int bodyStart = headEnd + 4;
            if (filled > bodyStart) {
                check(buf, bodyStart, filled - bodyStart, received);
                received += filled - bodyStart;
            }
            while (received < length) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, length - received));
                if (n < 0) {
                    throw new IOException("connection closed after " + received + " of " + length + " bytes");
                }
                check(buf, 0, n, received);
                received += n;
            }
            return received;
        }
    }

    private static void check(byte[] buf, int from, int n, long offset) throws IOException {
        if (buf[from] != (byte) offset || buf[from + n - 1] != (byte) (offset + n - 1)) {
            throw new IOException("corrupt body near offset " + offset);
        }
    }

    static int indexOfBlankLine(byte[] buf, int length) {
        for (int i = 0; i + 3 < length; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static long contentLength(String head) {
        String value = header(head, "content-length");
        return value == null ? -1 : Long.parseLong(value);
    }

    /** The value of the first header field {@code name} (lower case) in a response head, or null. */
    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0
                    && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }
}
