package io.connectivityproxy.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The head of an HTTP/1.1 exchange carried over a stream of an HTTP mapping: the request head
 * travels in the OPEN frame, the response head is the first DATA frame the connector sends.
 * Bodies follow as plain DATA (already de-chunked); FIN ends a body, RST aborts it.
 *
 * <p>Layout: request = method (str), request-target in origin form (str), headers; response =
 * status (u16), reason (str), headers; headers = count (u16), then name (str) and value (str)
 * pairs; str = length (u16) and UTF-8 bytes.
 */
public final class HttpHead {

    /** More headers than this in one head is a protocol error (HTTP servers cap them similarly). */
    public static final int MAX_HEADERS = 256;
    private static final int MAX_STRING = 16 * 1024;

    private HttpHead() {
    }

    public record Request(String method, String uri, List<Map.Entry<String, String>> headers) {
    }

    public record Response(int status, String reason, List<Map.Entry<String, String>> headers) {
    }

    public static byte[] encode(Request head) {
        FrameCodec.Writer out = new FrameCodec.Writer()
                .string(head.method(), MAX_STRING)
                .string(head.uri(), MAX_STRING);
        return finish(writeHeaders(out, head.headers()));
    }

    public static byte[] encode(Response head) {
        FrameCodec.Writer out = new FrameCodec.Writer()
                .u16(head.status())
                .string(head.reason(), MAX_STRING);
        return finish(writeHeaders(out, head.headers()));
    }

    public static Request decodeRequest(byte[] bytes) throws ProtocolException {
        FrameCodec.Reader in = new FrameCodec.Reader(ByteBuffer.wrap(bytes));
        try {
            String method = in.string(MAX_STRING);
            if (method.isEmpty()) {
                throw new ProtocolException("HTTP request head has an empty method");
            }
            String uri = in.string(MAX_STRING);
            if (!uri.startsWith("/")) {
                throw new ProtocolException("HTTP request target must be in origin form (start with /)");
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
            Response response = new Response(status, in.string(MAX_STRING), readHeaders(in));
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
        List<Map.Entry<String, String>> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = in.string(MAX_STRING);
            if (name.isEmpty()) {
                throw new ProtocolException("HTTP header with an empty name");
            }
            headers.add(Map.entry(name, in.string(MAX_STRING)));
        }
        return headers;
    }

    private static void requireEnd(FrameCodec.Reader in) throws ProtocolException {
        int left = in.rest().length;
        if (left != 0) {
            throw new ProtocolException("HTTP head has " + left + " trailing bytes");
        }
    }
}
