package io.connectivityproxy.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A raw-socket HTTP/1.1 client for differential tests: writes exactly the bytes it is given
 * and records what came back — every response (interim ones too), framed by the rules of
 * RFC 9112 section 6.3, how each body ended, and whether the connection was closed after.
 */
final class RawClient {

    /** When the request body is written. */
    enum Send {
        /** Head and body in one write. */
        WITH_HEAD,
        /** The whole body before reading anything, from a second thread so a stall is seen, not hung in. */
        BODY_BEFORE_READING,
        /** Head only; the body after a 100 (Continue), or after {@link #CONTINUE_WAIT} without one. */
        AFTER_CONTINUE
    }

    /** How long a client that sent Expect: 100-continue waits before sending the body anyway. */
    static final Duration CONTINUE_WAIT = Duration.ofSeconds(5);

    private static final Duration CLOSE_PROBE = Duration.ofSeconds(3);
    private static final int MAX_HEAD = 1024 * 1024;

    /** What to do on one connection. */
    record Plan(
            byte[] head, byte[] body, Send send, int finals, byte[] followUp, boolean probeClose, Duration timeout) {}

    record Field(String name, String value) {}

    /**
     * One response. {@code framing} is how its body was delimited (none, content-length, chunked,
     * close); {@code incomplete} says why the body did not end as its framing promised, or is null.
     */
    record Response(
            String head,
            int status,
            List<Field> fields,
            byte[] body,
            List<Field> trailers,
            String framing,
            String incomplete) {

        List<String> values(String name) {
            return fields.stream()
                    .filter(f -> f.name.equalsIgnoreCase(name))
                    .map(Field::value)
                    .toList();
        }

        /** All values of the field joined with ", " (RFC 9110 section 5.3), if any. */
        Optional<String> field(String name) {
            List<String> values = values(name);
            return values.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", values));
        }

        /** The comma-separated members of a list field, lower case. */
        List<String> tokens(String name) {
            return field(name)
                    .map(v ->
                            List.of(v.toLowerCase(Locale.ROOT).replace(" ", "").split(",")))
                    .orElse(List.of());
        }

        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        boolean interim() {
            return status >= 100 && status < 200;
        }
    }

