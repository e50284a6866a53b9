package io.connectivityproxy.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A hand-driven HTTP/1.1 client for what curl will not send: garbage, odd request lines, stalls. */
final class RawHttp implements AutoCloseable {

    final Socket socket;
    private final InputStream in;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        in = socket.getInputStream();
    }

    RawHttp send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads the status line and headers. */
    String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') ? (matched + 1) : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static int status(String head) {
        String[] parts = head.split(" ", 3);
        return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    }

    static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        return -1;
    }

    /** Reads {@code count} body bytes (or until EOF); returns how many arrived. */
    long readBody(long count) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (total < count) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, count - total));
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Reads until the peer closes; returns the byte count, or -1 if it is still open after the timeout. */
    long readToEof(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
            return total;
        } catch (SocketTimeoutException e) {
            return -1;
        }
    }

    /** Reads one response with a Content-Length body, as text. */
    String readResponse() throws IOException {
        String head = readHead();
        long length = contentLength(head);
        byte[] body = in.readNBytes((int) Math.max(0, length));
        return head + new String(body, StandardCharsets.ISO_8859_1);
    }

    /** Reads everything to EOF as text (error responses are short). */
    String readAll() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
