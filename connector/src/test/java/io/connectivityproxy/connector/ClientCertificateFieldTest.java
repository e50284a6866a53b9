package io.connectivityproxy.connector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which client fields the connector drops so that only it can name a user in SSL_CLIENT_CERT. */
class ClientCertificateFieldTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SSL_CLIENT_CERT",
                "ssl_client_cert",
                "Ssl-Client-Cert",
                "SSL_CLIENT_CERT_CHAIN_0",
                "ssl-client-cert-chain-1"
            })
    void clientCertificateFieldsAreDropped(String name) {
        assertTrue(BackendExchange.clientCertificateField(name.toLowerCase(Locale.ROOT)), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-SSL-Client-Cert", "SSL_CLIENT_S_DN", "Authorization", "ssl_client_certificate"})
    void otherFieldsPass(String name) {
        assertFalse(BackendExchange.clientCertificateField(name.toLowerCase(Locale.ROOT)), name);
    }
}
