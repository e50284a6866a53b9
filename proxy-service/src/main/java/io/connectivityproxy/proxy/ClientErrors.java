package io.connectivityproxy.proxy;

import io.connectivityproxy.protocol.Reason;

/** How a tunnel failure reason reads to a client of the HTTP proxy (design.md section 3). */
final class ClientErrors {

    private ClientErrors() {}

    /** The SOCKS5 reply code for a failed stream (design.md section 3). */
    static int socksReply(Reason reason) {
        switch (reason) {
            case NO_MAPPING:
            case PATH_NOT_ALLOWED:
            case PROTOCOL_NOT_ALLOWED:
                return 0x02;
            case NO_SESSION:
            case SESSION_LOST:
                return 0x03;
            case BACKEND_UNREACHABLE:
            case TIMEOUT:
                return 0x04;
            case UNAUTHORIZED:
                return 0x05;
            default:
                return 0x01;
        }
    }

    static int httpStatus(Reason reason) {
        switch (reason) {
            case NO_MAPPING:
            case PATH_NOT_ALLOWED:
            case PROTOCOL_NOT_ALLOWED:
            case PRINCIPAL_REFUSED:
                return 403;
            case NO_SESSION:
            case SESSION_LOST:
            case TOO_MANY_STREAMS:
            case SHUTDOWN:
                return 503;
            case TIMEOUT:
                return 504;
            case UNAUTHORIZED:
                return 407;
            default:
                return 502;
        }
    }
}
