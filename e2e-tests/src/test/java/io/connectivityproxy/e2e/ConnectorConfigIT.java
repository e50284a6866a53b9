package io.connectivityproxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** A connector started with a bad file says, in one line, which field is wrong, and exits with 2. */
class ConnectorConfigIT {

    @Test
    void badConfigurationNamesTheFieldAndExits() throws Exception {
        Path dir = ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/connector-config");
        Files.createDirectories(dir);
        for (String file : List.of("c.pem", "k.pem", "ca.pem")) {
            Files.writeString(dir.resolve(file), "placeholder");
        }
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                tunnel:
                  url: wss://localhost:8042/tunnel
                  certificate: c.pem
                  key: k.pem
                  ca: ca.pem
                subaccount: dev-subaccount
                accessControl:
                  - virtualHost: app
                    virtualPort: 0
                    internalHost: 127.0.0.1
                    internalPort: 8080
                    protocol: HTTP
                """);
        ManagedProcess connector = ManagedProcess.connector(
                "connector-bad-config", List.of("-Dquarkus.http.port=0", "-Dconnector.config=" + config));
        assertEquals(2, connector.waitForExit(Duration.ofSeconds(60)), connector.tail());
        List<String> errors = connector
                .logText()
                .lines()
                .filter(line -> line.contains("ERROR"))
                .toList();
        assertEquals(1, errors.size(), connector.tail());
        assertTrue(
                errors.get(0)
                        .contains("invalid configuration: " + config
                                + ": accessControl[0].virtualPort: must be between 1 and 65535, got 0"),
                errors.get(0));
    }

    /** A principal propagation CA whose key is not the certificate's stops the start with the field named. */
    @Test
    void principalPropagationCaThatCannotSignNamesTheFieldAndExits() throws Exception {
        Path dir = ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/connector-config-pp");
        Files.createDirectories(dir);
        for (String file : List.of("c.pem", "k.pem", "ca.pem", "issuer-key.pem")) {
            Files.writeString(dir.resolve(file), "placeholder");
        }
        io.connectivityproxy.cluster.CertificateAuthority one =
                io.connectivityproxy.cluster.CertificateAuthority.create("one");
        io.connectivityproxy.cluster.CertificateAuthority other =
                io.connectivityproxy.cluster.CertificateAuthority.create("other");
        one.ca().write(dir, "pp-ca");
        other.ca().write(dir, "other-ca");
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                tunnel:
                  url: wss://localhost:8042/tunnel
                  certificate: c.pem
                  key: k.pem
                  ca: ca.pem
                subaccount: dev-subaccount
                accessControl:
                  - virtualHost: app
                    virtualPort: 443
                    internalHost: 127.0.0.1
                    internalPort: 8443
                    protocol: HTTPS
                    principalPropagation: X509
                principalPropagation:
                  trustedIssuers:
                    - issuer: https://idp.example.com
                      jwksUrl: https://idp.example.com/token_keys
                  ca:
                    certificate: pp-ca.pem
                    key: other-ca-key.pem
                """);
        ManagedProcess connector = ManagedProcess.connector(
                "connector-bad-pp-ca", List.of("-Dquarkus.http.port=0", "-Dconnector.config=" + config));
        assertEquals(2, connector.waitForExit(Duration.ofSeconds(60)), connector.tail());
        List<String> errors = connector
                .logText()
                .lines()
                .filter(line -> line.contains("ERROR"))
                .toList();
        assertEquals(1, errors.size(), connector.tail());
        assertTrue(
                errors.get(0)
                        .contains("invalid configuration: " + config + ": principalPropagation.ca.key: "
                                + dir.resolve("other-ca-key.pem") + " is not the private key of "
                                + dir.resolve("pp-ca.pem")),
                errors.get(0));
    }
}
