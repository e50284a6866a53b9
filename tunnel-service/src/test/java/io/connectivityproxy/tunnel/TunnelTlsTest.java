package io.connectivityproxy.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;

/** Which TLS engine the tunnel endpoint gets, and that the choice is what the log line says. */
class TunnelTlsTest {

    @TempDir
    Path dir;

    private TunnelTls tls() {
        DevCertificates.ensure(dir, "dev-subaccount");
        return TunnelTls.load(
                dir.resolve(DevCertificates.SERVER + ".pem"),
                dir.resolve(DevCertificates.SERVER + "-key.pem"),
                dir.resolve(DevCertificates.CA + ".pem"));
    }

    @Test
    void boringSslWhenAskedAndBundled() {
        HttpServerOptions options = new HttpServerOptions();
        assertTrue(OpenSSLEngineOptions.isAvailable(), "netty-tcnative is on the test class path for linux-x86_64");
        assertEquals("mutual TLS, BoringSSL", tls().apply(options, true));
        assertInstanceOf(OpenSSLEngineOptions.class, options.getSslEngineOptions());
        assertTrue(options.isSsl());
        assertEquals(ClientAuth.REQUEST, options.getClientAuth());
    }

    @Test
    void jdkEngineWhenTurnedOff() {
        HttpServerOptions options = new HttpServerOptions();
        assertEquals("mutual TLS, JDK TLS engine", tls().apply(options, false));
        assertTrue(
                options.getSslEngineOptions() == null || options.getSslEngineOptions() instanceof JdkSSLEngineOptions);
        assertTrue(options.isSsl());
    }
}
