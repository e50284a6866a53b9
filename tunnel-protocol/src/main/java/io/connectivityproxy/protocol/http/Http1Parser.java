package io.connectivityproxy.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses HTTP/1.x message heads (RFC 9112 sections 2 to 5), strictly: whatever two parsers could
 * read differently is refused rather than repaired, because a head an intermediary reads one way
 * and a backend another is how requests are smuggled. Refused: obs-fold (section 5.2),
 * whitespace between a field name and its colon (5.1), a CR that does not end a line (2.2), NUL
 * and other control characters in a value, a start line that is not exactly three parts.
 * Accepted as the RFC allows: a bare LF as line end, empty lines before a request line.
 *
 * <p>Pure and stateless; the caller finds the head's end with {@link #headEnd} and passes the
 * head's bytes.
 */
public final class Http1Parser {

    /** Random access to bytes the caller holds (a socket buffer), so the scan copies nothing. */
    @FunctionalInterface
    public interface Bytes {
        byte at(int index);
    }

    private Http1Parser() {}

    /**
     * The index just past the empty line that ends the head in {@code in[from, to)}, or -1 if it
     * has not all arrived. Empty lines before the start line are part of the head.
     *
     * @throws HttpException 431 when {@code max} bytes arrived without the head ending
     */
    public static int headEnd(Bytes in, int from, int to, int max) throws HttpException {
        return headEnd(in, from, from, to, max);
    }

    /**
     * As {@link #headEnd(Bytes, int, int, int)}, for a head that arrives in pieces: the bytes
     * before {@code scanned} were already looked at and hold no end, so only the new ones (and the
     * three before them, where an end may start) are scanned again. Without that, a peer sending a
     * head a byte at a time would cost time quadratic in the head size.
     */
    public static int headEnd(Bytes in, int from, int scanned, int to, int max) throws HttpException {
        int i = from;
        while (i < to && (in.at(i) == '\r' || in.at(i) == '\n') && i - from < max) {
            i++;
        }
        // An end ("\n\n" or "\n\r\n") found from here is genuine: it lies after the start line.
        i = Math.max(i, scanned - 3);
        int limit = Math.min(to, from + max);
        boolean lineStart = false;
        for (; i < limit; i++) {
            byte b = in.at(i);
            if (b == '\n') {
                if (lineStart) {
                    return i + 1;
                }
                lineStart = true;
            } else if (b == '\r' && lineStart) {
                // "\n\r\n": the CR belongs to the empty line
                continue;
            } else {
                lineStart = false;
            }
        }
        if (to - from >= max) {
            throw new HttpException(431, "the head exceeds " + max + " bytes");
        }
        return -1;
    }

    public static Http1Request parseRequest(byte[] head) throws HttpException {
        List<String> lines = lines(head, 400);
        String start = lines.get(0);
        String[] parts = start.split(" ", -1);
        if (parts.length != 3) {
            throw new HttpException(400, "malformed request line: expected 'method target HTTP/1.1'");
        }
        if (!isToken(parts[0])) {
            throw new HttpException(400, "malformed request line: the method is not a token");
        }
        String target = parts[1];
        if (target.isEmpty()) {
            throw new HttpException(400, "malformed request line: empty request target");
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new HttpException(400, "the request target contains a control character or whitespace");
            }
        }
        int minor = version(parts[2], 400);
        return new Http1Request(parts[0], target, minor, fields(lines, 400));
    }

    public static Http1Response parseResponse(byte[] head) throws HttpException {
        List<String> lines = lines(head, 502);
        String start = lines.get(0);
        int space = start.indexOf(' ');
        if (space < 0) {
            throw new HttpException(502, "malformed status line");
        }
        int minor = version(start.substring(0, space), 502);
        String rest = start.substring(space + 1);
        if (rest.length() < 3 || (rest.length() > 3 && rest.charAt(3) != ' ')) {
            throw new HttpException(502, "malformed status line: the status code is not three digits");
        }
        int status = 0;
        for (int i = 0; i < 3; i++) {
            char c = rest.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpException(502, "malformed status line: the status code is not three digits");
            }
            status = status * 10 + (c - '0');
        }
        if (status < 100) {
            throw new HttpException(502, "malformed status line: status " + status + " is below 100");
        }
        String reason = rest.length() > 4 ? rest.substring(4) : "";
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                throw new HttpException(502, "the reason phrase contains a control character");
            }
        }
        return new Http1Response(minor, status, reason, fields(lines, 502));
    }

    /** Splits at LF, drops a CR before it, and refuses any other CR or a NUL. */
    private static List<String> lines(byte[] head, int status) throws HttpException {
        int i = 0;
        // Empty lines before the start line (RFC 9112 section 2.2); a bare CR there is refused below.
        while (i < head.length
                && (head[i] == '\n' || (head[i] == '\r' && i + 1 < head.length && head[i + 1] == '\n'))) {
            i++;
        }
        List<String> lines = new ArrayList<>();
        int lineStart = i;
        for (; i < head.length; i++) {
            byte b = head[i];
            if (b == '\n') {
                int end = i > lineStart && head[i - 1] == '\r' ? i - 1 : i;
                if (end == lineStart) {
                    break;
                }
                lines.add(new String(head, lineStart, end - lineStart, StandardCharsets.ISO_8859_1));
                lineStart = i + 1;
            } else if (b == '\r' && (i + 1 >= head.length || head[i + 1] != '\n')) {
                throw new HttpException(status, "a bare CR in the head");
            } else if (b == 0) {
                throw new HttpException(status, "a NUL byte in the head");
            }
        }
        if (lines.isEmpty()) {
            throw new HttpException(status, "empty head");
        }
        return lines;
    }

    private static int version(String version, int status) throws HttpException {
        if (version.length() != 8
                || !version.startsWith("HTTP/")
                || version.charAt(6) != '.'
                || !Character.isDigit(version.charAt(5))
                || !Character.isDigit(version.charAt(7))) {
            throw new HttpException(status, "malformed HTTP version");
        }
        if (version.charAt(5) != '1') {
            throw new HttpException(
                    status == 400 ? 505 : status,
                    "HTTP version " + version.substring(5) + " is not supported; use HTTP/1.1");
        }
        return version.charAt(7) - '0';
    }

    private static List<Map.Entry<String, String>> fields(List<String> lines, int status) throws HttpException {
        List<Map.Entry<String, String>> fields = new ArrayList<>(lines.size() - 1);
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            char first = line.charAt(0);
            if (first == ' ' || first == '\t') {
                throw new HttpException(status, "obsolete line folding (a field line starting with whitespace)");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new HttpException(status, "malformed field line (no name or no colon)");
            }
            String name = line.substring(0, colon);
            if (!isToken(name)) {
                throw new HttpException(
                        status,
                        "malformed field name '" + printable(name) + "' (whitespace before the colon is not allowed)");
            }
            int start = colon + 1;
            int end = line.length();
            while (start < end && isWhitespace(line.charAt(start))) {
                start++;
            }
            while (end > start && isWhitespace(line.charAt(end - 1))) {
                end--;
            }
            String value = line.substring(start, end);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < ' ' && c != '\t') || c == 0x7f) {
                    throw new HttpException(status, "field " + name + " has a control character in its value");
                }
            }
            fields.add(Map.entry(name, value));
        }
        return fields;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    /** RFC 9110 section 5.6.2: tchar is any visible ASCII character except delimiters. */
    public static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** A short, log-safe rendering of a rejected name. */
    public static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            out.append(c < ' ' || c >= 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
