package io.connectivityproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.connectivityproxy.protocol.Reason;

/** The HTTP status a proxy client sees for each tunnel failure reason (design.md section 3); every reason is listed. */
class ClientErrorsTest {

    @ParameterizedTest
    @CsvSource({
        "NO_MAPPING, 403",
        "PATH_NOT_ALLOWED, 403",
        "PROTOCOL_NOT_ALLOWED, 403",
        "NO_SESSION, 503",
        "SESSION_LOST, 503",
        "TOO_MANY_STREAMS, 503",
        "SHUTDOWN, 503",
        "TIMEOUT, 504",
        "UNAUTHORIZED, 407",
        "BACKEND_UNREACHABLE, 502",
        "BACKEND_RESET, 502",
        "INTERNAL, 502",
        "PROTOCOL_ERROR, 502",
        "FLOW_CONTROL_ERROR, 502",
        "CANCELLED, 502",
        // Service-channel reasons travel the other way and never reach a proxy client.
        "UNKNOWN_SERVICE, 502",
        "LOCATION_NOT_ALLOWED, 502",
        "SERVICE_CHANNELS_DISABLED, 502",
        // Principal propagation: the connector refused the token; the connector is too old for it.
        "PRINCIPAL_REFUSED, 403",
        "PRINCIPAL_PROPAGATION_UNSUPPORTED, 502"
    })
    void statusForReason(Reason reason, int status) {
        assertEquals(status, ClientErrors.httpStatus(reason));
    }
}
