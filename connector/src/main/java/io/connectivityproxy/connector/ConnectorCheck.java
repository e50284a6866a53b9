package io.connectivityproxy.connector;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.UpgradeRejectedException;

/**
 * The connector doctor ({@code connector check}, SAP's "check availability of internal host"):
 * reads the file and reports every problem, resolves and connects to every internal host:port of
 * the access control list (with a TLS handshake for HTTPS entries, trusting what the connector
 * trusts, and reporting the certificate's subject and expiry), checks the connector's own
 * certificate, and dials the tunnel endpoint with it to learn the subaccount tunnel-service sees.
 * One {@link Result} per check. The running connector runs the same checks at its start and after
 * each applied change of its file, for the status page. Blocking: never call it on an event loop.
 */
final class ConnectorCheck {

    /** The WebSocket upgrade response header in which tunnel-service names the subaccount it authenticated. */
    static final String SUBACCOUNT_HEADER = "Connectivity-Subaccount";

    private static final int PARALLEL = 8;
    /** A port range is checked port by port up to this many ports; beyond, its first and last ports. */
    private static final int RANGE_LIMIT = 64;

    /** One check: what was checked, on what, whether it passed, and what was found. */
    record Result(String check, String target, boolean ok, String detail) {

        /** {@code OK   backend  erp:8080 -> erp.corp.local:443 (HTTPS): ...}: one line per check. */
        String line() {
            return String.format(Locale.ROOT, "%-4s %-11s %s: %s", ok ? "OK" : "FAIL", check, target, detail);
        }
    }

    /** What one run found, and when. */
    record Report(Instant at, List<Result> results) {
        boolean ok() {
            return results.stream().allMatch(Result::ok);
        }

        long failures() {
            return results.stream().filter(result -> !result.ok()).count();
        }
    }

    private final Vertx vertx;
    private final Clock clock;

    ConnectorCheck(Vertx vertx, Clock clock) {
        this.vertx = vertx;
        this.clock = clock;
    }

    /** Every check of {@code file}: its problems, or, for a valid file, its certificate, backends and tunnel. */
    Report run(Path file) {
        List<String> problems = ConfigLoader.problems(file);
        if (!problems.isEmpty()) {
            List<Result> results = new ArrayList<>();
            for (String problem : problems) {
                results.add(new Result(
                        "config",
                        file.toString(),
                        false,
                        problem.substring(file.toString().length() + 2)));
            }
            return new Report(clock.instant(), results);
        }
        ConnectorSettings settings = ConfigLoader.load(file);
        List<Result> results = new ArrayList<>();
        results.add(new Result(
                "config",
                file.toString(),
                true,
                settings.accessControl().mappings().size()
                        + " access control entries, "
                        + settings.serviceChannels().size() + " service channel(s), location "
                        + (settings.locationId().isEmpty() ? "(default)" : settings.locationId())));
        results.addAll(run(settings, true));
        return new Report(clock.instant(), results);
    }

    /** The checks of valid settings; {@code tunnel}: also dial the tunnel endpoint. */
    List<Result> run(ConnectorSettings settings, boolean tunnel) {
        List<Result> results = new ArrayList<>();
        results.add(certificate(settings));
        results.addAll(backends(settings));
        if (tunnel) {
            results.add(tunnel(settings));
        }
        return results;
    }

    /** The connector's client certificate: readable, and valid now. */
    Result certificate(ConnectorSettings settings) {
        String target = settings.certificate().toString();
        try {
            X509Certificate certificate = firstCertificate(settings.certificate());
            Instant now = clock.instant();
            String subject = certificate.getSubjectX500Principal().getName();
            Instant notAfter = certificate.getNotAfter().toInstant();
            if (now.isAfter(notAfter)) {
                return new Result("certificate", target, false, subject + " expired on " + day(notAfter));
            }
            if (now.isBefore(certificate.getNotBefore().toInstant())) {
                return new Result(
                        "certificate",
                        target,
                        false,
                        subject + " is not valid before "
                                + day(certificate.getNotBefore().toInstant()));
            }
            return new Result("certificate", target, true, subject + ", valid until " + day(notAfter));
        } catch (IOException | GeneralSecurityException e) {
            return new Result("certificate", target, false, "cannot read it: " + e.getMessage());
        }
    }

