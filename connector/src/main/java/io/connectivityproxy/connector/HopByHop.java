package io.connectivityproxy.connector;

import java.util.Locale;
import java.util.Set;

/** Headers that describe one connection, not the message (RFC 9110 section 7.6.1), plus proxy-only ones. */
final class HopByHop {

    private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate", "host");

    private HopByHop() {
    }

    static boolean is(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }
}
