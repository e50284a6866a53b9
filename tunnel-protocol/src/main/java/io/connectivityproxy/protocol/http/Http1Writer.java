package io.connectivityproxy.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes HTTP/1.1 heads and chunk framing. Strings hold one byte per char (ISO-8859-1), as
 * {@link Http1Parser} reads them; a char above U+00FF cannot be written and is refused.
 */
public final class Http1Writer {

    public static final byte[] CRLF = {'\r', '\n'};
    /** The last chunk and an empty trailer section. */
    public static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private Http1Writer() {}

    public static byte[] request(String method, String target, List<Map.Entry<String, String>> fields) {
        StringBuilder head =
                new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        return finish(head, fields);
    }

    public static byte[] response(int status, String reason, List<Map.Entry<String, String>> fields) {
        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 ")
                .append(status)
                .append(' ')
                .append(reason.isEmpty() ? defaultReason(status) : reason)
                .append("\r\n");
        return finish(head, fields);
    }

    /** The size line that starts a chunk of {@code length} bytes (never 0: that is the last chunk). */
    public static byte[] chunkHeader(int length) {
        return (Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] finish(StringBuilder head, List<Map.Entry<String, String>> fields) {
        for (Map.Entry<String, String> field : fields) {
            head.append(field.getKey()).append(": ").append(field.getValue()).append("\r\n");
        }
        head.append("\r\n");
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            if (c > 0xff) {
                throw new IllegalArgumentException("a head with a character outside ISO-8859-1 cannot be written");
            }
        }
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A reason phrase for a status whose sender gave none (the phrase carries no meaning). */
    static String defaultReason(int status) {
        switch (status) {
            case 100:
                return "Continue";
            case 101:
                return "Switching Protocols";
            case 102:
                return "Processing";
            case 103:
                return "Early Hints";
            case 200:
                return "OK";
            case 204:
                return "No Content";
            case 304:
                return "Not Modified";
            case 400:
                return "Bad Request";
            case 403:
                return "Forbidden";
            case 404:
                return "Not Found";
            case 405:
                return "Method Not Allowed";
            case 407:
                return "Proxy Authentication Required";
            case 413:
                return "Content Too Large";
            case 431:
                return "Request Header Fields Too Large";
            case 501:
                return "Not Implemented";
            case 502:
                return "Bad Gateway";
            case 503:
                return "Service Unavailable";
            case 504:
                return "Gateway Timeout";
            case 505:
                return "HTTP Version Not Supported";
            default:
                return "Status " + status;
        }
    }
}
