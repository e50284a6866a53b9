package io.connectivityproxy.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * A development cluster CA and one member certificate in a directory, for local runs: every
 * node started with the same directory uses the same files. run-local.sh starts tunnel-service
 * and proxy-service at the same moment, so the files are created under an exclusive file lock
 * (one process creates them, the other waits and reads them), each written atomically. The
 * CA's key is not kept: nothing issues certificates later. A CA of its own, never the
 * connectors' one, so that a connector's certificate cannot join the cluster.
 */
final class DevClusterCertificates {

    private static final Logger LOG = Logger.getLogger(DevClusterCertificates.class);

    static final String CA = "cluster-ca";
    static final String MEMBER = "cluster-member";
    private static final String LOCK = ".cluster-certificates.lock";

    private DevClusterCertificates() {}

    /** The member certificate, its key and the CA in {@code dir}, created if any is missing. */
    static synchronized List<Path> ensure(Path dir) {
        Path certificate = dir.resolve(MEMBER + ".pem");
        Path key = dir.resolve(MEMBER + "-key.pem");
        Path ca = dir.resolve(CA + ".pem");
        List<Path> files = List.of(certificate, key, ca);
        try {
            Files.createDirectories(dir);
            try (FileChannel channel =
                            FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                if (!files.stream().allMatch(Files::isReadable)) {
                    CertificateAuthority authority =
                            CertificateAuthority.create("connectivity-proxy development cluster CA");
                    authority
                            .issueMember("connectivity-proxy development cluster member")
                            .write(dir, MEMBER);
                    CertificateAuthority.writePem(ca, authority.ca().certificate());
                    LOG.infof("generated a development cluster CA and member certificate in %s", dir.toAbsolutePath());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the development cluster certificates in " + dir, e);
        }
        return files;
    }
}