    private List<Result> backends(ConnectorSettings settings) {
        List<AccessControlList.Mapping> mappings = settings.accessControl().mappings();
        if (mappings.isEmpty()) {
            return List.of();
        }
        SSLContext tls;
        try {
            tls = backendTls(settings);
        } catch (IOException | GeneralSecurityException e) {
            return List.of(
                    new Result("backend", "backendTls.ca", false, "cannot load the trusted CAs: " + e.getMessage()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, mappings.size()), runnable -> {
            Thread thread = new Thread(runnable, "connector-check");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Result>> pending = new ArrayList<>();
            for (AccessControlList.Mapping mapping : mappings) {
                pending.add(pool.submit(() -> backend(settings, mapping, tls)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> result : pending) {
                try {
                    results.add(result.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a backend check failed unexpectedly", e.getCause());
                }
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(new Result("backend", "*", false, "interrupted"));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Resolves the internal host, then connects to each internal port (TLS for HTTPS). */
    Result backend(ConnectorSettings settings, AccessControlList.Mapping mapping, SSLContext tls) {
        int ports = mapping.lastVirtualPort() - mapping.virtualPort() + 1;
        String internal = mapping.internalHost() + ":" + mapping.internalPort()
                + (ports > 1 ? "-" + (mapping.internalPort() + ports - 1) : "");
        String target = mapping.virtualAuthorities() + " -> " + internal + " (" + mapping.protocol() + ")";
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(mapping.internalHost());
        } catch (UnknownHostException e) {
            return new Result("backend", target, false, "cannot resolve " + mapping.internalHost());
        }
        int timeout = (int)
                Math.min(Integer.MAX_VALUE, settings.backendConnectTimeout().toMillis());
        String resolved = mapping.internalHost().equals(addresses[0].getHostAddress())
                ? ""
                : " (" + addresses[0].getHostAddress() + ")";
        if (mapping.protocol() == io.connectivityproxy.protocol.TargetProtocol.HTTPS) {
            return tlsHandshake(settings, mapping, tls, addresses[0], timeout, target, resolved);
        }
        List<Integer> failed = new ArrayList<>();
        String firstFailure = null;
        List<Integer> checked = portsToCheck(mapping.internalPort(), ports);
        for (int port : checked) {
            String failure = connect(addresses[0], port, timeout);
            if (failure != null) {
                failed.add(port);
                firstFailure = firstFailure == null ? failure : firstFailure;
            }
        }
        if (failed.isEmpty()) {
            return new Result(
                    "backend",
                    target,
                    true,
                    (checked.size() == 1
                                    ? "accepts connections"
                                    : checked.size() + " ports accept connections"
                                            + (checked.size() < ports
                                                    ? " (first and last " + RANGE_LIMIT / 2 + " of " + ports
                                                            + " checked)"
                                                    : ""))
                            + resolved);
        }
        return new Result(
                "backend",
                target,
                false,
                (checked.size() == 1
                                ? firstFailure
                                : failed.size() + " of " + checked.size() + " ports fail (" + firstFailure
                                        + "), e.g. port " + failed.get(0))
                        + resolved);
    }

    private static List<Integer> portsToCheck(int first, int count) {
        List<Integer> ports = new ArrayList<>();
        if (count <= RANGE_LIMIT) {
            for (int i = 0; i < count; i++) {
                ports.add(first + i);
            }
            return ports;
        }
        for (int i = 0; i < RANGE_LIMIT / 2; i++) {
            ports.add(first + i);
        }
        for (int i = count - RANGE_LIMIT / 2; i < count; i++) {
            ports.add(first + i);
        }
        return ports;
    }

    /** Null when a TCP connection to {@code address:port} was made, else why not. */
    private static String connect(InetAddress address, int port, int timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), timeout);
            return null;
        } catch (SocketTimeoutException e) {
            return "connect timed out after " + timeout + " ms";
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return message.contains("refused") ? "connection refused" : "cannot connect: " + e.getMessage();
        }
    }

    private Result tlsHandshake(
            ConnectorSettings settings,
            AccessControlList.Mapping mapping,
            SSLContext tls,
            InetAddress address,
            int timeout,
            String target,
            String resolved) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, mapping.internalPort()), timeout);
            plain.setSoTimeout(timeout);
            try (SSLSocket socket = (SSLSocket)
                    tls.getSocketFactory().createSocket(plain, mapping.internalHost(), mapping.internalPort(), false)) {
                SSLParameters parameters = socket.getSSLParameters();
                if (settings.backendVerifyHost()) {
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                }
                if (!Character.isDigit(mapping.internalHost().charAt(0))
                        && mapping.internalHost().indexOf(':') < 0) {
                    parameters.setServerNames(List.of(new SNIHostName(mapping.internalHost())));
                }
                socket.setSSLParameters(parameters);
                try {
                    socket.startHandshake();
                } catch (SSLException e) {
                    return new Result("backend", target, false, tlsFailure(e, socket) + resolved);
                }
                X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                return new Result(
                        "backend",
                        target,
                        true,
                        "TLS handshake OK, certificate "
                                + peer.getSubjectX500Principal().getName() + ", valid until "
                                + day(peer.getNotAfter().toInstant()) + resolved);
            }
        } catch (SocketTimeoutException e) {
            return new Result("backend", target, false, "timed out after " + timeout + " ms" + resolved);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return new Result(
                    "backend",
                    target,
                    false,
                    (message.contains("refused") ? "connection refused" : "cannot connect: " + e.getMessage())
                            + resolved);
        }
    }

