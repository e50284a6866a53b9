package io.connectivityproxy.proxy;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.PrincipalTokens;

/**
 * SAP's principal propagation headers on the HTTP proxy, read as pure code:
 * {@code SAP-Connectivity-Authentication: Bearer <user JWT>} and
 * {@code SAP-Connectivity-Technical-Authentication: Bearer <technical user's JWT>}. Their
 * tokens travel to the connector in the stream's OPEN (protocol version 3); the headers
 * themselves never reach the backend (proxy-service drops every {@code SAP-Connectivity-*}
 * field). The connector checks the tokens; here only their form is checked, and no message
 * ever quotes a token.
 */
final class PrincipalHeaders {

    static final String USER = "SAP-Connectivity-Authentication";
    static final String TECHNICAL = "SAP-Connectivity-Technical-Authentication";

    /** A header of the wrong form: the client gets 400 with this message. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private PrincipalHeaders() {}

    /** The tokens of the request's headers; {@link PrincipalTokens#NONE} when it has neither. */
    static PrincipalTokens read(List<Map.Entry<String, String>> fields) throws Malformed {
        return new PrincipalTokens(token(fields, USER), token(fields, TECHNICAL));
    }

    private static String token(List<Map.Entry<String, String>> fields, String name) throws Malformed {
        String value = null;
        for (Map.Entry<String, String> field : fields) {
            if (field.getKey().equalsIgnoreCase(name)) {
                if (value != null) {
                    throw new Malformed(name + " is given more than once");
                }
                value = field.getValue().trim();
            }
        }
        if (value == null) {
            return "";
        }
        if (value.length() < 7
                || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            throw new Malformed(name + " must be 'Bearer <token>'");
        }
        String token = value.substring(7).trim();
        if (token.isEmpty()) {
            throw new Malformed(name + " has an empty token");
        }
        if (token.length() > FrameCodec.MAX_TOKEN_LENGTH) {
            throw new Malformed(name + ": the token is longer than " + FrameCodec.MAX_TOKEN_LENGTH + " characters");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new Malformed(name + ": the token must be visible ASCII (a JWT)");
            }
        }
        return token;
    }
}
