package io.connectivityproxy.protocol.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an HTTP intermediary must do to a message it forwards (RFC 9110 section 7.6, RFC 9112
 * section 6): drop the fields that describe one connection, add {@code Via}, work out how the
 * body is delimited and refuse what cannot be delimited safely. proxy-service and the connector
 * both use it, so the two hops agree on every message. Pure.
 */
public final class Intermediary {

    /** This proxy's entry in Via (a pseudonym: host names of the installation stay private). */
    public static final String VIA = "1.1 connectivity-proxy";

    /** Connection-specific fields (RFC 9110 section 7.6.1) and the proxy-only ones. */
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "proxy-authorization",
            "proxy-authenticate");
    /** Transfer codings registered with IANA; anything else is unknown (RFC 9112 section 7). */
    private static final Set<String> KNOWN_CODINGS =
            Set.of("chunked", "gzip", "x-gzip", "deflate", "compress", "x-compress");

    private Intermediary() {}

    /**
     * The end-to-end fields: without the hop-by-hop ones and without every field the Connection
     * header names. {@code keepUpgrade} keeps {@code Upgrade} for an upgrade the next hop may
     * accept (it then writes its own {@code Connection: upgrade}). Content-Length stays even when
     * nominated: the body is forwarded as it was delimited, and a next hop without the length
     * would read it as the next message.
     */
    public static List<Map.Entry<String, String>> endToEnd(
            List<Map.Entry<String, String>> fields, boolean keepUpgrade) {
        List<String> nominated = Fields.elements(fields, "connection");
        List<Map.Entry<String, String>> kept = new ArrayList<>(fields.size());
        for (Map.Entry<String, String> field : fields) {
            String name = field.getKey().toLowerCase(Locale.ROOT);
            if (keepUpgrade && name.equals("upgrade")) {
                kept.add(field);
            } else if (!HOP_BY_HOP.contains(name) && (!nominated.contains(name) || name.equals("content-length"))) {
                kept.add(field);
            }
        }
        return kept;
    }

    /** Appends this proxy to Via (to the last Via field, as one list; a new field if there is none). */
    public static List<Map.Entry<String, String>> withVia(List<Map.Entry<String, String>> fields) {
        List<Map.Entry<String, String>> out = new ArrayList<>(fields);
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i).getKey().equalsIgnoreCase("via")) {
                String value = out.get(i).getValue();
                out.set(i, Map.entry(out.get(i).getKey(), value.isEmpty() ? VIA : value + ", " + VIA));
                return out;
            }
        }
        out.add(Map.entry("Via", VIA));
        return out;
    }

    /** A request asks to switch protocols: Upgrade present and named in Connection (RFC 9110 section 7.8). */
    public static boolean isUpgrade(Http1Request request) {
        return Fields.has(request.fields(), "upgrade") && Fields.hasElement(request.fields(), "connection", "upgrade");
    }

    /** {@code Expect: 100-continue} (RFC 9110 section 10.1.1). */
    public static boolean expectsContinue(List<Map.Entry<String, String>> fields) {
        return Fields.hasElement(fields, "expect", "100-continue");
    }

    /** Whether the client lets the connection stay open after this exchange (RFC 9112 section 9.3). */
    public static boolean clientKeepsAlive(Http1Request request) {
        if (request.minorVersion() == 0) {
            return false;
        }
        return !Fields.hasElement(request.fields(), "connection", "close");
    }

    /** Whether a backend's response lets the connection be used again. */
    public static boolean backendKeepsAlive(Http1Response response) {
        if (Fields.hasElement(response.fields(), "connection", "close")) {
            return false;
        }
        return response.minorVersion() >= 1 || Fields.hasElement(response.fields(), "connection", "keep-alive");
    }

    /**
     * How the request body is delimited (RFC 9112 section 6.3). Only chunked is understood as a
     * request transfer coding, as in squid: a request with another coding gets 501, one whose
     * final coding is not chunked 400 (its length cannot be known), and so does one with both
     * Transfer-Encoding and Content-Length or with conflicting Content-Length values (a
     * smuggling vector either way).
     */
    public static BodyFraming requestFraming(Http1Request request) throws HttpException {
        List<Map.Entry<String, String>> fields = request.fields();
        if (Fields.has(fields, "transfer-encoding")) {
            if (Fields.has(fields, "content-length")) {
                throw new HttpException(400, "both Transfer-Encoding and Content-Length (RFC 9112 section 6.3)");
            }
            if (request.minorVersion() == 0) {
                throw new HttpException(400, "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 section 6.1)");
            }
            List<String> codings = codings(fields);
            for (String coding : codings) {
                if (!KNOWN_CODINGS.contains(coding)) {
                    throw new HttpException(
                            501, "transfer coding '" + Http1Parser.printable(coding) + "' is not implemented");
                }
            }
            if (codings.isEmpty()
                    || !codings.get(codings.size() - 1).equals("chunked")
                    || codings.indexOf("chunked") != codings.size() - 1) {
                throw new HttpException(
                        400, "chunked must be the final transfer coding, applied once " + "(RFC 9112 section 6.3)");
            }
            if (codings.size() > 1) {
                throw new HttpException(
                        501,
                        "transfer coding '" + codings.get(0) + "' is not implemented for requests; only chunked is");
            }
            return BodyFraming.CHUNKED;
        }
        long length = contentLength(fields, 400);
        return length < 0 ? BodyFraming.NONE : BodyFraming.length(length);
    }

    /**
     * How a response body is delimited (RFC 9112 section 6.3): none for HEAD, 1xx, 204 and 304;
     * a Transfer-Encoding ending in chunked is chunked (other codings stay on the body); any
     * other Transfer-Encoding, or neither field, means the body ends when the connection closes.
     *
     * @throws HttpException (502) for a response with both fields or a bad Content-Length
     */
    public static BodyFraming responseFraming(String requestMethod, Http1Response response) throws HttpException {
        int status = response.status();
        if ("HEAD".equals(requestMethod) || status < 200 || status == 204 || status == 304) {
            return BodyFraming.NONE;
        }
        List<Map.Entry<String, String>> fields = response.fields();
        if (Fields.has(fields, "transfer-encoding")) {
            if (Fields.has(fields, "content-length")) {
                throw new HttpException(502, "the backend's response has both Transfer-Encoding and Content-Length");
            }
            List<String> codings = codings(fields);
            int last = codings.size() - 1;
            if (last >= 0 && codings.get(last).equals("chunked")) {
                if (codings.indexOf("chunked") != last) {
                    throw new HttpException(502, "the backend applied chunked more than once");
                }
                return new BodyFraming(BodyFraming.Kind.CHUNKED, -1, codings.subList(0, last));
            }
            return new BodyFraming(BodyFraming.Kind.UNTIL_CLOSE, -1, codings);
        }
        long length = contentLength(fields, 502);
        return length < 0 ? new BodyFraming(BodyFraming.Kind.UNTIL_CLOSE, -1, List.of()) : BodyFraming.length(length);
    }

    /**
     * The Content-Length, or -1 without one. Repeated fields or list elements must all be the
     * same digits (RFC 9110 section 8.6); anything else is refused with {@code status}.
     */
    public static long contentLength(List<Map.Entry<String, String>> fields, int status) throws HttpException {
        long length = -1;
        for (Map.Entry<String, String> field : fields) {
            if (!field.getKey().equalsIgnoreCase("content-length")) {
                continue;
            }
            for (String element : field.getValue().split(",", -1)) {
                long value = digits(element.trim());
                if (value < 0) {
                    throw new HttpException(
                            status, "invalid Content-Length '" + Http1Parser.printable(field.getValue()) + "'");
                }
                if (length >= 0 && length != value) {
                    throw new HttpException(status, "conflicting Content-Length values");
                }
                length = value;
            }
        }
        return length;
    }

    /** Max-Forwards as a number, -1 when absent; an invalid value counts as absent (RFC 9110 section 7.6.2). */
    public static long maxForwards(List<Map.Entry<String, String>> fields) {
        String value = Fields.first(fields, "max-forwards");
        return value == null ? -1 : digits(value.trim());
    }

    private static List<String> codings(List<Map.Entry<String, String>> fields) {
        List<String> codings = new ArrayList<>();
        for (String element : Fields.elements(fields, "transfer-encoding")) {
            int parameters = element.indexOf(';');
            codings.add((parameters < 0 ? element : element.substring(0, parameters)).trim());
        }
        return codings;
    }

    private static long digits(String text) {
        if (text.isEmpty() || text.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
