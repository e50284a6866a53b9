package io.connectivityproxy.proxy.socks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.connectivityproxy.protocol.Ids;

/**
 * The server side of a SOCKS5 handshake (RFC 1928) as a pure state machine: bytes in, one
 * {@link Step} out. Supports method 0x00 (no authentication) and SAP's method 0x80, which
 * carries a JWT and the location id (design.md section 3), and the CONNECT command with IPv4
 * and domain-name addresses. Input beyond what the handshake can need is refused, so a peer
 * cannot make it buffer without bound.
 */
public final class Socks5Handshake {

    public static final int VERSION = 5;
    public static final int METHOD_NONE = 0x00;
    public static final int METHOD_SAP = 0x80;
    public static final int NO_ACCEPTABLE_METHOD = 0xff;
    public static final int SAP_SUBVERSION = 0x01;
    /** Largest JWT accepted in method 0x80; a length above it is refused without reading on. */
    public static final int MAX_TOKEN = 16 * 1024;

    public static final int REPLY_SUCCEEDED = 0x00;
    public static final int REPLY_GENERAL_FAILURE = 0x01;
    public static final int REPLY_NOT_ALLOWED = 0x02;
    public static final int REPLY_NETWORK_UNREACHABLE = 0x03;
    public static final int REPLY_HOST_UNREACHABLE = 0x04;
    public static final int REPLY_CONNECTION_REFUSED = 0x05;
    public static final int REPLY_COMMAND_NOT_SUPPORTED = 0x07;
    public static final int REPLY_ADDRESS_TYPE_NOT_SUPPORTED = 0x08;

    private static final int CMD_CONNECT = 0x01;
    private static final int ATYP_IPV4 = 0x01;
    private static final int ATYP_DOMAIN = 0x03;
    private static final int ATYP_IPV6 = 0x04;

    /** What the server does next. */
    public sealed interface Step {}

    /** Send nothing; wait for more bytes. */
    public record NeedMore() implements Step {}

    /** Send {@code bytes} and keep reading. */
    public record Reply(byte[] bytes) implements Step {}

    /** Send {@code bytes} (may be empty) and close: the handshake failed; {@code reason} is for logs. */
    public record Fail(byte[] bytes, String reason) implements Step {}

    /**
     * The client asks to connect to {@code host:port}; the server answers with {@link #reply}
     * once it knows the outcome. {@code token} is the JWT of method 0x80, or null.
     */
    public record Connect(String host, int port, String locationId, String token) implements Step {}

    private enum State {
        GREETING,
        SAP_AUTH,
        REQUEST,
        DONE
    }

    private final boolean requireAuthorization;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private State state = State.GREETING;
    private String locationId = "";
    private String token;

    /** @param requireAuthorization when true only method 0x80 is accepted (it carries the token) */
    public Socks5Handshake(boolean requireAuthorization) {
        this.requireAuthorization = requireAuthorization;
    }

    /** Feeds received bytes; returns every step they complete (usually one). */
    public java.util.List<Step> feed(byte[] bytes) {
        java.util.List<Step> steps = new java.util.ArrayList<>();
        if (state == State.DONE) {
            steps.add(new Fail(new byte[0], "data after the handshake ended"));
            return steps;
        }
        pending.write(bytes, 0, bytes.length);
        while (state != State.DONE) {
            byte[] buffer = pending.toByteArray();
            int[] consumed = {0};
            Step step = advance(buffer, consumed);
            if (step instanceof NeedMore) {
                break;
            }
            pending.reset();
            pending.write(buffer, consumed[0], buffer.length - consumed[0]);
            steps.add(step);
            if (step instanceof Fail || step instanceof Connect) {
                state = State.DONE;
            }
        }
        if (steps.isEmpty()) {
            steps.add(new NeedMore());
        }
        return steps;
    }

    /** Bytes the client sent after its CONNECT request (they belong to the tunnelled stream). */
    public byte[] remainder() {
        return pending.toByteArray();
    }

    private Step advance(byte[] in, int[] consumed) {
        switch (state) {
            case GREETING:
                return greeting(in, consumed);
            case SAP_AUTH:
                return sapAuthentication(in, consumed);
            case REQUEST:
                return request(in, consumed);
            default:
                return new Fail(new byte[0], "handshake already ended");
        }
    }

    // RFC 1928 section 3: VER NMETHODS METHODS
    private Step greeting(byte[] in, int[] consumed) {
        if (in.length < 1) {
            return new NeedMore();
        }
        if ((in[0] & 0xff) != VERSION) {
            return new Fail(new byte[0], "not SOCKS5: version byte " + (in[0] & 0xff));
        }
        if (in.length < 2) {
            return new NeedMore();
        }
        int count = in[1] & 0xff;
        if (count == 0) {
            return new Fail(new byte[] {VERSION, (byte) NO_ACCEPTABLE_METHOD}, "greeting offers no methods");
        }
        if (in.length < 2 + count) {
            return new NeedMore();
        }
        boolean none = false;
        boolean sap = false;
        for (int i = 0; i < count; i++) {
            int method = in[2 + i] & 0xff;
            none |= method == METHOD_NONE;
            sap |= method == METHOD_SAP;
        }
        consumed[0] = 2 + count;
        // Method 0x80 is preferred when offered: it is the only way to name a location.
        if (sap) {
            state = State.SAP_AUTH;
            return new Reply(new byte[] {VERSION, (byte) METHOD_SAP});
        }
        if (none && !requireAuthorization) {
            state = State.REQUEST;
            return new Reply(new byte[] {VERSION, METHOD_NONE});
        }
        return new Fail(
                new byte[] {VERSION, (byte) NO_ACCEPTABLE_METHOD},
                requireAuthorization
                        ? "proxy authorization is on: method 0x80 is required"
                        : "no supported method offered (0x00 or 0x80)");
    }