    /** Why a handshake failed, naming the certificate the backend showed (its subject and expiry). */
    private String tlsFailure(SSLException e, SSLSocket socket) {
        X509Certificate[] shown = CapturingTrustManager.lastChain(socket);
        String certificate = "";
        if (shown != null && shown.length > 0) {
            X509Certificate peer = shown[0];
            Instant notAfter = peer.getNotAfter().toInstant();
            if (clock.instant().isAfter(notAfter)) {
                return "TLS handshake failed: certificate "
                        + peer.getSubjectX500Principal().getName() + " expired on " + day(notAfter);
            }
            certificate = ", certificate " + peer.getSubjectX500Principal().getName() + " (valid until " + day(notAfter)
                    + ")";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (why.contains("unable to find valid certification path")) {
            why = "the certificate is not trusted (no path to a CA in backendTls.ca or the JVM's trust store)";
        } else if (e instanceof SSLHandshakeException && why.startsWith("No subject alternative")) {
            why = "the certificate does not name the internal host (" + why + ")";
        }
        return "TLS handshake failed: " + why + certificate;
    }

    /** Dials the tunnel endpoint with the connector's certificate; tunnel-service answers with the subaccount it sees. */
    Result tunnel(ConnectorSettings settings) {
        String target = settings.tunnelUrl().toString();
        HttpClient client;
        try {
            client = vertx.createHttpClient(TunnelSession.clientOptions(settings));
        } catch (RuntimeException e) {
            return new Result("tunnel", target, false, "cannot load the certificate, key or CA: " + e.getMessage());
        }
        try {
            // Vert.x keeps the upgrade response's headers only while the WebSocket's first handler runs.
            String[] seenHolder = new String[1];
            client.webSocket(TunnelSession.connectOptions(settings))
                    .map(ws -> {
                        seenHolder[0] =
                                ws.headers() == null ? null : ws.headers().get(SUBACCOUNT_HEADER);
                        // No HELLO: the check must not register a session that the cloud would route streams to.
                        ws.close((short) 1000, "connector check");
                        return ws;
                    })
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(settings.connectTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
            String seen = seenHolder[0];
            if (seen == null) {
                return new Result(
                        "tunnel",
                        target,
                        true,
                        "TLS and WebSocket handshake OK; this tunnel-service does "
                                + "not say which subaccount it sees");
            }
            if (!seen.equals(settings.subaccount())) {
                return new Result(
                        "tunnel",
                        target,
                        false,
                        "tunnel-service sees subaccount " + seen + " (from the certificate), but the file says "
                                + settings.subaccount());
            }
            return new Result(
                    "tunnel", target, true, "TLS and WebSocket handshake OK; tunnel-service sees subaccount " + seen);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UpgradeRejectedException rejected) {
                Buffer body = rejected.getBody();
                return new Result(
                        "tunnel",
                        target,
                        false,
                        "tunnel-service refused the connection (HTTP " + rejected.getStatus() + ")"
                                + (body == null ? "" : ": " + body.toString().trim()));
            }
            return new Result("tunnel", target, false, "cannot connect: " + cause.getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            return new Result("tunnel", target, false, "no answer within " + settings.connectTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result("tunnel", target, false, "interrupted");
        } finally {
            client.close();
        }
    }

    /** What the connector trusts for HTTPS backends (backendTls.ca, or the JVM's store), recording what peers show. */
    private static SSLContext backendTls(ConnectorSettings settings) throws IOException, GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (settings.backendCa() == null) {
            factory.init((KeyStore) null);
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates(settings.backendCa())) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            factory.init(store);
        }
        X509ExtendedTrustManager delegate = null;
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                delegate = extended;
            }
        }
        if (delegate == null) {
            throw new GeneralSecurityException("no X.509 trust manager");
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new CapturingTrustManager(delegate)}, null);
        return context;
    }

    private static Collection<? extends Certificate> certificates(Path pem)
            throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new GeneralSecurityException(pem + " holds no certificate");
            }
            return certificates;
        }
    }

    private static X509Certificate firstCertificate(Path pem) throws IOException, GeneralSecurityException {
        return (X509Certificate) certificates(pem).iterator().next();
    }

    private static String day(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Delegates every decision, and remembers the chain each socket's peer presented (for the failure line). */
    private static final class CapturingTrustManager extends X509ExtendedTrustManager {

        private static final java.util.Map<Socket, X509Certificate[]> CHAINS =
                java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
        private final X509ExtendedTrustManager delegate;

        CapturingTrustManager(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        static X509Certificate[] lastChain(Socket socket) {
            return CHAINS.get(socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws java.security.cert.CertificateException {
            CHAINS.put(socket, chain);
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws java.security.cert.CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws java.security.cert.CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws java.security.cert.CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
