package io.connectivityproxy.protocol.http;

import java.util.List;

/**
 * How a message body is delimited on an HTTP/1.1 connection (RFC 9112 section 6.3).
 *
 * @param length the Content-Length for {@link Kind#LENGTH}, else -1
 * @param codings transfer codings other than the final chunked, in the order applied (a
 *        response's {@code gzip} in {@code Transfer-Encoding: gzip, chunked}); the body bytes
 *        carry them, so the next hop must announce them again
 */
public record BodyFraming(Kind kind, long length, List<String> codings) {

    public enum Kind {
        /** No body at all. */
        NONE,
        /** Exactly {@code length} bytes. */
        LENGTH,
        /** Chunked transfer coding, ended by the last chunk and trailer section. */
        CHUNKED,
        /** A response body that ends when the connection closes. */
        UNTIL_CLOSE
    }

    public static final BodyFraming NONE = new BodyFraming(Kind.NONE, -1, List.of());
    public static final BodyFraming CHUNKED = new BodyFraming(Kind.CHUNKED, -1, List.of());

    public BodyFraming {
        codings = List.copyOf(codings);
    }

    public static BodyFraming length(long length) {
        return new BodyFraming(Kind.LENGTH, length, List.of());
    }

    /** True if a body follows the head (possibly an empty one). */
    public boolean hasBody() {
        return kind != Kind.NONE && !(kind == Kind.LENGTH && length == 0);
    }
}