    // SAP method 0x80: 01, JWT length (u32 BE), JWT, location length (u8), base64(location)
    private Step sapAuthentication(byte[] in, int[] consumed) {
        byte[] failure = {SAP_SUBVERSION, 0x01};
        if (in.length < 1) {
            return new NeedMore();
        }
        if ((in[0] & 0xff) != SAP_SUBVERSION) {
            return new Fail(failure, "method 0x80 sub-version must be 1, got " + (in[0] & 0xff));
        }
        if (in.length < 5) {
            return new NeedMore();
        }
        long tokenLength = ((in[1] & 0xffL) << 24) | ((in[2] & 0xff) << 16) | ((in[3] & 0xff) << 8) | (in[4] & 0xff);
        if (tokenLength > MAX_TOKEN) {
            return new Fail(failure, "token of " + tokenLength + " bytes exceeds " + MAX_TOKEN);
        }
        int locationAt = 5 + (int) tokenLength;
        if (in.length < locationAt + 1) {
            return new NeedMore();
        }
        int locationLength = in[locationAt] & 0xff;
        if (in.length < locationAt + 1 + locationLength) {
            return new NeedMore();
        }
        String encoded = new String(in, locationAt + 1, locationLength, StandardCharsets.US_ASCII);
        String location;
        try {
            location = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Fail(failure, "location id is not valid base64");
        }
        if (!Ids.valid(location)) {
            return new Fail(failure, "location id '" + location + "' is not valid");
        }
        consumed[0] = locationAt + 1 + locationLength;
        token = tokenLength == 0 ? null : new String(in, 5, (int) tokenLength, StandardCharsets.US_ASCII);
        locationId = location;
        state = State.REQUEST;
        return new Reply(new byte[] {SAP_SUBVERSION, 0x00});
    }

    // RFC 1928 section 4: VER CMD RSV ATYP DST.ADDR DST.PORT
    private Step request(byte[] in, int[] consumed) {
        if (in.length < 4) {
            if (in.length >= 1 && (in[0] & 0xff) != VERSION) {
                return new Fail(new byte[0], "request version byte " + (in[0] & 0xff));
            }
            return new NeedMore();
        }
        if ((in[0] & 0xff) != VERSION) {
            return new Fail(new byte[0], "request version byte " + (in[0] & 0xff));
        }
        int command = in[1] & 0xff;
        int addressType = in[3] & 0xff;
        if (command != CMD_CONNECT) {
            return new Fail(
                    reply(REPLY_COMMAND_NOT_SUPPORTED), "command " + command + " is not supported (CONNECT only)");
        }
        String host;
        int portAt;
        if (addressType == ATYP_IPV4) {
            if (in.length < 10) {
                return new NeedMore();
            }
            host = (in[4] & 0xff) + "." + (in[5] & 0xff) + "." + (in[6] & 0xff) + "." + (in[7] & 0xff);
            portAt = 8;
        } else if (addressType == ATYP_DOMAIN) {
            if (in.length < 5) {
                return new NeedMore();
            }
            int length = in[4] & 0xff;
            if (length == 0) {
                return new Fail(reply(REPLY_GENERAL_FAILURE), "empty domain name");
            }
            if (in.length < 5 + length + 2) {
                return new NeedMore();
            }
            host = new String(in, 5, length, StandardCharsets.US_ASCII);
            if (!host.matches("[A-Za-z0-9._-]+")) {
                return new Fail(reply(REPLY_GENERAL_FAILURE), "domain name has characters a host name cannot have");
            }
            portAt = 5 + length;
        } else if (addressType == ATYP_IPV6) {
            return new Fail(reply(REPLY_ADDRESS_TYPE_NOT_SUPPORTED), "IPv6 addresses are not supported");
        } else {
            return new Fail(reply(REPLY_ADDRESS_TYPE_NOT_SUPPORTED), "address type " + addressType + " is unknown");
        }
        int port = ((in[portAt] & 0xff) << 8) | (in[portAt + 1] & 0xff);
        if (port == 0) {
            return new Fail(reply(REPLY_GENERAL_FAILURE), "port 0");
        }
        consumed[0] = portAt + 2;
        return new Connect(host, port, locationId, token);
    }

    /** A reply to the request: VER REP RSV ATYP=IPv4 0.0.0.0:0 (the bound address is not disclosed). */
    public static byte[] reply(int code) {
        return new byte[] {VERSION, (byte) code, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0};
    }
}
