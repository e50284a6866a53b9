package io.connectivityproxy.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.connectivityproxy.protocol.http.Http1Parser;

/**
 * The head of an HTTP/1.1 exchange carried over a stream of an HTTP mapping: the request head
 * travels in the OPEN frame, the response head is the first DATA frame the connector sends.
 * Bodies follow as plain DATA (already de-chunked); FIN ends a body, RST aborts it.
 *
 * <p>Layout: request = method (str), request-target in origin form (str), headers; response =
 * status (u16), reason (str), headers; headers = count (u16), then name (str) and value (str)
 * pairs; str = length (u16) and UTF-8 bytes.
 *
 * <p>The peer writes these heads to a real HTTP/1.1 connection, so both directions refuse what
 * HTTP/1.1 cannot carry and would let a head smuggle a second message: the method and header
 * names must be tokens (RFC 9110 sections 9.1, 5.1), the request target must be in origin form
 * without whitespace or control characters (RFC 9112 section 3.2.1), header values and the
 * reason phrase must not contain CR, LF or NUL (RFC 9110 section 5.5, RFC 9112 section 4).
 */
public final class HttpHead {

    /**
     * More fields than this in one head is a protocol error. The real bound is the size of the
     * head each side accepts from HTTP (proxy-service's request head limit, the connector's
     * response head limit); this one only keeps a head within one frame.
     */
    public static final int MAX_HEADERS = 16 * 1024;

    private static final int MAX_STRING = 65535;

    private HttpHead() {}

    public record Request(String method, String uri, List<Map.Entry<String, String>> headers) {}

    public record Response(int status, String reason, List<Map.Entry<String, String>> headers) {}

    /** The request head; an {@link IllegalArgumentException} if HTTP/1.1 cannot carry it. */
    public static byte[] encode(Request head) {
        String invalid = invalidMethod(head.method());
        if (invalid == null) {
            invalid = invalidTarget(head.uri());
        }
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        FrameCodec.Writer out =
                new FrameCodec.Writer().string(head.method(), MAX_STRING).string(head.uri(), MAX_STRING);
        return finish(writeHeaders(out, head.headers()));
    }

    /** The response head; an {@link IllegalArgumentException} if HTTP/1.1 cannot carry it. */
    public static byte[] encode(Response head) {
        if (head.status() < 100 || head.status() > 999) {
            throw new IllegalArgumentException("HTTP status " + head.status() + " is out of range");
        }
        String invalid = invalidReason(head.reason());
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        FrameCodec.Writer out = new FrameCodec.Writer().u16(head.status()).string(head.reason(), MAX_STRING);
        return finish(writeHeaders(out, head.headers()));
    }

    public static Request decodeRequest(byte[] bytes) throws ProtocolException {
        FrameCodec.Reader in = new FrameCodec.Reader(ByteBuffer.wrap(bytes));
        try {
            String method = in.string(MAX_STRING);
            String invalid = invalidMethod(method);
            if (invalid != null) {
                throw new ProtocolException(invalid);
            }
            String uri = in.string(MAX_STRING);
            invalid = invalidTarget(uri);
            if (invalid != null) {
                throw new ProtocolException(invalid);
            }
            Request request = new Request(method, uri, readHeaders(in));
            requireEnd(in);
            return request;
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("HTTP request head is truncated");
        }
    }

    public static Response decodeResponse(byte[] bytes) throws ProtocolException {
        FrameCodec.Reader in = new FrameCodec.Reader(ByteBuffer.wrap(bytes));
        try {
            int status = in.u16();
            if (status < 100 || status > 999) {
                throw new ProtocolException("HTTP status " + status + " is out of range");
            }
            String reason = in.string(MAX_STRING);
            String invalid = invalidReason(reason);
            if (invalid != null) {
                throw new ProtocolException(invalid);
            }
            Response response = new Response(status, reason, readHeaders(in));
            requireEnd(in);
            return response;
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("HTTP response head is truncated");
        }
    }

    private static FrameCodec.Writer writeHeaders(FrameCodec.Writer out, List<Map.Entry<String, String>> headers) {
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException(headers.size() + " headers exceed " + MAX_HEADERS);
        }
        out.u16(headers.size());
        for (Map.Entry<String, String> header : headers) {
            String invalid = invalidHeader(header.getKey(), header.getValue());
            if (invalid != null) {
                throw new IllegalArgumentException(invalid);
            }
            out.string(header.getKey(), MAX_STRING).string(header.getValue(), MAX_STRING);
        }
        return out;
    }

    private static byte[] finish(FrameCodec.Writer out) {
        byte[] bytes = new byte[out.length()];
        out.copyTo(bytes, 0);
        return bytes;
    }

    private static List<Map.Entry<String, String>> readHeaders(FrameCodec.Reader in) throws ProtocolException {
        int count = in.u16();
        if (count > MAX_HEADERS) {
            throw new ProtocolException(count + " headers exceed " + MAX_HEADERS);
        }
        // Capacity from the bytes present, not the declared count: a short frame cannot make it allocate much.
        List<Map.Entry<String, String>> headers = new ArrayList<>(Math.min(count, 64));
        for (int i = 0; i < count; i++) {
            String name = in.string(MAX_STRING);
            String value = in.string(MAX_STRING);
            String invalid = invalidHeader(name, value);
            if (invalid != null) {
                throw new ProtocolException(invalid);
            }
            headers.add(Map.entry(name, value));
        }
        return headers;
    }

    private static String invalidMethod(String method) {
        return Http1Parser.isToken(method)
                ? null
                : "HTTP method must be a token: \"" + Http1Parser.printable(method) + "\"";
    }

    private static String invalidTarget(String uri) {
        if (!uri.startsWith("/")) {
            return "HTTP request target must be in origin form (start with /)";
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return "HTTP request target contains whitespace or a control character";
            }
        }
        return null;
    }

    private static String invalidReason(String reason) {
        return hasLineBreakOrNul(reason) ? "HTTP reason phrase contains CR, LF or NUL" : null;
    }

    private static String invalidHeader(String name, String value) {
        if (!Http1Parser.isToken(name)) {
            return "HTTP header name must be a token: \"" + Http1Parser.printable(name) + "\"";
        }
        if (hasLineBreakOrNul(value)) {
            return "HTTP header " + name + " has a value with CR, LF or NUL";
        }
        return null;
    }

    private static boolean hasLineBreakOrNul(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return true;
            }
        }
        return false;
    }

    private static void requireEnd(FrameCodec.Reader in) throws ProtocolException {
        int left = in.rest().length;
        if (left != 0) {
            throw new ProtocolException("HTTP head has " + left + " trailing bytes");
        }
    }
}
