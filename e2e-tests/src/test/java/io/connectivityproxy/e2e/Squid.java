package io.connectivityproxy.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Debian's squid as a reference HTTP/1.1 forward proxy on a free loopback port: no caching, its
 * own configuration, pid, logs and state under the given directory, so it never meets a system
 * squid. It limits request heads to 8192 bytes like proxy-service, so oversize cases compare.
 */
final class Squid implements AutoCloseable {

    /** What squid's Via entries end with (RFC 9110 section 7.6.3: received-protocol and pseudonym). */
    static final String PSEUDONYM = "1.1 squid-reference (squid)";
    /** The user Debian's squid switches to when started as root (its default cache_effective_user). */
    private static final String EFFECTIVE_USER = "proxy";

    final int port;
    private final ManagedProcess process;

    private Squid(int port, ManagedProcess process) {
        this.port = port;
        this.process = process;
    }

    /** The squid executable: on the PATH, or where Debian puts it (/usr/sbin is not on every PATH). */
    static Optional<Path> executable() {
        return Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")),
                        Stream.of("/usr/sbin", "/usr/local/sbin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "squid"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Starts squid in the foreground ({@code -N}) and waits until it accepts connections. */
    static Squid start(String name, Path dir) {
        int port = LocalSystem.freePort();
        Path conf = dir.resolve("squid.conf");
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    conf,
                    String.join(
                            "\n",
                            "http_port 127.0.0.1:" + port,
                            "visible_hostname squid-reference",
                            "http_access allow localhost",
                            "http_access deny all",
                            "cache deny all",
                            "cache_mem 8 MB",
                            "via on",
                            "httpd_suppress_version_string on",
                            "request_header_max_size 8 KB",
                            "reply_header_max_size 64 KB",
                            "pid_filename " + dir.resolve("squid.pid"),
                            "cache_log " + dir.resolve("cache.log"),
                            "access_log stdio:" + dir.resolve("access.log"),
                            "cache_store_log none",
                            "netdb_filename none",
                            "coredump_dir " + dir,
                            "pinger_enable off",
                            "shutdown_lifetime 1 seconds",
                            ""));
            if ("root".equals(System.getProperty("user.name"))) {
                // As root, squid drops to the proxy user before it opens its logs and pid file.
                UserPrincipal user =
                        dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(EFFECTIVE_USER);
                Files.setOwner(dir, user);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String squid = executable()
                .orElseThrow(() -> new IllegalStateException("squid is not installed"))
                .toString();
        ManagedProcess process = ManagedProcess.start(name, List.of(squid, "-N", "-f", conf.toString()));
        Squid started = new Squid(port, process);
        process.await("squid accepts on port " + port, Duration.ofSeconds(30), started::accepts);
        return started;
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
