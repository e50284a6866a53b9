package io.connectivityproxy.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@link ClusterSettings} as a value, for tests. */
record TestSettings(String name, int port, List<String> members, int eventBusPort, TestTls tls)
        implements ClusterSettings {

    /** {@link ClusterSettings.Tls} as a value. */
    record TestTls(
            boolean enabled,
            Optional<Path> certificate,
            Optional<Path> key,
            Optional<Path> ca,
            Optional<Path> devCertificatesDir,
            boolean openssl)
            implements ClusterSettings.Tls {

        static TestTls files(Path certificate, Path key, Path ca) {
            return new TestTls(
                    true, Optional.of(certificate), Optional.of(key), Optional.of(ca), Optional.empty(), false);
        }

        static TestTls devDir(Path dir) {
            return new TestTls(true, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(dir), false);
        }

        static TestTls none() {
            return new TestTls(true, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
        }
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public Duration failureTimeout() {
        return Duration.ofSeconds(3);
    }

    @Override
    public Duration joinWait() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Duration livenessInterval() {
        return Duration.ofMillis(500);
    }

    @Override
    public Duration livenessTimeout() {
        return Duration.ofSeconds(3);
    }

    @Override
    public Optional<String> kubernetesServiceDns() {
        return Optional.empty();
    }
}