    /**
     * What one connection saw. {@code closed}: true when the peer closed (or reset) after the
     * last response, false when it stayed open, null when not probed. {@code bodySent}: when the
     * body went out ("with head", "after 100", "after waiting", "before reading", or "never").
     */
    record Result(
            List<Response> responses,
            String error,
            Boolean closed,
            String afterLast,
            String bodySent,
            long bodySentAt,
            String writeError,
            long millis) {

        List<Response> interims() {
            return responses.stream().filter(Response::interim).toList();
        }

        List<Response> finals() {
            return responses.stream().filter(r -> !r.interim()).toList();
        }

        /** The first final response; fails with the whole record when there is none. */
        Response answer() {
            return finals().stream()
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("a final response, got "
                            + (responses.isEmpty() ? "none" : "only " + responses.size() + " interim") + " (" + error
                            + ")"));
        }
    }

    private RawClient() {}

    static Result exchange(int port, Plan plan) {
        long started = System.nanoTime();
        List<Response> responses = new ArrayList<>();
        String error = null;
        Boolean closed = null;
        String afterLast = "";
        String bodySent = plan.body.length == 0 ? "none" : "never";
        long bodySentAt = 0;
        AtomicReference<String> writeError = new AtomicReference<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) plan.timeout.toMillis());
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            // Responses to HEAD have no body (RFC 9110 section 9.3.2); the follow-up is a GET.
            boolean head = new String(plan.head, StandardCharsets.ISO_8859_1).startsWith("HEAD ");
            Reader reader = new Reader(in);
            try {
                switch (plan.send) {
                    case WITH_HEAD -> {
                        out.write(concat(plan.head, plan.body));
                        out.flush();
                        if (plan.body.length > 0) {
                            bodySent = "with head";
                            bodySentAt = System.nanoTime();
                        }
                    }
                    case BODY_BEFORE_READING -> {
                        out.write(plan.head);
                        out.flush();
                        bodySentAt = System.nanoTime();
                        bodySent = writeBody(out, plan.body, plan.timeout, writeError)
                                ? "before reading"
                                : "partly, then gave up";
                    }
                    case AFTER_CONTINUE -> {
                        out.write(plan.head);
                        out.flush();
                        socket.setSoTimeout((int) CONTINUE_WAIT.toMillis());
                        Response first = null;
                        boolean waited = false;
                        try {
                            first = reader.next(head);
                            while (first != null && first.interim() && first.status != 100) {
                                responses.add(first);
                                first = reader.next(head);
                            }
                        } catch (SocketTimeoutException e) {
                            waited = true;
                        }
                        socket.setSoTimeout((int) plan.timeout.toMillis());
                        if (first != null) {
                            responses.add(first);
                        }
                        if (waited || first != null && first.status == 100) {
                            bodySent = waited ? "after waiting " + CONTINUE_WAIT.toSeconds() + " s" : "after 100";
                            bodySentAt = System.nanoTime();
                            writeBody(out, plan.body, plan.timeout, writeError);
                        }
                    }
                    default -> throw new IllegalStateException();
                }
                int finals = (int) responses.stream().filter(r -> !r.interim()).count();
                while (finals < plan.finals) {
                    Response response = reader.next(head);
                    if (response == null) {
                        error = "connection closed before final response " + (finals + 1);
                        closed = true;
                        break;
                    }
                    responses.add(response);
                    if (!response.interim()) {
                        finals++;
                    }
                    if (response.incomplete != null) {
                        break;
                    }
                }
                if (error == null && plan.followUp != null && reader.usable()) {
                    out.write(plan.followUp);
                    out.flush();
                    Response response = reader.next(false);
                    while (response != null && response.interim()) {
                        responses.add(response);
                        response = reader.next(false);
                    }
                    if (response == null) {
                        error = "connection closed instead of answering the follow-up request";
                        closed = true;
                    } else {
                        responses.add(response);
                    }
                }
            } catch (SocketTimeoutException e) {
                error = "read timed out after " + socket.getSoTimeout() / 1000 + " s";
            } catch (IOException e) {
                error = "read failed: " + e;
                closed = true;
            }
            if (reader.eof) {
                closed = true;
            }
            if (closed == null && error == null && plan.probeClose) {
                socket.setSoTimeout((int) CLOSE_PROBE.toMillis());
                try {
                    int b = in.read();
                    if (b < 0) {
                        closed = true;
                    } else {
                        ByteArrayOutputStream more = new ByteArrayOutputStream();
                        more.write(b);
                        more.write(in.readNBytes(Math.min(in.available(), 500)));
                        afterLast = more.toString(StandardCharsets.ISO_8859_1);
                        closed = false;
                    }
                } catch (SocketTimeoutException e) {
                    closed = false;
                } catch (IOException e) {
                    closed = true;
                    afterLast = "(reset: " + e.getMessage() + ")";
                }
            }
        } catch (IOException e) {
            error = "connect or write failed: " + e;
        }
        return new Result(
                responses,
                error,
                closed,
                afterLast,
                bodySent,
                bodySentAt,
                writeError.get(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Writes the body from its own thread; false if it did not finish within the timeout (a stall). */
    private static boolean writeBody(
            OutputStream out, byte[] body, Duration timeout, AtomicReference<String> writeError) {
        Thread writer = new Thread(
                () -> {
                    try {
                        out.write(body);
                        out.flush();
                    } catch (IOException e) {
                        writeError.set(e.toString());
                    }
                },
                "raw-client-body");
        writer.setDaemon(true);
        writer.start();
        try {
            writer.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writeError.set("still blocked writing the body after " + timeout.toSeconds() + " s");
            return false;
        }
        return writeError.get() == null;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Reads responses one after the other from a connection (RFC 9112 sections 2 to 7). */
    private static final class Reader {

        private final InputStream in;
        boolean eof;
        private boolean broken;

        Reader(InputStream in) {
            this.in = in;
        }

        /** False once a body ended in a way that leaves the connection out of step. */
        boolean usable() {
            return !eof && !broken;
        }

        /** The next response, or null if the connection closed before its first byte. */
        Response next(boolean headMethod) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            List<String> lines = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    eof = true;
                    if (raw.size() == 0) {
                        return null;
                    }
                    String head = raw.toString(StandardCharsets.ISO_8859_1);
                    return new Response(
                            head, -1, List.of(), new byte[0], List.of(), "none", "connection closed inside the head");
                }
                raw.write(b);
                if (raw.size() > MAX_HEAD) {
                    broken = true;
                    return new Response(
                            raw.toString(StandardCharsets.ISO_8859_1),
                            -1,
                            List.of(),
                            new byte[0],
                            List.of(),
                            "none",
                            "head longer than " + MAX_HEAD + " bytes");
                }
                if (b == '\n') {
                    if (line.isEmpty()) {
                        break;
                    }
                    lines.add(line.toString());
                    line.setLength(0);
                } else if (b != '\r') {
                    line.append((char) b);
                }
            }
            String head = raw.toString(StandardCharsets.ISO_8859_1);
            String[] statusLine = lines.isEmpty() ? new String[0] : lines.get(0).split(" ", 3);
            int status;
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (RuntimeException e) {
                broken = true;
                return new Response(head, -1, List.of(), new byte[0], List.of(), "none", "no status line");
            }
            List<Field> fields = fields(lines.subList(1, lines.size()));
            Response shape = new Response(head, status, fields, new byte[0], List.of(), "none", null);
            if (status < 200 || status == 204 || status == 304 || headMethod) {
                return shape;
            }
            List<String> codings = shape.tokens("Transfer-Encoding");
            if (!codings.isEmpty() && codings.get(codings.size() - 1).equals("chunked")) {
                return chunked(shape);
            }
            if (!codings.isEmpty() || shape.field("Content-Length").isEmpty()) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                in.transferTo(body);
                eof = true;
                return new Response(head, status, fields, body.toByteArray(), List.of(), "close", null);
            }
            long length;
            try {
                length = Long.parseLong(shape.field("Content-Length").get().trim());
            } catch (NumberFormatException e) {
                broken = true;
                return new Response(
                        head, status, fields, new byte[0], List.of(), "content-length", "unreadable Content-Length");
            }
            byte[] body = in.readNBytes((int) length);
            String incomplete = null;
            if (body.length < length) {
                eof = true;
                incomplete = "connection closed after " + body.length + " of " + length + " body bytes";
            }
            return new Response(head, status, fields, body, List.of(), "content-length", incomplete);
        }

        private Response chunked(Response shape) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = line();
                if (sizeLine == null) {
                    return chunkedEnd(shape, body, List.of(), "connection closed before the last chunk");
                }
                int semicolon = sizeLine.indexOf(';');
                String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
                long size;
                try {
                    size = Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    broken = true;
                    return chunkedEnd(shape, body, List.of(), "invalid chunk size line '" + sizeLine + "'");
                }
                if (size == 0) {
                    List<String> trailerLines = new ArrayList<>();
                    for (String trailer; (trailer = line()) != null && !trailer.isEmpty(); ) {
                        trailerLines.add(trailer);
                    }
                    return chunkedEnd(shape, body, fields(trailerLines), null);
                }
                byte[] data = in.readNBytes((int) size);
                body.write(data);
                if (data.length < size || line() == null) {
                    return chunkedEnd(shape, body, List.of(), "connection closed inside a chunk");
                }
            }
        }

        private Response chunkedEnd(
                Response shape, ByteArrayOutputStream body, List<Field> trailers, String incomplete) {
            return new Response(
                    shape.head, shape.status, shape.fields, body.toByteArray(), trailers, "chunked", incomplete);
        }

        /** A line without its CRLF, or null at EOF. */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    eof = true;
                    return null;
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        private static List<Field> fields(List<String> lines) {
            List<Field> fields = new ArrayList<>();
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.add(new Field(
                            line.substring(0, colon), line.substring(colon + 1).trim()));
                } else {
                    fields.add(new Field(line, ""));
                }
            }
            return fields;
        }
    }

    /** A readable account of a result for failure messages: heads verbatim, bodies abbreviated. */
    static String describe(Result result) {
        StringBuilder text = new StringBuilder();
        for (Response response : result.responses) {
            text.append("    ")
                    .append(indent(printable(response.head, 3000).strip()))
                    .append('\n');
            text.append("    [body ")
                    .append(response.body.length)
                    .append(" bytes, ")
                    .append(response.framing);
            if (response.incomplete != null) {
                text.append(", INCOMPLETE: ").append(response.incomplete);
            }
            text.append("]");
            if (response.body.length > 0) {
                text.append(" ").append(printable(response.text(), 200));
            }
            if (!response.trailers.isEmpty()) {
                text.append(" trailers ").append(response.trailers);
            }
            text.append('\n');
        }
        if (result.responses.isEmpty()) {
            text.append("    (no response)\n");
        }
        text.append("    error: ")
                .append(result.error)
                .append("; closed after: ")
                .append(result.closed)
                .append("; body sent: ")
                .append(result.bodySent);
        if (result.writeError != null) {
            text.append(" (").append(result.writeError).append(")");
        }
        if (!result.afterLast.isEmpty()) {
            text.append("; bytes after the last response: ").append(printable(result.afterLast, 200));
        }
        return text.append("; ").append(result.millis).append(" ms").toString();
    }

    /** CR, LF and other control bytes as escapes; only {@code max} characters. */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.append("\\n\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < 0x20 || c >= 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= max && text.length() > max) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }

    private static String indent(String text) {
        return text.replace("\n", "\n    ");
    }
}
