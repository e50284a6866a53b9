package io.connectivityproxy.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.CertificateAuthority;

/**
 * Development certificates for the embedded default: on first start, a CA, a server
 * certificate for localhost/127.0.0.1 and a connector client certificate for the dev subaccount
 * are written to one directory, which the connector's sample config points at. Several
 * tunnel-service processes may start together with the same directory (replicas on loopback), so
 * the set is created under an exclusive file lock: one process creates it, the others wait and
 * read it.
 */
final class DevCertificates {

    private static final Logger LOG = Logger.getLogger(DevCertificates.class);

    static final String CA = "ca";
    static final String SERVER = "server";
    static final String CONNECTOR = "connector";
    private static final String LOCK = ".dev-certificates.lock";

    private DevCertificates() {}

    /** Generates the set unless {@code dir/ca.pem} (written last) already exists. */
    static synchronized void ensure(Path dir, String subaccount) {
        if (Files.exists(dir.resolve(CA + ".pem"))) {
            // Already there: no lock file needed, so a read-only directory of existing files works.
            return;
        }
        try {
            Files.createDirectories(dir);
            try (FileChannel channel =
                            FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                if (Files.exists(dir.resolve(CA + ".pem"))) {
                    return;
                }
                CertificateAuthority authority = CertificateAuthority.create("connectivity-proxy development CA");
                authority
                        .issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"))
                        .write(dir, SERVER);
                authority.issueClient(subaccount).write(dir, CONNECTOR);
                authority.ca().write(dir, CA);
                LOG.infof(
                        "generated development certificates in %s (connector subaccount %s)",
                        dir.toAbsolutePath(), subaccount);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the development certificates in " + dir, e);
        }
    }
}
